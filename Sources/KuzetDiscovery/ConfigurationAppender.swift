import Foundation
import KuzetConfiguration
import KuzetCore

/// `discover --write-config FILE`: adds newly found cameras to an existing configuration as
/// text, so its comments and order stay as the integrator wrote them. Cameras whose main or sub
/// URL is already configured are skipped; ids already taken get a suffix. The result is checked
/// with ``AgentConfiguration/parse(yaml:baseDirectory:)`` before it replaces the file (atomically).
public enum ConfigurationAppender {
    public struct Outcome: Sendable, Equatable {
        public var added: [String]
        public var skipped: [String]
    }

    public static func append(_ cameras: [DiscoveredCamera], credentials: DeviceCredentials?, toFile path: String)
        throws(DiscoveryError) -> Outcome
    {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw DiscoveryError(
                where: path, what: "cannot be read",
                fix: "give --write-config an existing agent configuration (start from deploy/config/agent.yaml)")
        }
        let base = (path as NSString).deletingLastPathComponent
        let (newText, outcome) = try append(
            cameras, credentials: credentials, to: text, baseDirectory: base.isEmpty ? "." : base, file: path)
        guard !outcome.added.isEmpty else { return outcome }
        let temporary = path + ".kuzet-tmp"
        do {
            try Data(newText.utf8).write(to: URL(fileURLWithPath: temporary), options: .atomic)
            if let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                let permissions = attributes[.posixPermissions]
            {
                try? FileManager.default.setAttributes([.posixPermissions: permissions], ofItemAtPath: temporary)
            }
            guard rename(temporary, path) == 0 else { throw CocoaError(.fileWriteUnknown) }
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw DiscoveryError(where: path, what: "cannot be written", fix: "check the file's permissions")
        }
        return outcome
    }

    /// The new text of a configuration with `cameras` appended (pure; for tests and the file variant).
    public static func append(
        _ cameras: [DiscoveredCamera], credentials: DeviceCredentials?, to text: String, baseDirectory: String = ".",
        file: String = "config"
    ) throws(DiscoveryError) -> (String, Outcome) {
        let existing: AgentConfiguration
        do {
            existing = try AgentConfiguration.parse(yaml: text, baseDirectory: baseDirectory)
        } catch {
            throw DiscoveryError(
                where: file,
                what: "is not a valid configuration yet (\(error.problems.map(\.description).joined(separator: "; ")))",
                fix: "fix it first (kuzet-agent check --config \(file)), then run discover again")
        }
        let knownURLs = Set(existing.cameras.flatMap { [$0.url, $0.subURL].compactMap { $0 }.map(normalized) })
        var taken = Set(existing.cameras.map(\.id))
        var added: [DiscoveredCamera] = []
        var skipped: [String] = []
        for camera in cameras {
            if knownURLs.contains(normalized(camera.url))
                || camera.subURL.map({ knownURLs.contains(normalized($0)) }) == true
            {
                skipped.append(camera.id)
                continue
            }
            var copy = camera
            if taken.contains(copy.id) {
                copy.id = CameraNaming.id(base: copy.id, channel: nil, channels: 1, taken: &taken)
            } else {
                taken.insert(copy.id)
            }
            added.append(copy)
        }
        guard !added.isEmpty else { return (text, Outcome(added: [], skipped: skipped)) }

        var lines = text.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        let camerasLine = lines.firstIndex { $0.hasPrefix("cameras:") }
        var result: [String]
        if let camerasLine {
            let rest = lines[camerasLine].dropFirst("cameras:".count).trimmingCharacters(in: .whitespaces)
            let value =
                rest.hasPrefix("#")
                ? "" : rest.components(separatedBy: " #").first!.trimmingCharacters(in: .whitespaces)
            if value.hasPrefix("[") && value != "[]" || value.hasPrefix("{") {
                throw DiscoveryError(
                    where: "\(file): cameras", what: "is written in flow style ([...])",
                    fix:
                        "rewrite it as a block list (`cameras:` then `  - id: …`) or paste the output of `discover --format yaml` by hand"
                )
            }
            // Where the block ends: the next top-level key (column 0, not a list item or comment).
            var end = camerasLine + 1
            var lastContent = camerasLine
            var indent = 2
            var sawItem = false
            while end < lines.count {
                let line = lines[end]
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if !trimmed.isEmpty && !trimmed.hasPrefix("#") {
                    if !line.hasPrefix(" ") && !line.hasPrefix("-") && !line.hasPrefix("\t") { break }
                    if !sawItem, trimmed.hasPrefix("-") {
                        indent = line.prefix { $0 == " " }.count
                        sawItem = true
                    }
                    lastContent = end
                }
                end += 1
            }
            let items = CameraYAML.items(added, credentials: credentials, indent: indent).components(separatedBy: "\n")
                .filter { !$0.isEmpty }
            result = lines
            if value == "[]" || value == "~" || value == "null" {
                result[camerasLine] = "cameras:"
                result.insert(contentsOf: items, at: camerasLine + 1)
            } else {
                result.insert(contentsOf: items, at: lastContent + 1)
            }
        } else {
            result =
                lines + ["", "cameras:"]
                + CameraYAML.items(added, credentials: credentials).components(separatedBy: "\n").filter { !$0.isEmpty }
        }
        let newText = result.joined(separator: "\n") + "\n"
        do {
            _ = try AgentConfiguration.parse(yaml: newText, baseDirectory: baseDirectory)
        } catch {
            throw DiscoveryError(
                where: file,
                what:
                    "would not be valid with the new cameras (\(error.problems.map(\.description).joined(separator: "; ")))",
                fix: "left unchanged; add the cameras from `discover --format yaml` by hand")
        }
        return (newText, Outcome(added: added.map(\.id), skipped: skipped))
    }

    /// URLs compared without credentials, scheme/host case, or a trailing slash.
    static func normalized(_ url: String) -> String {
        guard let address = DeviceAddress(url) else { return url }
        var path = address.pathAndQuery
        if path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        return "\(address.scheme)://\(address.host.lowercased()):\(address.port)\(path)"
    }
}
