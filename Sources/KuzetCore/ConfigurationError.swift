/// One thing wrong with a configuration: where, what, and what to do about it.
public struct ConfigurationProblem: Sendable, Equatable, CustomStringConvertible {
    /// The key, e.g. `cameras[entrance].url` or `retention.days`.
    public var key: String
    public var problem: String
    public var fix: String

    public init(key: String, problem: String, fix: String) {
        self.key = key
        self.problem = problem
        self.fix = fix
    }

    /// `where: what is wrong — what to do`, the contract's one-line error form.
    public var description: String { "\(key): \(problem) — \(fix)" }
}

/// Every problem found in a configuration, reported together.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String?
    public var problems: [ConfigurationProblem]

    public init(file: String? = nil, problems: [ConfigurationProblem]) {
        self.file = file
        self.problems = problems
    }

    /// One line per problem, each prefixed by the file when known.
    public var description: String {
        let prefix = file.map { "\($0): " } ?? ""
        return problems.map { "\(prefix)\($0)" }.joined(separator: "\n")
    }
}
