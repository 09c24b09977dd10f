import Foundation
import KuzetCore

/// The `cameras:` block in the agent configuration's own format (shared/CONTRACT.md), ready to
/// paste or to append to a file.
public enum CameraYAML {
    /// The list items (`- id: …`) for `cameras`, indented by `indent` spaces.
    public static func items(_ cameras: [DiscoveredCamera], credentials: DeviceCredentials?, indent: Int = 2) -> String
    {
        let pad = String(repeating: " ", count: indent)
        var text = ""
        for camera in cameras {
            let what = [camera.manufacturer, camera.model].compactMap { $0 }.joined(separator: " ")
            let channel = camera.channel.map { ", input \($0)" } ?? ""
            text +=
                "\(pad)# \(what.isEmpty ? "device" : what) at \(camera.host)\(channel) (\(camera.method)); main \(camera.main?.summary ?? "?")"
            if let sub = camera.sub { text += ", sub \(sub.summary)" }
            text += "\n"
            text += "\(pad)- id: \(camera.id)\n"
            text += "\(pad)  url: \(quoted(CredentialRedaction.strip(camera.url)))\n"
            if let sub = camera.subURL { text += "\(pad)  sub_url: \(quoted(CredentialRedaction.strip(sub)))\n" }
            if let credentials {
                text += "\(pad)  username: \(quoted(credentials.username))\n"
                text += "\(pad)  password: \(quoted(credentials.password))\n"
            }
        }
        return text
    }

    /// A whole `cameras:` block.
    public static func block(_ cameras: [DiscoveredCamera], credentials: DeviceCredentials?) -> String {
        "cameras:\n" + items(cameras, credentials: credentials)
    }

    /// A YAML double-quoted scalar.
    static func quoted(_ text: String) -> String {
        var escaped = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            case "\t": escaped += "\\t"
            default:
                if scalar.value < 0x20 {
                    escaped += String(format: "\\x%02X", scalar.value)
                } else {
                    escaped.unicodeScalars.append(scalar)
                }
            }
        }
        return "\"\(escaped)\""
    }
}
