import Foundation
import KuzetCore

/// Makes camera ids: from the device's name (WS-Discovery scope) or model, with `-chN` for the
/// inputs of a multi-channel device; always valid per ``CameraID`` and unique among `taken`.
enum CameraNaming {
    static func id(base: String, channel: Int?, channels: Int, taken: inout Set<String>) -> String {
        var stem = CameraID.suggestion(for: base)
        if channels > 1, let channel { stem = String(stem.prefix(58)) + "-ch\(channel)" }
        var candidate = stem
        var counter = 2
        while taken.contains(candidate) || !CameraID.isValid(candidate) {
            candidate = String(stem.prefix(58)) + "-\(counter)"
            counter += 1
        }
        taken.insert(candidate)
        return candidate
    }
}
