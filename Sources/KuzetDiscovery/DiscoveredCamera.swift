import Foundation

/// What one stream is: codec, picture size, frame rate (any may be unknown).
public struct StreamInfo: Sendable, Equatable, Codable {
    public var codec: String?
    public var width: Int?
    public var height: Int?
    public var frameRate: Double?

    public init(codec: String? = nil, width: Int? = nil, height: Int? = nil, frameRate: Double? = nil) {
        self.codec = codec
        self.width = width
        self.height = height
        self.frameRate = frameRate
    }

    /// `H264 1920x1080 25fps`
    public var summary: String {
        var parts: [String] = []
        if let codec { parts.append(codec.uppercased()) }
        if let width, let height { parts.append("\(width)x\(height)") }
        if let frameRate { parts.append(frameRate.rounded() == frameRate ? "\(Int(frameRate))fps" : "\(frameRate)fps") }
        return parts.isEmpty ? "?" : parts.joined(separator: " ")
    }
}

/// One camera ready for the configuration: a sensor of an IP camera or one input of a DVR/NVR,
/// with its main and (when there is one) sub stream.
public struct DiscoveredCamera: Sendable, Equatable, Codable {
    /// A valid ``KuzetCore/CameraID``, unique in the report.
    public var id: String
    public var name: String?
    public var host: String
    public var manufacturer: String?
    public var model: String?
    /// `onvif` or `rtsp-probe`.
    public var method: String
    /// 1-based input number on a multi-channel device.
    public var channel: Int?
    public var url: String
    public var subURL: String?
    public var main: StreamInfo?
    public var sub: StreamInfo?
    /// True when the URL's path carries the password (XMEye-type devices); shown redacted.
    public var urlEmbedsCredentials: Bool

    public init(
        id: String, name: String? = nil, host: String, manufacturer: String? = nil, model: String? = nil,
        method: String, channel: Int? = nil, url: String, subURL: String? = nil, main: StreamInfo? = nil,
        sub: StreamInfo? = nil, urlEmbedsCredentials: Bool = false
    ) {
        self.id = id
        self.name = name
        self.host = host
        self.manufacturer = manufacturer
        self.model = model
        self.method = method
        self.channel = channel
        self.url = url
        self.subURL = subURL
        self.main = main
        self.sub = sub
        self.urlEmbedsCredentials = urlEmbedsCredentials
    }

    enum CodingKeys: String, CodingKey {
        case id, name, host, manufacturer, model, method, channel, url
        case subURL = "sub_url"
        case main, sub
        case urlEmbedsCredentials = "url_embeds_credentials"
    }
}

/// The result of `discover`: cameras, and what went wrong along the way (one line each).
public struct DiscoveryReport: Sendable, Equatable, Codable {
    public var cameras: [DiscoveredCamera]
    /// Devices that answered WS-Discovery (also those whose ONVIF then failed).
    public var devices: [DiscoveredDevice]
    public var problems: [String]

    public init(cameras: [DiscoveredCamera] = [], devices: [DiscoveredDevice] = [], problems: [String] = []) {
        self.cameras = cameras
        self.devices = devices
        self.problems = problems
    }
}
