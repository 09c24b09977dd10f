import Foundation

/// What libcurl's callbacks write into during one transfer: the body (bounded), the headers of
/// the latest response, and whether to stop. Only touched on the transfer's thread.
final class TransferState {
    let maxBodyBytes: Int
    let cancellation: CancellationFlag
    /// ``HTTPRequest/uploadProgress``: body bytes sent so far.
    var uploadProgress: (@Sendable (Int) -> Void)?
    var body = Data()
    var headers: [(name: String, value: String)] = []
    /// Set when the body would have grown past ``maxBodyBytes`` (the write callback then stops curl).
    var exceededMaximum = false
    /// Whether any response (a status line) arrived at all.
    var receivedResponse = false

    init(maxBodyBytes: Int, cancellation: CancellationFlag) {
        self.maxBodyBytes = maxBodyBytes
        self.cancellation = cancellation
    }

    /// Appends body bytes; false (stop the transfer) when the limit would be passed.
    func receive(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard body.count + bytes.count <= maxBodyBytes else {
            exceededMaximum = true
            return false
        }
        body.append(contentsOf: bytes)
        return true
    }

    /// One header line as libcurl delivers it (status line, `Name: value`, or the blank line).
    /// A new status line starts a new response (after a 401 challenge or a 100 Continue).
    func receiveHeaderLine(_ line: String) {
        let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("HTTP/") {
            receivedResponse = true
            headers = []
            body = Data()
        } else if let colon = trimmed.firstIndex(of: ":") {
            let name = trimmed[..<colon].trimmingCharacters(in: .whitespaces)
            let value = trimmed[trimmed.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers.append((name, value))
        }
    }
}
