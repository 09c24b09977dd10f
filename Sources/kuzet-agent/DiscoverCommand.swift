import ArgumentParser
import Foundation
import KuzetAgent
import KuzetCore
import KuzetDiscovery

/// `kuzet-agent discover`: finds ONVIF devices and DVR/encoder channels (shared/CONTRACT.md).
struct DiscoverCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "discover", abstract: "Finds ONVIF cameras and DVR/encoder channels on the network.",
        discussion: """
            Sends WS-Discovery Probes by multicast on every interface (or --interface), and with --subnet also \
            unicast Probes, ONVIF HTTP tries (ports 80, 8080, 8000, 8899) and RTSP probing of vendor URL patterns \
            (Hikvision, Dahua, Uniview, XMEye, TVT) to each host. Every device found is asked for its profiles \
            and stream URIs. Passwords go only as digests (WS-Security PasswordDigest, HTTP/RTSP Digest) unless \
            --allow-plaintext-auth, and only to the address that answered. `--format yaml` prints a `cameras:` block to paste; --write-config adds the new \
            cameras to an existing configuration, keeping its comments and order.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, json, yaml }

    @Option(help: "Seconds to collect WS-Discovery answers.") var timeout: Double = 3
    @Option(help: "Only this network interface for multicast.") var interface: String?
    @Option(help: "Also scan this IPv4 block (e.g. 192.168.20.0/24); repeatable.") var subnet: [String] = []
    @Option(help: "Username for the devices.") var username: String?
    @Option(help: "Password for the devices (prefer --password-file).") var password: String?
    @Option(help: "Read the devices' password from this file.") var passwordFile: String?
    @Option(help: "table, json or yaml.") var format: Format = .table
    @Option(help: "Add the cameras found to this agent configuration.") var writeConfig: String?
    @Option(help: "ONVIF HTTP port to try on --subnet hosts; repeatable (default 80, 8080, 8000, 8899).") var onvifPort:
        [Int] = []
    @Option(help: "RTSP port to try on --subnet hosts; repeatable (default 554).") var rtspPort: [Int] = []
    @Flag(
        help:
            "Also send the password in plain text (WS-Security PasswordText, HTTP/RTSP Basic) to devices that accept nothing better."
    )
    var allowPlaintextAuth = false

    func run() async throws {
        guard timeout > 0, timeout <= 60 else {
            throw CommandFailure.usage("--timeout \(timeout): must be between 0 and 60 seconds — e.g. --timeout 3")
        }
        var subnets: [SubnetRange] = []
        var problems: [String] = []
        for port in onvifPort + rtspPort where !(1...65535).contains(port) {
            problems.append("--onvif-port/--rtsp-port \(port): is not a TCP port — give 1 to 65535")
        }
        for text in subnet {
            do { subnets.append(try SubnetRange(parsing: text)) } catch { problems.append(error.description) }
        }
        if !problems.isEmpty { throw CommandFailure(lines: problems, exitCode: 2) }
        let credentials = try CredentialOptions.resolve(
            username: username, password: password, passwordFile: passwordFile)

        let report: DiscoveryReport
        do {
            var scanner = SubnetScanner()
            if !onvifPort.isEmpty { scanner.onvifPorts = onvifPort }
            if !rtspPort.isEmpty { scanner.rtspPorts = rtspPort }
            let options = DiscoveryOptions(
                timeout: timeout, interface: interface, subnets: subnets, credentials: credentials, scanner: scanner,
                allowPlaintextAuth: allowPlaintextAuth)
            report = try await Discovery(options: options).run()
        } catch {
            throw CommandFailure(lines: [error.description], exitCode: error.location.hasPrefix("--") ? 2 : 1)
        }
        for problem in report.problems { FileHandle.standardError.write(Data("\(problem)\n".utf8)) }

        switch format {
        case .table: print(report.table, terminator: "")
        case .json: print(report.json)
        case .yaml:
            print(
                "# kuzet-agent discover: \(report.cameras.count) camera(s) — paste under your configuration or use --write-config"
            )
            print(
                report.cameras.isEmpty ? "cameras: []" : CameraYAML.block(report.cameras, credentials: credentials),
                terminator: "")
        }
        if let writeConfig {
            do {
                let outcome = try ConfigurationAppender.append(
                    report.cameras, credentials: credentials, toFile: writeConfig)
                FileHandle.standardError.write(
                    Data(
                        "\(writeConfig): added \(outcome.added.count) camera(s)\(outcome.added.isEmpty ? "" : " (\(outcome.added.joined(separator: ", ")))"), \(outcome.skipped.count) already configured\n"
                            .utf8))
            } catch {
                throw CommandFailure(lines: [error.description], exitCode: 1)
            }
        }
        if report.cameras.isEmpty {
            FileHandle.standardError.write(
                Data(
                    "discover: no cameras found — check --interface, give --subnet for other VLANs, and --username/--password\n"
                        .utf8))
        }
    }
}

/// `--username/--password/--password-file` → credentials.
enum CredentialOptions {
    static func resolve(username: String?, password: String?, passwordFile: String?) throws -> DeviceCredentials? {
        var secret = password
        if let passwordFile {
            guard let text = try? String(contentsOfFile: passwordFile, encoding: .utf8) else {
                throw CommandFailure.usage(
                    "--password-file \(passwordFile): cannot be read — check the path and permissions")
            }
            secret = text.trimmingCharacters(in: .newlines)
        }
        guard let username else {
            if secret != nil {
                throw CommandFailure.usage("--password: given without --username — add --username (often admin)")
            }
            return nil
        }
        return DeviceCredentials(username: username, password: secret ?? "")
    }
}
