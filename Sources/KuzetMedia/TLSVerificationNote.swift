import Foundation

/// What FFmpeg's TLS layer said about a certificate it refused, kept for the thread that opened
/// the connection.
///
/// libavformat returns only `EIO` ("Input/output error") when a peer's certificate fails
/// verification; the reason goes to `av_log`, on the thread making the call. ``MediaLog`` notes
/// such lines here, and the opener takes the note right after its call failed, so the error can
/// say "certificate not trusted" instead of an I/O error.
enum TLSVerificationNote {
    private static let key = "kuzet.media.tls-certificate-complaint"

    /// Called from the log sink for an error line that mentions a certificate.
    static func record(_ line: String) {
        // av_log's prefix ("[tls @ 0x…] ") names a C context: not for the user.
        var text = Substring(line)
        if text.hasPrefix("["), let end = text.firstIndex(of: "]") { text = text[text.index(after: end)...] }
        Thread.current.threadDictionary[key] = text.trimmingCharacters(in: .whitespaces)
    }

    /// The complaint noted on this thread since the last call, if any (and forgets it).
    static func take() -> String? {
        let dictionary = Thread.current.threadDictionary
        defer { dictionary.removeObject(forKey: key) }
        return dictionary[key] as? String
    }
}
