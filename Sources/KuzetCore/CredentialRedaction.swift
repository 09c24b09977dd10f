import Foundation

/// Keeps camera and relay passwords out of logs, errors, status pages and heartbeats.
public enum CredentialRedaction {
    /// `rtsp://admin:secret@host/x` → `rtsp://admin:***@host/x`: the password goes, the user name
    /// stays (it says which account to fix). Text that is not a URL with credentials is returned unchanged.
    public static func redact(_ text: String) -> String {
        // Works on any text that contains URLs (FFmpeg log lines too), not only on a bare URL.
        guard let regex = try? NSRegularExpression(pattern: #"([a-zA-Z][a-zA-Z0-9+.-]*://)([^:/@\s]*):([^@\s/]*)@"#)
        else { return text }
        let range = NSRange(text.startIndex..., in: text)
        return regex.stringByReplacingMatches(in: text, range: range, withTemplate: "$1$2:***@")
    }

    /// `rtsp://admin:secret@host/x` → `rtsp://host/x`: the whole `user[:password]@` goes, for text
    /// shown where even the user name does not belong (a discovered device's URL, a camera URL
    /// written into the configuration, where credentials have keys of their own).
    public static func strip(_ text: String) -> String {
        guard let regex = try? NSRegularExpression(pattern: #"([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s]*@"#) else {
            return text
        }
        return regex.stringByReplacingMatches(
            in: text, range: NSRange(text.startIndex..., in: text), withTemplate: "$1")
    }

    /// Puts percent-encoded credentials into a URL's authority (what libavformat expects).
    public static func inserting(username: String?, password: String?, into url: String) -> String {
        guard let username, !username.isEmpty, var components = URLComponents(string: url) else { return url }
        components.percentEncodedUser = percentEncode(username)
        components.percentEncodedPassword = password.map(percentEncode)
        return components.string ?? url
    }

    static func percentEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
