import ArgumentParser
import Foundation
import KuzetAgent
import KuzetCommitment
import KuzetConfiguration
import KuzetCore
import KuzetMedia
import KuzetRetention

/// `kuzet-agent export --config FILE --camera ID --from TIME --to TIME --output FILE`.
///
/// Exit 0: the clip covers the whole range. Exit 1: no footage at all (no file), or footage
/// partly missing — the clip is written with what exists and each hole is named on stderr
/// (`--allow-gaps` makes that exit 0). Exit 2: bad usage (e.g. `--to` not after `--from`).
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Cuts one playable file from the recordings.")

    @Option(help: "The agent configuration file.") var config: String
    @Option(help: "The camera id.") var camera: String
    @Option(help: "Start, ISO 8601 with a zone, e.g. 2026-11-23T09:15:00Z or 2026-11-23T14:15:00+05:00.") var from:
        String
    @Option(help: "End, ISO 8601 with a zone.") var to: String
    @Option(help: "The MP4 file to write (with --evidence: DIR/clip.mp4 when not given).") var output: String?
    @Option(
        help:
            "Also copy the original segments covering the range, untouched, into this folder with a proof file (proof.json) that `kuzet-agent verify` checks."
    ) var evidence: String?
    @Flag(help: "Exit 0 even when parts of the range have no footage (the holes are still named).") var allowGaps =
        false

    func run() async throws {
        StreamRateProbe.silenceLibraryLog()
        let agent: AgentConfiguration
        do { agent = try AgentConfiguration.load(path: config) } catch { throw CommandFailure.configuration(error) }
        let start = try Self.time(from, option: "--from")
        let end = try Self.time(to, option: "--to")
        guard let output = output ?? evidence.map({ ($0 as NSString).appendingPathComponent("clip.mp4") }) else {
            throw CommandFailure.usage("export: give --output FILE (or --evidence DIR)")
        }
        if let evidence {
            try FileManager.default.createDirectory(atPath: evidence, withIntermediateDirectories: true)
        }
        let export = FootageExport(
            root: agent.storage.root, camera: camera, from: start, to: end, output: output,
            configuredCameras: agent.cameras.map(\.id))
        let outcome: FootageExport.Outcome
        do {
            outcome = try await export.run()
        } catch {
            switch error {
            case .emptyRange, .unknownCamera: throw CommandFailure.usage(error.description)
            case .noFootage, .media: throw CommandFailure.runtime(error.description)
            }
        }
        let formatter = ISO8601DateFormatter()
        if let evidence {
            try writeEvidence(agent: agent, from: start, to: end, directory: evidence, clip: output)
        }
        print(
            "wrote \(outcome.output): camera \(camera) from \(formatter.string(from: outcome.clipStart ?? start)) to \(formatter.string(from: end)), \(outcome.segments) segment(s)"
        )
        guard !outcome.holes.isEmpty else { return }
        let lines = outcome.holes.map { hole in
            "camera \(camera): no footage from \(formatter.string(from: hole.start)) to \(formatter.string(from: hole.end)) (\(Self.duration(hole.duration))) — \(outcome.output) holds the rest; the gap is kept in its timeline"
        }
        if allowGaps {
            FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
        } else {
            throw CommandFailure(
                lines: lines + ["export: footage partly missing — pass --allow-gaps to accept the clip as it is"],
                exitCode: 1)
        }
    }

    /// The originals and proof.json beside the clip.
    func writeEvidence(agent: AgentConfiguration, from: Date, to: Date, directory: String, clip: String) throws {
        let clipName =
            (clip as NSString).deletingLastPathComponent == (directory as NSString).standardizingPath
                || (clip as NSString).deletingLastPathComponent == directory
            ? (clip as NSString).lastPathComponent : nil
        let evidence = EvidenceExport(
            storageRoot: agent.storage.root, schoolID: agent.school.id, camera: camera, from: from, to: to,
            directory: directory,
            deviceKey: agent.registry.flatMap { EvidenceExport.devicePublicKey(outbox: $0.outbox) },
            clip: clipName)
        let outcome: EvidenceExport.Outcome
        do { outcome = try evidence.run() } catch { throw CommandFailure.runtime("export --evidence: \(error)") }
        print("evidence: \(outcome.segments) original segment(s) and proof.json in \(directory)")
        if !outcome.unproven.isEmpty {
            FileHandle.standardError.write(
                Data(
                    "evidence: \(outcome.unproven.count) segment(s) of a day not signed yet (\(outcome.unproven.prefix(3).joined(separator: ", "))…) — copied, but `verify` can prove them only after their day closes; export again then\n"
                        .utf8))
        }
    }

    static func time(_ text: String, option: String) throws -> Date {
        let plain = ISO8601DateFormatter()
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = plain.date(from: text) ?? fractional.date(from: text) { return date }
        throw CommandFailure.usage(
            "\(option): \"\(text)\" is not an ISO 8601 time — write it like 2026-11-23T09:15:00Z or 2026-11-23T14:15:00+05:00"
        )
    }

    static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        return total >= 3600 ? "\(total / 3600)h\(total % 3600 / 60)m\(total % 60)s" : "\(total / 60)m\(total % 60)s"
    }
}
