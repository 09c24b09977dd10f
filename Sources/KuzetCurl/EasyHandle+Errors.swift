internal import CCurl
import Foundation

extension EasyHandle {
    /// The choke point where a libcurl result code becomes an ``HTTPTransportError``.
    func error(for code: CURLcode, request: String, tls: TLSConfiguration) -> HTTPTransportError {
        let buffer = String(cString: errorBuffer)
        let detail = buffer.isEmpty ? String(cString: curl_easy_strerror(code)) : buffer
        let kind = Self.kind(of: code, detail: detail, state: state)
        var advice = Self.advice(for: kind, tls: tls, maxBody: state.maxBodyBytes)
        if kind == .connectionLost, request.contains(" https://"), !state.receivedResponse {
            // A server that refuses our client certificate under TLS 1.3 may close before its
            // alert is read: all the client sees is a dropped connection right after the handshake.
            advice =
                tls.clientCertificate == nil
                ? "the server closed the connection without answering; if it requires a client certificate (mTLS), configure one"
                : "the server closed the connection without answering; if it requires client certificates, check that \(tls.clientCertificate ?? "") is signed by a CA it accepts"
        }
        return HTTPTransportError(kind: kind, request: request, detail: detail, advice: advice)
    }

    static func kind(of code: CURLcode, detail: String, state: TransferState) -> HTTPTransportError.Kind {
        if state.cancellation.isCancelled && code == CURLE_ABORTED_BY_CALLBACK { return .cancelled }
        if state.exceededMaximum || code == CURLE_FILESIZE_EXCEEDED { return .responseTooLarge }
        let lowered = detail.lowercased()
        // Under TLS 1.3 a server that rejects our client certificate says so with an alert after
        // the handshake, which libcurl reports as a receive error.
        if lowered.contains("alert certificate required") || lowered.contains("alert unknown ca")
            || lowered.contains("alert bad certificate") || lowered.contains("alert handshake failure")
        {
            return .tlsRejectedByServer
        }
        switch code {
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL: return .invalidRequest
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: return .couldNotResolve
        case CURLE_COULDNT_CONNECT: return .couldNotConnect
        case CURLE_OPERATION_TIMEDOUT: return .timedOut
        case CURLE_PEER_FAILED_VERIFICATION: return .tlsCertificateNotTrusted
        case CURLE_SSL_CACERT_BADFILE: return .tlsCAFileUnusable
        case CURLE_SSL_CERTPROBLEM: return .tlsClientCertificateUnusable
        case CURLE_SSL_CONNECT_ERROR: return .tlsHandshakeFailed
        case CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE: return .connectionLost
        default: return .other
        }
    }

    static func advice(for kind: HTTPTransportError.Kind, tls: TLSConfiguration, maxBody: Int) -> String? {
        switch kind {
        case .tlsCertificateNotTrusted:
            if let caFile = tls.caFile {
                return
                    "check that the CA file \(caFile) holds the CA that signed the server's certificate, and that the URL's host name is in it"
            }
            return "the system trust store does not know the server's CA: configure its CA file"
        case .tlsCAFileUnusable:
            return "check that the CA file \(tls.caFile ?? "(system default)") exists, is readable and is PEM"
        case .tlsClientCertificateUnusable:
            return
                "check that the client certificate \(tls.clientCertificate ?? "(none)") and key \(tls.clientKey ?? "(none)") exist, are readable, are PEM and belong together"
        case .tlsRejectedByServer:
            if tls.clientCertificate == nil { return "the server requires a client certificate: configure one" }
            return
                "check that the client certificate \(tls.clientCertificate ?? "") is signed by a CA the server accepts"
        case .couldNotConnect: return "check that the server runs and the address and port are right"
        case .couldNotResolve: return "check the host name and DNS"
        case .timedOut: return "the server or the network did not answer in time"
        case .responseTooLarge: return "the response exceeded \(maxBody) bytes"
        case .invalidRequest, .tlsHandshakeFailed, .connectionLost, .cancelled, .other: return nil
        }
    }
}
