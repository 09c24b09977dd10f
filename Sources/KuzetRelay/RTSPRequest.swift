import Foundation

/// One RTSP request from a client (RFC 2326 §6), as framed by KuzetWire through ``RTSPMessageParser``.
public struct RTSPRequest: Sendable, Equatable {
    public var method: String
    public var uri: String
    public var version: String
    /// Header fields in the order received; names keep their case, lookups ignore it.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(
        method: String, uri: String, version: String = "RTSP/1.0", headers: [(name: String, value: String)] = [],
        body: [UInt8] = []
    ) {
        self.method = method
        self.uri = uri
        self.version = version
        self.headers = headers
        self.body = body
    }

    /// The first value of a header, whatever the case of its name.
    public subscript(header name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    public var cseq: String? { self[header: "CSeq"] }

    public static func == (lhs: RTSPRequest, rhs: RTSPRequest) -> Bool {
        lhs.method == rhs.method && lhs.uri == rhs.uri && lhs.version == rhs.version && lhs.body == rhs.body
            && lhs.headers.map(\.name) == rhs.headers.map(\.name)
            && lhs.headers.map(\.value) == rhs.headers.map(\.value)
    }
}
