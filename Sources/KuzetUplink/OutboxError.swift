/// The outbox cannot keep what it is given (a folder or disk problem). Says what to fix.
public struct OutboxError: Error, Sendable, CustomStringConvertible {
    public var directory: String
    public var problem: String
    public var advice: String

    public var description: String { "registry.outbox \(directory): \(problem) — \(advice)" }
}
