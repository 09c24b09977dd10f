import Foundation

/// A certificate authority made by a test with the real `openssl` CLI (EC P-256, valid 2 days),
/// issuing server certificates for 127.0.0.1/localhost and client certificates for mTLS.
public struct TestCertificateAuthority: Sendable {
    /// A PEM certificate and its unencrypted PEM key.
    public struct Identity: Sendable {
        public var certificate: String
        public var key: String
    }

    public let directory: String
    public let name: String
    public let certificate: String
    public let key: String

    /// Makes a new CA in `directory` (files named after `name`).
    public init(name: String = "kuzet-test-ca", in directory: String) throws {
        self.directory = directory
        self.name = name
        self.certificate = (directory as NSString).appendingPathComponent("\(name).pem")
        self.key = (directory as NSString).appendingPathComponent("\(name).key")
        try Self.openssl([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", key, "-out", certificate, "-days", "2", "-subj", "/CN=\(name)",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        ])
    }

    /// A server certificate for `hosts` (IP addresses or DNS names).
    public func issueServer(_ commonName: String = "server", hosts: [String] = ["127.0.0.1", "localhost"]) throws
        -> Identity
    {
        let names = hosts.map { $0.first?.isNumber == true || $0.contains(":") ? "IP:\($0)" : "DNS:\($0)" }.joined(
            separator: ",")
        return try issue(
            commonName, extensions: "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=\(names)\n")
    }

    /// A client certificate (for mutual TLS) with `commonName` as its subject.
    public func issueClient(_ commonName: String = "client") throws -> Identity {
        try issue(commonName, extensions: "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n")
    }

    private func issue(_ commonName: String, extensions: String) throws -> Identity {
        let base = (directory as NSString).appendingPathComponent("\(name)-\(commonName)")
        let identity = Identity(certificate: base + ".pem", key: base + ".key")
        try extensions.write(toFile: base + ".ext", atomically: true, encoding: .utf8)
        try Self.openssl([
            "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", identity.key, "-out", base + ".csr", "-subj", "/CN=\(commonName)",
        ])
        try Self.openssl([
            "x509", "-req", "-in", base + ".csr", "-CA", certificate, "-CAkey", key, "-CAcreateserial",
            "-out", identity.certificate, "-days", "2", "-extfile", base + ".ext",
        ])
        return identity
    }

    private static func openssl(_ arguments: [String]) throws {
        let (status, output) = try run("openssl", arguments, timeout: 30)
        guard status == 0 else {
            throw TestKitError("openssl \(arguments.first ?? "") failed (\(status)): \(output.prefix(500))")
        }
    }
}
