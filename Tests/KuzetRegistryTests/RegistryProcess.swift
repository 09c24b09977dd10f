import Foundation
import HTTPTypes
import HummingbirdTesting
import KuzetProtocol
import KuzetRegistry
import KuzetTestKit
import NIOCore
import Testing

/// The real `kuzet-registry` executable (built beside the tests), run as a process.
enum RegistryExecutable {
    static var path: String {
        get throws {
            let candidates = [
                URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(
                    "kuzet-registry"
                ).path,
                PostgresTestServer.repositoryRoot + "/.build/debug/kuzet-registry",
            ]
            guard let found = candidates.first(where: FileManager.default.isExecutableFile(atPath:)) else {
                throw TestKitError("kuzet-registry not built (looked at \(candidates)) — run swift build --build-tests")
            }
            return found
        }
    }

    /// Runs a command to completion: exit status, stdout+stderr.
    static func run(_ arguments: [String], timeout: Double = 60) throws -> (status: Int32, output: String) {
        try KuzetTestKit.run(try path, arguments, timeout: timeout)
    }

    /// Runs a command to completion with extra environment variables: exit status, stdout+stderr.
    static func run(_ arguments: [String], environment: [String: String], timeout: Double = 60) throws -> (
        status: Int32, output: String
    ) {
        let process = try ExternalProcess(try path, arguments, environment: environment)
        guard let status = process.waitForExit(timeout: timeout) else {
            process.stop()
            throw TestKitError("kuzet-registry \(arguments.joined(separator: " ")) did not finish within \(timeout) s")
        }
        return (status, process.output)
    }

    /// `token create …`: the token (the last output line).
    static func createToken(_ arguments: [String]) throws -> String {
        let (status, output) = try run(["token", "create"] + arguments)
        guard status == 0, let last = output.split(separator: "\n").last else {
            throw TestKitError("token create failed (\(status)): \(output)")
        }
        return String(last)
    }
}

/// `kuzet-registry serve` running for one test; stopped when the value goes away.
final class RegistryProcess: Sendable {
    let process: ExternalProcess
    /// `http(s)://127.0.0.1:PORT` as the server printed it.
    let url: String

    /// - Parameter environment: added to this process's environment.
    init(_ arguments: [String], environment: [String: String]? = nil) throws {
        let process = try ExternalProcess(
            try RegistryExecutable.path, ["serve", "--listen", "127.0.0.1:0"] + arguments, name: "kuzet-registry",
            environment: environment)
        self.process = process
        var found: String?
        _ = eventually(timeout: 30) {
            found = Self.address(in: process.output)
            return found != nil || !process.isRunning
        }
        guard let found else {
            process.stop()
            throw TestKitError("kuzet-registry serve did not report its address: \(process.output.suffix(1000))")
        }
        url = found
    }

    static func address(in output: String) -> String? {
        for line in output.split(separator: "\n") where line.hasPrefix("kuzet-registry listening on ") {
            return String(line.dropFirst("kuzet-registry listening on ".count))
        }
        return nil
    }

    deinit { process.stop() }
}

/// curl, the real one: (HTTP status, body).
func curl(_ arguments: [String]) throws -> (status: Int, body: String) {
    let marker = "\n--kuzet-status:"
    let (exit, output) = try KuzetTestKit.run(
        "curl", ["-sS", "--max-time", "20", "-w", "\(marker)%{http_code}"] + arguments, timeout: 30)
    guard exit == 0, let range = output.range(of: marker, options: .backwards) else {
        throw TestKitError("curl \(arguments) failed (\(exit)): \(output)")
    }
    return (
        Int(output[range.upperBound...].trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0,
        String(output[..<range.lowerBound])
    )
}
