import NIOCore

/// What arrives on an RTSP connection: requests, and (with TCP interleaving) the client's own
/// RTCP receiver reports in `$`-framed binary blocks (RFC 2326 §10.12), which we read and drop.
public enum RTSPInbound: Sendable, Equatable {
    case request(RTSPRequest)
    case interleaved(channel: UInt8, length: Int)
}

public struct RTSPParseError: Error, Equatable, CustomStringConvertible {
    public var description: String
}

/// Splits the bytes of an RTSP connection into ``RTSPInbound`` messages. Pure: no I/O, so the
/// wire format is unit-tested byte for byte.
public enum RTSPMessageParser {
    /// Requests bigger than this (headers) are refused: no client needs more.
    public static let maximumHeaderBytes = 16 * 1024

    /// Takes one complete message off the front of `buffer`; nil (and `buffer` untouched) when
    /// more bytes are needed.
    public static func next(from buffer: inout ByteBuffer) throws(RTSPParseError) -> RTSPInbound? {
        guard let first = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) else { return nil }
        if first == UInt8(ascii: "$") {
            guard buffer.readableBytes >= 4, let channel = buffer.getInteger(at: buffer.readerIndex + 1, as: UInt8.self),
                let length = buffer.getInteger(at: buffer.readerIndex + 2, as: UInt16.self)
            else { return nil }
            guard buffer.readableBytes >= 4 + Int(length) else { return nil }
            buffer.moveReaderIndex(forwardBy: 4 + Int(length))
            return .interleaved(channel: channel, length: Int(length))
        }
        let view = buffer.readableBytesView
        guard let end = headerEnd(in: view) else {
            if view.count > maximumHeaderBytes { throw RTSPParseError(description: "request header longer than \(maximumHeaderBytes) bytes") }
            return nil
        }
        let headerText = String(decoding: view[view.startIndex..<end], as: UTF8.self)
        var request = try parseHead(headerText)
        let length = Int(request[header: "Content-Length"] ?? "0") ?? -1
        guard length >= 0 else { throw RTSPParseError(description: "bad Content-Length") }
        let headerLength = end - view.startIndex + 4
        guard buffer.readableBytes >= headerLength + length else { return nil }
        buffer.moveReaderIndex(forwardBy: headerLength)
        request.body = buffer.readBytes(length: length) ?? []
        return .request(request)
    }

    static func headerEnd(in view: ByteBufferView) -> Int? {
        var index = view.startIndex
        while index + 3 < view.endIndex {
            if view[index] == 13 && view[index + 1] == 10 && view[index + 2] == 13 && view[index + 3] == 10 { return index }
            index += 1
        }
        return nil
    }

    static func parseHead(_ text: String) throws(RTSPParseError) -> RTSPRequest {
        var lines = text.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
        let requestLine = lines.removeFirst().split(separator: " ", omittingEmptySubsequences: true)
        guard requestLine.count == 3, requestLine[2].hasPrefix("RTSP/") else {
            throw RTSPParseError(description: "not an RTSP request line")
        }
        var headers: [(name: String, value: String)] = []
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { throw RTSPParseError(description: "header without ':'") }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers.append((name, value))
        }
        return RTSPRequest(method: String(requestLine[0]), uri: String(requestLine[1]), version: String(requestLine[2]), headers: headers)
    }
}

import Foundation
