import Foundation

/// Builds SOAP 1.2 requests and reads answers (body content or fault).
enum SOAPEnvelope {
    static let soap12 = "http://www.w3.org/2003/05/soap-envelope"

    static func request(body: String, security: String? = nil) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>\
        <s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" \
        xmlns:tds="http://www.onvif.org/ver10/device/wsdl" xmlns:trt="http://www.onvif.org/ver10/media/wsdl" \
        xmlns:tr2="http://www.onvif.org/ver20/media/wsdl" xmlns:tt="http://www.onvif.org/ver10/schema">\
        <s:Header>\(security ?? "")</s:Header><s:Body>\(body)</s:Body></s:Envelope>
        """
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// A SOAP fault, 1.2 (`Code/Subcode/Value`, `Reason/Text`) or 1.1 (`faultcode`, `faultstring`).
    struct Fault: Sendable, Equatable {
        var codes: [String]
        var reason: String

        init?(envelope: XMLElementNode) {
            guard let fault = envelope.first("Fault") else { return nil }
            var codes: [String] = fault.all("Value").map(\.text)
            if let code = fault.text(at: "faultcode") { codes.append(code) }
            self.codes = codes
            self.reason =
                fault.first("Reason")?.first("Text")?.text ?? fault.text(at: "faultstring") ?? codes.last
                ?? "no reason given"
        }

        /// ONVIF's `ter:NotAuthorized` / WS-Security's `wsse:FailedAuthentication`.
        var isAuthentication: Bool {
            (codes + [reason]).contains { text in
                let lower = text.lowercased()
                return lower.contains("notauthorized") || lower.contains("failedauthentication")
                    || lower.contains("not authorized")
                    || lower.contains("invalidsecurity") || lower.contains("sender not authorized")
            }
        }
    }
}
