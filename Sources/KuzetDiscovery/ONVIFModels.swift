import Foundation
import KuzetCore

/// `GetDeviceInformation`: who made the device.
public struct DeviceInformation: Sendable, Equatable, Codable {
    public var manufacturer: String?
    public var model: String?
    public var firmwareVersion: String?
    public var serialNumber: String?
    public var hardwareId: String?

    public init(
        manufacturer: String? = nil, model: String? = nil, firmwareVersion: String? = nil, serialNumber: String? = nil,
        hardwareId: String? = nil
    ) {
        self.manufacturer = manufacturer
        self.model = model
        self.firmwareVersion = firmwareVersion
        self.serialNumber = serialNumber
        self.hardwareId = hardwareId
    }
}

/// One media profile of a device with the stream it serves.
public struct MediaProfile: Sendable, Equatable, Codable {
    public var token: String
    public var name: String?
    /// The video source (sensor or DVR input) the profile encodes; one camera per source.
    public var videoSourceToken: String?
    public var encoding: String?
    public var width: Int?
    public var height: Int?
    public var frameRate: Double?
    /// The RTSP URI from `GetStreamUri`, host fixed up when the device reported an unreachable one.
    public var streamURI: String?

    public init(
        token: String, name: String? = nil, videoSourceToken: String? = nil, encoding: String? = nil, width: Int? = nil,
        height: Int? = nil, frameRate: Double? = nil, streamURI: String? = nil
    ) {
        self.token = token
        self.name = name
        self.videoSourceToken = videoSourceToken
        self.encoding = encoding
        self.width = width
        self.height = height
        self.frameRate = frameRate
        self.streamURI = streamURI
    }

    var pixels: Int { (width ?? 0) * (height ?? 0) }
}

/// How the device accepted our credentials.
public enum AuthenticationMethod: String, Sendable, Codable {
    case none
    case wsSecurityDigest = "ws-security-digest"
    case wsSecurityText = "ws-security-text"
    case httpDigest = "http-digest"
    case httpBasic = "http-basic"

    /// Whether the password itself crosses the network (readable by anyone on the path over http://).
    public var sendsPlaintextPassword: Bool { self == .wsSecurityText || self == .httpBasic }
}

/// Everything learnt from one ONVIF device.
public struct ONVIFDeviceReport: Sendable, Equatable, Codable {
    public var deviceURL: String
    public var information: DeviceInformation
    /// The device's clock minus ours, in seconds (positive: the device is ahead).
    public var clockOffsetSeconds: Double
    public var authentication: AuthenticationMethod
    public var usedMedia2: Bool
    public var profiles: [MediaProfile]
    /// What was left out (e.g. a stream URI on another host), one line each.
    public var problems: [String]

    public init(
        deviceURL: String, information: DeviceInformation, clockOffsetSeconds: Double,
        authentication: AuthenticationMethod, usedMedia2: Bool, profiles: [MediaProfile],
        problems: [String] = []
    ) {
        self.deviceURL = deviceURL
        self.information = information
        self.clockOffsetSeconds = clockOffsetSeconds
        self.authentication = authentication
        self.usedMedia2 = usedMedia2
        self.profiles = profiles
        self.problems = problems
    }

    /// The profiles grouped per video source, each group best stream first (JPEG last): one
    /// camera per source, the first entry its main stream and the second its sub stream.
    public var streamsPerSource: [(source: String, profiles: [MediaProfile])] {
        var order: [String] = []
        var groups: [String: [MediaProfile]] = [:]
        for profile in profiles where profile.streamURI != nil {
            let key = profile.videoSourceToken ?? ""
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(profile)
        }
        return order.map { key in
            let sorted = groups[key]!.sorted { a, b in
                let aJPEG = a.encoding?.uppercased() == "JPEG"
                let bJPEG = b.encoding?.uppercased() == "JPEG"
                if aJPEG != bJPEG { return !aJPEG }
                return a.pixels > b.pixels
            }
            return (key, sorted)
        }
    }
}

/// Why talking ONVIF to a device failed: `where: what — what to do`.
public struct ONVIFError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case notAuthorized
        /// The device asks for the password in plain text (HTTP Basic) and that was not allowed.
        case plaintextOnly(String)
        case fault(String)
        case httpStatus(Int)
        case badAnswer(String)
        case exchange(ExchangeError)
    }

    public var device: String
    public var operation: String
    public var kind: Kind
    /// Whether plain-text methods were allowed (and so tried) before a refusal.
    public var plaintextAllowed: Bool

    public init(device: String, operation: String, kind: Kind, plaintextAllowed: Bool = false) {
        self.device = CredentialRedaction.strip(device)
        self.operation = operation
        self.kind = kind
        self.plaintextAllowed = plaintextAllowed
    }

    /// A refusal of our credentials (no point trying another operation or service).
    public var isAuthentication: Bool {
        switch kind {
        case .notAuthorized, .plaintextOnly: true
        default: false
        }
    }

    public var description: String {
        switch kind {
        case .notAuthorized where plaintextAllowed:
            "\(device): \(operation) was refused as not authorized (tried WS-Security digest with the camera's clock, HTTP Digest, plain text and HTTP Basic) — check --username/--password for this device"
        case .notAuthorized:
            "\(device): \(operation) was refused as not authorized (tried WS-Security digest with the camera's clock and HTTP Digest; plain-text passwords not sent) — check --username/--password for this device; if they are right, the device may take only a plain-text password: pass --allow-plaintext-auth"
        case .plaintextOnly(let method):
            "\(device): \(operation) asks for \(method), which sends the password in plain text — not sent; enable Digest authentication on the device, or pass --allow-plaintext-auth"
        case .fault(let reason):
            "\(device): \(operation) answered a SOAP fault (\(reason)) — the device may not support it; check its ONVIF settings"
        case .httpStatus(let status):
            "\(device): \(operation) answered HTTP \(status) — check that this is the device's ONVIF service URL (usually /onvif/device_service)"
        case .badAnswer(let reason):
            "\(device): \(operation) answer rejected: \(reason) — the device sent something that is not a usable ONVIF answer"
        case .exchange(let error):
            "\(device): \(operation) failed: \(error) — check the address, port and that ONVIF is enabled on the device"
        }
    }
}
