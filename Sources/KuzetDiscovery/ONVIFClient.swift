import Foundation
import KuzetCore
import Logging

/// Credentials for devices, never printed.
public struct DeviceCredentials: Sendable, Equatable {
    public var username: String
    public var password: String
    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }
}

/// Talks ONVIF to one device: clock, identity, services, profiles and stream URIs.
///
/// Order (ONVIF Core/Media specs): `GetSystemDateAndTime` unauthenticated first, to learn the
/// device's clock, then `GetDeviceInformation` to settle authentication — WS-Security
/// PasswordDigest with `Created` on the device's clock, then HTTP Digest; only when
/// ``allowPlaintextAuth`` is set, then PasswordText and HTTP Basic (the password in clear) —
/// then `GetServices` (or `GetCapabilities` on old devices), Media2 `GetProfiles`/`GetStreamUri`
/// where offered, else Media (ver10).
///
/// Credentials go only to the host and port of ``deviceURL``: service addresses the device
/// reports are rewritten onto it, and a stream URI naming another host is left out.
public struct ONVIFClient: Sendable {
    public var deviceURL: String
    public var credentials: DeviceCredentials?
    public var transport: any HTTPTransport
    public var limits: ExchangeLimits
    public var parser: SafeXMLParser
    /// Whether PasswordText and HTTP Basic may be tried (`--allow-plaintext-auth`).
    public var allowPlaintextAuth: Bool
    var logger = Logger(label: "kuzet.discovery")

    public init(
        deviceURL: String, credentials: DeviceCredentials?, transport: any HTTPTransport = CurlHTTPTransport(),
        limits: ExchangeLimits = .init(),
        parser: SafeXMLParser = .init(), allowPlaintextAuth: Bool = false
    ) {
        self.deviceURL = deviceURL
        self.credentials = credentials
        self.transport = transport
        self.limits = limits
        self.parser = parser
        self.allowPlaintextAuth = allowPlaintextAuth
    }

    /// What a session learnt so far.
    struct Session {
        var clockOffset: TimeInterval = 0
        var authentication: AuthenticationMethod?
        /// The address we reached the device at; answers naming another host get rewritten to it.
        var reachable: DeviceAddress
        var reportedHosts: Set<String> = []
        /// What was left out along the way (one line each, for the report).
        var problems: [String] = []
    }

    /// ``inspect()`` as a value, for task groups.
    func inspectResult() async -> Result<ONVIFDeviceReport, ONVIFError> {
        do throws(ONVIFError) {
            return .success(try await inspect())
        } catch {
            return .failure(error)
        }
    }

    public func inspect() async throws(ONVIFError) -> ONVIFDeviceReport {
        guard let reachable = DeviceAddress(deviceURL), reachable.scheme == "http" || reachable.scheme == "https" else {
            throw ONVIFError(
                device: deviceURL, operation: "probe", kind: .badAnswer("not an http(s):// device service URL"))
        }
        var session = Session(reachable: reachable)
        do {
            session.clockOffset = try await systemClockOffset(&session)
        } catch {
            // A fault or refusal here is common (some firmware wants auth even for the clock):
            // go on with our own clock. A broken or hostile answer ends the conversation.
            switch error.kind {
            case .exchange, .badAnswer: throw error
            case .notAuthorized, .plaintextOnly, .fault, .httpStatus: break
            }
        }
        let information = try await deviceInformation(&session)
        let services = try await mediaServices(&session)
        var profiles: [MediaProfile] = []
        var usedMedia2 = false
        if let media2 = services.media2 {
            do {
                profiles = try await media2Profiles(&session, at: media2)
                usedMedia2 = true
            } catch  where !error.isAuthentication {
                logger.debug(
                    "Media2 failed, falling back to Media",
                    metadata: ["device.url": "\(CredentialRedaction.strip(deviceURL))", "error": "\(error)"])
            }
        }
        if !usedMedia2 {
            guard let media = services.media else {
                throw ONVIFError(
                    device: deviceURL, operation: "GetServices", kind: .badAnswer("the device lists no media service"))
            }
            profiles = try await mediaProfiles(&session, at: media)
        }
        return ONVIFDeviceReport(
            deviceURL: reachable.plainURL, information: information, clockOffsetSeconds: session.clockOffset,
            authentication: session.authentication ?? .none, usedMedia2: usedMedia2, profiles: profiles,
            problems: session.problems)
    }

    // MARK: Device service

    func systemClockOffset(_ session: inout Session) async throws(ONVIFError) -> TimeInterval {
        let sentAt = Date()
        let body = try await call(
            &session, url: deviceURL, operation: "GetSystemDateAndTime", body: "<tds:GetSystemDateAndTime/>",
            authenticated: false)
        let receivedAt = Date()
        guard let dateTime = body.first("UTCDateTime") ?? body.first("LocalDateTime"),
            let year = dateTime.text(at: "Date", "Year").flatMap(Int.init),
            let month = dateTime.text(at: "Date", "Month").flatMap(Int.init),
            let day = dateTime.text(at: "Date", "Day").flatMap(Int.init),
            let hour = dateTime.text(at: "Time", "Hour").flatMap(Int.init),
            let minute = dateTime.text(at: "Time", "Minute").flatMap(Int.init),
            let second = dateTime.text(at: "Time", "Second").flatMap(Int.init)
        else { return 0 }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard
            let deviceNow = calendar.date(
                from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second))
        else {
            return 0
        }
        let midpoint = sentAt.addingTimeInterval(receivedAt.timeIntervalSince(sentAt) / 2)
        return deviceNow.timeIntervalSince(midpoint)
    }

    func deviceInformation(_ session: inout Session) async throws(ONVIFError) -> DeviceInformation {
        let body = try await call(
            &session, url: deviceURL, operation: "GetDeviceInformation", body: "<tds:GetDeviceInformation/>",
            authenticated: true)
        guard let response = body.first("GetDeviceInformationResponse") else {
            throw ONVIFError(
                device: deviceURL, operation: "GetDeviceInformation",
                kind: .badAnswer("no GetDeviceInformationResponse"))
        }
        return DeviceInformation(
            manufacturer: response.text(at: "Manufacturer"), model: response.text(at: "Model"),
            firmwareVersion: response.text(at: "FirmwareVersion"),
            serialNumber: response.text(at: "SerialNumber"), hardwareId: response.text(at: "HardwareId"))
    }

    struct MediaServices {
        var media: String?
        var media2: String?
    }

    static let mediaNamespace = "http://www.onvif.org/ver10/media/wsdl"
    static let media2Namespace = "http://www.onvif.org/ver20/media/wsdl"

    func mediaServices(_ session: inout Session) async throws(ONVIFError) -> MediaServices {
        var services = MediaServices()
        do {
            let body = try await call(
                &session, url: deviceURL, operation: "GetServices",
                body: "<tds:GetServices><tds:IncludeCapability>false</tds:IncludeCapability></tds:GetServices>",
                authenticated: true)
            for service in body.all("Service") {
                guard let namespace = service.text(at: "Namespace"), let address = service.text(at: "XAddr") else {
                    continue
                }
                if namespace == Self.mediaNamespace { services.media = fixed(address, &session) }
                if namespace == Self.media2Namespace { services.media2 = fixed(address, &session) }
            }
        } catch  where !error.isAuthentication {
            logger.debug("GetServices failed, trying GetCapabilities", metadata: ["error": "\(error)"])
        }
        if services.media == nil && services.media2 == nil {
            let body = try await call(
                &session, url: deviceURL, operation: "GetCapabilities",
                body: "<tds:GetCapabilities><tds:Category>All</tds:Category></tds:GetCapabilities>", authenticated: true
            )
            if let address = body.first("Media")?.text(at: "XAddr") { services.media = fixed(address, &session) }
        }
        return services
    }

    /// Rewrites an address the device reported about itself onto the host/port we reached it at
    /// (NAT, a second interface, or `0.0.0.0` in its configuration), keeping only its path: a
    /// request with our credentials never goes anywhere else. Nil when it is not a URL.
    func fixed(_ address: String, _ session: inout Session) -> String? {
        guard let reported = DeviceAddress(address), reported.scheme == "http" || reported.scheme == "https" else {
            return nil
        }
        if reported.host != session.reachable.host || reported.port != session.reachable.port {
            session.reportedHosts.insert(reported.host)
        }
        var rewritten = session.reachable
        rewritten.pathAndQuery = reported.pathAndQuery
        rewritten.user = nil
        rewritten.password = nil
        return rewritten.plainURL
    }

    /// A stream URI naming the device's own (unreachable) address or `0.0.0.0` gets our host; one
    /// naming any other host is left out (nil, with a problem line): the recorder would send the
    /// camera's credentials there.
    func fixedStream(_ uri: String, profile: String, _ session: inout Session) -> String? {
        guard let stream = DeviceAddress(uri), stream.scheme == "rtsp" || stream.scheme == "rtsps" else {
            session.problems.append(
                "\(CredentialRedaction.strip(deviceURL)): profile \(profile): stream URI \(CredentialRedaction.strip(uri)) is not an rtsp:// URL — left out"
            )
            return nil
        }
        if stream.host == session.reachable.host { return uri }
        let unspecified = stream.host == "0.0.0.0" || stream.host == "::"
        if unspecified || session.reportedHosts.contains(stream.host) {
            // Only the host changes; port, path and query stay exactly as the device wrote them.
            let newHost = session.reachable.host.contains(":") ? "[\(session.reachable.host)]" : session.reachable.host
            let oldHost = stream.host.contains(":") ? "[\(stream.host)]" : stream.host
            if let range = uri.range(of: "@\(oldHost)") ?? uri.range(of: "//\(oldHost)") {
                return uri.replacingCharacters(
                    in: range, with: String(uri[range].prefix(uri[range].hasPrefix("@") ? 1 : 2)) + newHost)
            }
        }
        session.problems.append(
            """
            \(CredentialRedaction.strip(deviceURL)): profile \(profile): stream URI names another host (\(stream.host)) — left out, \
            credentials go only to the device questioned; add that camera by its own address if it is one
            """)
        return nil
    }
}
