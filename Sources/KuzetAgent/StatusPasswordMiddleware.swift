import Foundation
import Hummingbird

/// HTTP Basic authentication with `status.password` (any user name): enough for a page on the
/// school's LAN, and what every browser can do without a script.
struct StatusPasswordMiddleware<Context: RequestContext>: RouterMiddleware {
    let password: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("basic "),
            let decoded = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
            let text = String(data: decoded, encoding: .utf8), let colon = text.firstIndex(of: ":"),
            Self.constantTimeEqual(String(text[text.index(after: colon)...]), password)
        else {
            return Response(
                status: .unauthorized,
                headers: [
                    .wwwAuthenticate: #"Basic realm="kuzet-agent", charset="UTF-8""#, .contentType: "text/plain",
                ],
                body: ResponseBody(byteBuffer: ByteBuffer(string: "status.password required\n")))
        }
        return try await next(request, context)
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
