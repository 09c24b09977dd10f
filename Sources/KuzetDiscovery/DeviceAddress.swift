import Foundation

/// The parts of an `http://`, `https://` or `rtsp://` URL that a connection needs.
public struct DeviceAddress: Sendable, Equatable {
    public var scheme: String
    public var host: String
    public var port: Int
    /// Path plus `?query`, at least `/`.
    public var pathAndQuery: String
    public var user: String?
    public var password: String?

    public init?(_ text: String) {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            var host = components.host, !host.isEmpty
        else { return nil }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.scheme = scheme
        self.host = host
        self.port = components.port ?? Self.defaultPort(scheme)
        var path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        if let query = components.percentEncodedQuery { path += "?" + query }
        self.pathAndQuery = path
        self.user = components.user
        self.password = components.password
    }

    static func defaultPort(_ scheme: String) -> Int {
        switch scheme {
        case "https": 443
        case "rtsp": 554
        default: 80
        }
    }

    /// `host[:port]` as a Host header wants it.
    public var hostHeader: String {
        let shown = host.contains(":") ? "[\(host)]" : host
        return port == Self.defaultPort(scheme) ? shown : "\(shown):\(port)"
    }

    /// The URL without credentials.
    public var plainURL: String { "\(scheme)://\(hostHeader)\(pathAndQuery)" }

    /// The same URL pointing at another host/port (devices behind NAT or with a wrong address
    /// in their own answers).
    public func replacingHost(_ newHost: String, port newPort: Int) -> DeviceAddress {
        var copy = self
        copy.host = newHost
        copy.port = newPort
        return copy
    }
}
