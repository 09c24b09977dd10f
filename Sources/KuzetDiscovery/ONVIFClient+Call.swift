import Foundation
import KuzetCore
import KuzetWire
import Logging

extension ONVIFClient {
    /// The outcome of one attempt, before deciding whether another authentication method is worth a try.
    enum Attempt {
        case answer(XMLElementNode)
        case authenticationRefused
        /// Refused, and the device's challenge asks for HTTP Basic only (not allowed).
        case basicOnly
    }

    /// The methods tried in order until one is accepted: digests first; the plain-text ones only
    /// when allowed.
    var authenticationMethods: [AuthenticationMethod] {
        allowPlaintextAuth
            ? [.wsSecurityDigest, .httpDigest, .wsSecurityText, .httpBasic] : [.wsSecurityDigest, .httpDigest]
    }

    /// Sends one SOAP request and returns the parsed envelope, settling on an authentication
    /// method the first time credentials are needed and keeping it for the rest of the session.
    func call(_ session: inout Session, url: String, operation: String, body: String, authenticated: Bool)
        async throws(ONVIFError) -> XMLElementNode
    {
        // Every request goes to the address we reached the device at (reported service addresses
        // were rewritten onto it); this check keeps credentials from ever going anywhere else.
        guard let target = DeviceAddress(url), target.host == session.reachable.host,
            target.port == session.reachable.port,
            target.scheme == session.reachable.scheme
        else {
            throw ONVIFError(
                device: deviceURL, operation: operation,
                kind: .badAnswer(
                    "the service address \(CredentialRedaction.strip(url)) is not on the device questioned"))
        }
        guard authenticated, let credentials else {
            switch try await attempt(
                url: url, operation: operation, body: body, method: .none, credentials: nil,
                clockOffset: session.clockOffset)
            {
            case .answer(let envelope): return envelope
            case .authenticationRefused, .basicOnly:
                throw ONVIFError(
                    device: deviceURL, operation: operation, kind: .notAuthorized, plaintextAllowed: allowPlaintextAuth)
            }
        }
        let methods: [AuthenticationMethod] = session.authentication.map { [$0] } ?? authenticationMethods
        var basicOnly = false
        for method in methods {
            switch try await attempt(
                url: url, operation: operation, body: body, method: method, credentials: credentials,
                clockOffset: session.clockOffset)
            {
            case .answer(let envelope):
                if session.authentication == nil {
                    session.authentication = method
                    logger.debug(
                        "device accepted authentication",
                        metadata: [
                            "device.url": "\(CredentialRedaction.strip(deviceURL))",
                            "auth.method": "\(method.rawValue)",
                        ])
                }
                return envelope
            case .authenticationRefused:
                continue
            case .basicOnly:
                basicOnly = true
            }
        }
        if basicOnly && !allowPlaintextAuth {
            throw ONVIFError(device: deviceURL, operation: operation, kind: .plaintextOnly("HTTP Basic authentication"))
        }
        throw ONVIFError(
            device: deviceURL, operation: operation, kind: .notAuthorized, plaintextAllowed: allowPlaintextAuth)
    }

    func attempt(
        url: String, operation: String, body: String, method: AuthenticationMethod, credentials: DeviceCredentials?,
        clockOffset: TimeInterval
    ) async throws(ONVIFError) -> Attempt {
        var security: String?
        switch method {
        case .wsSecurityDigest:
            guard let credentials else { break }
            security = UsernameToken(username: credentials.username, password: credentials.password, kind: .digest)
                .securityHeader(created: Date().addingTimeInterval(clockOffset))
        case .wsSecurityText:
            guard let credentials, allowPlaintextAuth else { break }
            security = UsernameToken(username: credentials.username, password: credentials.password, kind: .text)
                .securityHeader(created: Date().addingTimeInterval(clockOffset))
        case .none, .httpDigest, .httpBasic:
            break
        }
        let payload = Array(SOAPEnvelope.request(body: body, security: security).utf8)
        var headers: [(name: String, value: String)] = [("Content-Type", "application/soap+xml; charset=utf-8")]
        var reply = try await post(url: url, operation: operation, headers: headers, payload: payload)
        if reply.status == 401, let credentials, method == .httpDigest || method == .httpBasic {
            let challenges = reply.headers.filter { $0.name.lowercased() == "www-authenticate" }.map(\.value)
            let offersBasic = BasicAuthorization.isOffered(challenges)
            let authorization: String?
            switch method {
            case .httpDigest:
                let uri = DeviceAddress(url)?.pathAndQuery ?? "/"
                authorization = DigestChallenge(headers: challenges).map {
                    $0.authorization(
                        method: "POST", uri: uri, username: credentials.username, password: credentials.password)
                }
                if authorization == nil && offersBasic { return .basicOnly }
            default:
                authorization =
                    allowPlaintextAuth && offersBasic
                    ? BasicAuthorization(username: credentials.username, password: credentials.password).header : nil
            }
            guard let authorization else { return .authenticationRefused }
            headers.append(("Authorization", authorization))
            reply = try await post(url: url, operation: operation, headers: headers, payload: payload)
        }
        if reply.status == 401 || reply.status == 403 { return .authenticationRefused }
        let envelope: XMLElementNode
        do {
            envelope = try parser.parse(reply.body)
        } catch {
            if !(200..<300).contains(reply.status) {
                throw ONVIFError(device: deviceURL, operation: operation, kind: .httpStatus(reply.status))
            }
            throw ONVIFError(device: deviceURL, operation: operation, kind: .badAnswer(error.description))
        }
        if let fault = SOAPEnvelope.Fault(envelope: envelope) {
            if fault.isAuthentication { return .authenticationRefused }
            throw ONVIFError(device: deviceURL, operation: operation, kind: .fault(fault.reason))
        }
        guard (200..<300).contains(reply.status) else {
            throw ONVIFError(device: deviceURL, operation: operation, kind: .httpStatus(reply.status))
        }
        guard envelope.name == "Envelope", envelope.child("Body") != nil else {
            throw ONVIFError(
                device: deviceURL, operation: operation,
                kind: .badAnswer("not a SOAP envelope (root element \(envelope.name))"))
        }
        return .answer(envelope)
    }

    private func post(url: String, operation: String, headers: [(name: String, value: String)], payload: [UInt8])
        async throws(ONVIFError) -> HTTPReply
    {
        do {
            return try await transport.post(url: url, headers: headers, body: payload, limits: limits)
        } catch let error as ExchangeError {
            throw ONVIFError(device: deviceURL, operation: operation, kind: .exchange(error))
        } catch {
            throw ONVIFError(
                device: deviceURL, operation: operation,
                kind: .exchange(.connect(CredentialRedaction.strip("\(error)"))))
        }
    }
}
