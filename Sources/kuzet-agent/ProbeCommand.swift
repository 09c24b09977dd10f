import ArgumentParser
import Foundation
import KuzetAgent
import KuzetCore
import KuzetDiscovery

/// `kuzet-agent probe URL`: the streams of one device (shared/CONTRACT.md).
struct ProbeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe", abstract: "Lists the streams of one device (ONVIF device-service URL or rtsp:// URL).")

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, json }

    @Argument(help: "http(s)://host/onvif/device_service or rtsp://host/path") var url: String
    @Option(help: "Username for the device.") var username: String?
    @Option(help: "Password for the device (prefer --password-file).") var password: String?
    @Option(help: "Read the device's password from this file.") var passwordFile: String?
    @Option(help: "table or json.") var format: Format = .table
    @Option(help: "Seconds to wait for each answer.") var timeout: Double = 5
    @Flag(
        help:
            "Also send the password in plain text (WS-Security PasswordText, HTTP/RTSP Basic) if the device accepts nothing better."
    )
    var allowPlaintextAuth = false

    struct Stream: Codable {
        var kind = "video"
        var profile: String?
        var source: String?
        var url: String?
        var codec: String?
        var width: Int?
        var height: Int?
        var fps: Double?
    }

    func run() async throws {
        guard timeout > 0, timeout <= 60 else {
            throw CommandFailure.usage("--timeout \(timeout): must be between 0 and 60 seconds — e.g. --timeout 5")
        }
        let credentials = try CredentialOptions.resolve(
            username: username, password: password, passwordFile: passwordFile)
        let shownURL = CredentialRedaction.strip(url)
        guard let address = DeviceAddress(url) else {
            throw CommandFailure.usage(
                "\(shownURL): is not a URL — give http://host/onvif/device_service or rtsp://host/path")
        }
        let limits = ExchangeLimits(timeout: timeout)
        var streams: [Stream] = []
        var device = ""
        switch address.scheme {
        case "http", "https":
            do {
                let report = try await ONVIFClient(
                    deviceURL: url, credentials: credentials, limits: limits, allowPlaintextAuth: allowPlaintextAuth
                ).inspect()
                device = [report.information.manufacturer, report.information.model].compactMap { $0 }.joined(
                    separator: " ")
                for problem in report.problems { FileHandle.standardError.write(Data("\(problem)\n".utf8)) }
                streams = report.profiles.map {
                    Stream(
                        profile: $0.token, source: $0.videoSourceToken, url: $0.streamURI, codec: $0.encoding,
                        width: $0.width, height: $0.height, fps: $0.frameRate)
                }
            } catch {
                throw CommandFailure.runtime(error.description)
            }
        case "rtsp":
            do {
                let description = try await RTSPClient(
                    credentials: credentials, limits: ExchangeLimits(timeout: timeout, maxBytes: 256 * 1024),
                    allowPlaintextAuth: allowPlaintextAuth
                ).describe(url)
                guard description.status == 200, let session = description.session else {
                    let hint =
                        description.status == 401
                        ? "check --username/--password" : "check the path (see the vendor's RTSP URL format)"
                    throw CommandFailure.runtime("\(shownURL): RTSP DESCRIBE answered \(description.status) — \(hint)")
                }
                streams = session.media.map {
                    Stream(
                        kind: $0.kind, url: CredentialRedaction.strip(url), codec: $0.codec, width: $0.width,
                        height: $0.height, fps: $0.frameRate)
                }
            } catch let failure as CommandFailure {
                throw failure
            } catch let error as DiscoveryError {
                throw CommandFailure.runtime(error.description)
            } catch {
                throw CommandFailure.runtime("\(shownURL): \(error) — check the address and that RTSP is enabled")
            }
        default:
            throw CommandFailure.usage(
                "\(shownURL): scheme \(address.scheme) is not supported — give an http(s):// ONVIF URL or an rtsp:// URL"
            )
        }

        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(streams), as: UTF8.self))
        case .table:
            if !device.isEmpty { print(device) }
            for stream in streams {
                let size = stream.width.flatMap { w in stream.height.map { "\(w)x\($0)" } } ?? "?"
                let fps = stream.fps.map { "\($0.rounded() == $0 ? String(Int($0)) : String($0))fps" } ?? "?fps"
                print(
                    [
                        stream.profile ?? stream.kind, stream.codec ?? "?", size, fps,
                        stream.url.map(CredentialRedaction.strip) ?? "-",
                    ].joined(separator: "  "))
            }
        }
    }
}
