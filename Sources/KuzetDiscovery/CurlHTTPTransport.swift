import Foundation
import KuzetCore
import KuzetCurl

/// ONVIF's HTTP over libcurl (``KuzetCurl/HTTPClient``: its own thread per transfer, never the
/// cooperative pool), with the discovery limits mapped onto libcurl's: the total timeout and the
/// response size cap. libcurl is never given credentials (no CURLOPT_HTTPAUTH, no redirects
/// followed): HTTP Digest — and HTTP Basic, only under `--allow-plaintext-auth` — is answered by
/// ``ONVIFClient`` itself, which sees every challenge, so a 401 comes back as an answer.
public struct CurlHTTPTransport: HTTPTransport {
    public init() {}

    public func post(url: String, headers: [(name: String, value: String)], body: [UInt8], limits: ExchangeLimits)
        async throws -> HTTPReply
    {
        let client = HTTPClient(configuration: .init(maxResponseBytes: limits.maxBytes, userAgent: "kuzet-agent"))
        let timeout = Duration.milliseconds(Int64(limits.timeout * 1000))
        let request = HTTPRequest(
            method: .post, url: url, headers: headers + [("Expect", "")], body: Data(body),
            timeouts: HTTPTimeouts(connect: timeout, total: timeout, lowSpeedBytesPerSecond: 1, lowSpeedTime: timeout))
        do {
            let response = try await client.perform(request)
            return HTTPReply(status: response.status, headers: response.headers, body: Array(response.body))
        } catch let error as HTTPTransportError {
            switch error.kind {
            case .timedOut: throw ExchangeError.timedOut(seconds: limits.timeout)
            case .responseTooLarge: throw ExchangeError.tooLarge(limit: limits.maxBytes)
            case .connectionLost: throw ExchangeError.closedEarly
            // A reply libcurl could not read as HTTP (garbage, a bad Content-Length, a broken chunk).
            case .other:
                throw ExchangeError.framing(
                    CredentialRedaction.strip(error.detail.isEmpty ? error.summary : error.detail))
            case .invalidRequest where error.detail.contains("HTTP/0.9"):
                throw ExchangeError.framing("no HTTP status line")
            default:
                throw ExchangeError.connect(
                    CredentialRedaction.strip(error.summary + (error.detail.isEmpty ? "" : " (\(error.detail))")))
            }
        }
    }
}
