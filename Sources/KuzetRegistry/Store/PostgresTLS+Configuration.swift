import Foundation
import KuzetCore
import NIOSSL

extension PostgresTLS {
    /// The client's TLS configuration, with every file named read now: a missing or unreadable file
    /// is an error at start-up that names it, not a failed connection later.
    func configuration() throws(CommandFailure) -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if !verifiesHostname { configuration.certificateVerification = .noHostnameVerification }
        if let rootCertificateFile {
            let roots = try Self.certificates(rootCertificateFile, parameter: "sslrootcert")
            configuration.trustRoots = .certificates(roots)
        }
        if let clientCertificateFile, let clientKeyFile {
            let chain = try Self.certificates(clientCertificateFile, parameter: "sslcert")
            configuration.certificateChain = chain.map { .certificate($0) }
            guard FileManager.default.isReadableFile(atPath: clientKeyFile) else {
                throw .usage(
                    "--database: sslkey=\(clientKeyFile) cannot be read — give the path of the client certificate's PEM key"
                )
            }
            do {
                configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: clientKeyFile, format: .pem))
            } catch {
                throw .usage(
                    "--database: sslkey=\(clientKeyFile) is not an unencrypted PEM private key (\(error)) — give the client certificate's key"
                )
            }
        }
        return configuration
    }

    private static func certificates(_ path: String, parameter: String) throws(CommandFailure) -> [NIOSSLCertificate] {
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw .usage("--database: \(parameter)=\(path) cannot be read — give the path of a PEM certificate file")
        }
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMFile(path)
        } catch {
            throw .usage(
                "--database: \(parameter)=\(path) is not a PEM certificate file (\(error)) — give PEM certificates (-----BEGIN CERTIFICATE-----)"
            )
        }
        guard !certificates.isEmpty else {
            throw .usage(
                "--database: \(parameter)=\(path) holds no certificate — give PEM certificates (-----BEGIN CERTIFICATE-----)"
            )
        }
        return certificates
    }
}
