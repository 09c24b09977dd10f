import Foundation
import KuzetDiscovery

/// Answers each SOAP POST with the next answer cut from the fuzz input; once they run out, the
/// device "closes the connection". Nothing leaves the process.
///
/// The input is answers separated by `\n--next--\n`; each answer is a status line (`401`; not a
/// number means 200), header lines (`Name: value`), an empty line, then the body. An answer
/// without an empty line is all body.
final class AnsweringTransport: HTTPTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var answers: ArraySlice<HTTPReply>

    init(_ input: [UInt8]) { answers = Self.answers(input)[...] }

    func post(url: String, headers: [(name: String, value: String)], body: [UInt8], limits: ExchangeLimits) async throws
        -> HTTPReply
    {
        let next = lock.withLock { answers.popFirst() }
        guard let next else { throw ExchangeError.closedEarly }
        return next
    }

    static let separator = Array("\n--next--\n".utf8)

    static func answers(_ input: [UInt8]) -> [HTTPReply] {
        var replies: [HTTPReply] = []
        var rest = input[...]
        while !rest.isEmpty {
            let end = range(of: separator, in: rest)
            replies.append(reply(rest[..<(end?.lowerBound ?? rest.endIndex)]))
            rest = end.map { rest[$0.upperBound...] } ?? []
        }
        return replies
    }

    private static func reply(_ bytes: ArraySlice<UInt8>) -> HTTPReply {
        let lineFeed = UInt8(ascii: "\n")
        guard let headEnd = range(of: [lineFeed, lineFeed], in: bytes) else {
            return HTTPReply(status: 200, headers: [], body: Array(bytes))
        }
        let lines = String(decoding: bytes[..<headEnd.lowerBound], as: UTF8.self).split(
            separator: "\n", omittingEmptySubsequences: false)
        let status = lines.first.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } ?? 200
        let headers = lines.dropFirst().compactMap { line -> (name: String, value: String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        return HTTPReply(status: status, headers: headers, body: Array(bytes[headEnd.upperBound...]))
    }

    private static func range(of needle: [UInt8], in haystack: ArraySlice<UInt8>) -> Range<Int>? {
        guard haystack.count >= needle.count else { return nil }
        var index = haystack.startIndex
        while index + needle.count <= haystack.endIndex {
            if haystack[index] == needle[0], haystack[index..<(index + needle.count)].elementsEqual(needle) {
                return index..<(index + needle.count)
            }
            index += 1
        }
        return nil
    }
}
