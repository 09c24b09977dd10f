/// Which certificates a client trusts and presents. Paths to PEM files.
public struct TLSConfiguration: Sendable, Equatable {
    /// The CA bundle the server's certificate must chain to; nil = the system's trust store.
    public var caFile: String?
    /// A client certificate for mutual TLS (with ``clientKey``).
    public var clientCertificate: String?
    public var clientKey: String?

    public init(caFile: String? = nil, clientCertificate: String? = nil, clientKey: String? = nil) {
        self.caFile = caFile
        self.clientCertificate = clientCertificate
        self.clientKey = clientKey
    }
}
