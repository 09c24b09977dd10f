internal import CFFmpeg
import Foundation

/// One opened segment file; the only owner of its `AVFormatContext` (closed in deinit).
/// Not Sendable: used by the one thread doing the export.
final class ClipInput {
    let context: UnsafeMutablePointer<AVFormatContext>

    init(path: String) throws(MediaError) {
        var context: UnsafeMutablePointer<AVFormatContext>?
        try MediaError.check(avformat_open_input(&context, path, nil, nil), "open \(path)")
        guard let opened = context else { throw MediaError(code: -22, operation: "open \(path)", reason: "no context") }
        let found = avformat_find_stream_info(opened, nil)
        if found < 0 {
            avformat_close_input(&context)
            try MediaError.check(found, "read the streams of \(path)")
        }
        self.context = opened
    }

    deinit {
        var doomed: UnsafeMutablePointer<AVFormatContext>? = context
        avformat_close_input(&doomed)
    }

    var streamCount: Int { Int(context.pointee.nb_streams) }

    func stream(_ index: Int) -> UnsafeMutablePointer<AVStream>? {
        guard index >= 0 && index < streamCount else { return nil }
        return context.pointee.streams[index]
    }
}
