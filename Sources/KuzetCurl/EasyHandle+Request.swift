internal import CCurlShims
import Foundation

extension EasyHandle {
    /// Sets every option a request needs. Nothing here blocks.
    func configure(for request: HTTPRequest, configuration: HTTPClient.Configuration) throws(HTTPTransportError) {
        try set(.url, request.url)
        // Only HTTP(S): a redirect or a typo must never make us speak file://, ftp://, …
        try set(.allowedProtocols, "http,https")
        try set(.noSignal, true)
        try set(.noProgress, false) // the progress callback is how cancellation reaches libcurl
        try set(.userAgent, configuration.userAgent)

        let timeouts = request.timeouts ?? configuration.timeouts
        try set(.connectTimeoutMilliseconds, max(1, timeouts.connect.milliseconds))
        try set(.timeoutMilliseconds, max(1, timeouts.total.milliseconds))
        try set(.lowSpeedLimit, timeouts.lowSpeedBytesPerSecond)
        try set(.lowSpeedTime, max(1, Int(timeouts.lowSpeedTime.components.seconds)))
        try set(.maxFileSize, configuration.maxResponseBytes)
        if let rate = request.maxSendBytesPerSecond { try set(.maxSendSpeed, max(1, rate)) }
        state.uploadProgress = request.uploadProgress

        if configuration.followRedirects {
            try set(.followLocation, true)
            try set(.maxRedirects, 5)
        }

        try configureTLS(configuration.tls)
        try configureMethod(request)

        if let authentication = request.authentication {
            let mask: Int
            switch authentication.scheme {
            case .basic: mask = CCurlShims_authBasic()
            case .digest: mask = CCurlShims_authDigest()
            case .anySafe: mask = CCurlShims_authAnySafe()
            }
            try set(.httpAuth, mask)
            try set(.username, authentication.username)
            try set(.password, authentication.password)
        }

        var lines = request.headers.map { "\($0.name): \($0.value)" }
        // libcurl 7.x asks for `Expect: 100-continue` on larger POSTs and waits for an answer many
        // small servers never send; an empty `Expect:` turns that off unless the caller set it.
        if !request.headers.contains(where: { $0.name.caseInsensitiveCompare("Expect") == .orderedSame }) {
            lines.append("Expect:")
        }
        try setHeaders(lines)
    }

    private func configureTLS(_ tls: TLSConfiguration) throws(HTTPTransportError) {
        if let caFile = tls.caFile {
            // Trust exactly this file: no system CA directory next to it.
            try set(.caFile, caFile)
            try set(.caPath, nil)
        }
        if let certificate = tls.clientCertificate {
            try set(.clientCertificate, certificate)
            try set(.clientCertificateType, "PEM")
        }
        if let key = tls.clientKey { try set(.clientKey, key) }
    }

    private func configureMethod(_ request: HTTPRequest) throws(HTTPTransportError) {
        switch request.method {
        case .get where request.body == nil:
            try set(.httpGet, true)
        case .head:
            try set(.noBody, true)
        case .post:
            try set(.post, true)
            try setBody(request.body ?? Data())
        default:
            try set(.customRequest, request.method.description)
            if let body = request.body { try setBody(body) }
        }
    }
}
