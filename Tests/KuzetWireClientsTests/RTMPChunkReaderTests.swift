import Testing

@testable import KuzetWireClients

/// How the publisher reads an RTMP server's chunk stream: messages come out whole however the
/// bytes are cut, each header takes what it leaves out from the one before, and a server past a
/// bound or breaking the protocol gets a refusal that says what it did.
@Suite struct RTMPChunkReaderTests {
    static let operation = "read rtmp://127.0.0.1/live/cam"

    static func number(_ value: UInt32, _ count: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        RTMPPublisher.appendBigEndian(value, bytes: count, to: &bytes)
        return bytes
    }

    /// A type-0 header on chunk stream `stream` (one byte basic header).
    static func type0(stream: UInt8 = 3, timestamp: UInt32 = 0, length: Int, type: UInt8, streamID: UInt32 = 0)
        -> [UInt8]
    {
        [stream] + number(min(timestamp, 0xFF_FFFF), 3) + number(UInt32(length), 3) + [type]
            + number(streamID.byteSwapped, 4) + (timestamp >= 0xFF_FFFF ? number(timestamp, 4) : [])
    }

    /// A whole message as a server sends it: a type-0 chunk, then type-3 chunks of `chunkSize`.
    static func message(
        stream: UInt8 = 3, type: UInt8 = 20, timestamp: UInt32 = 0, streamID: UInt32 = 0, _ payload: [UInt8],
        chunkSize: Int = 128
    ) -> [UInt8] {
        var bytes = type0(stream: stream, timestamp: timestamp, length: payload.count, type: type, streamID: streamID)
        var offset = 0
        while offset < payload.count {
            if offset > 0 {
                bytes.append(0xC0 | stream)
                if timestamp >= 0xFF_FFFF { bytes += number(timestamp, 4) }
            }
            let end = min(offset + chunkSize, payload.count)
            bytes += payload[offset..<end]
            offset = end
        }
        return bytes
    }

    static let onStatus: [AMF0] = [
        "onStatus", .number(0), .null,
        .object([
            ("level", "status"), ("code", "NetStream.Publish.Start"),
            ("description", .string(String(repeating: "x", count: 300))),
        ]),
    ]

    /// All messages `bytes` give, fed in pieces of `piece` bytes.
    static func messages(_ bytes: [UInt8], piece: Int = .max, reader: inout RTMPChunkReader) throws -> [RTMPMessage] {
        var found: [RTMPMessage] = []
        var offset = 0
        while offset < bytes.count {
            let end = offset + min(piece, bytes.count - offset)
            try reader.append(bytes[offset..<end])
            offset = end
            while let message = try reader.nextMessage() { found.append(message) }
        }
        return found
    }

    static func messages(_ bytes: [UInt8], piece: Int = .max) throws -> [RTMPMessage] {
        var reader = RTMPChunkReader(operation: operation)
        return try messages(bytes, piece: piece, reader: &reader)
    }

    /// The refusal `bytes` get (nil when none).
    static func refusal(_ bytes: [UInt8]) -> WireClientError? {
        do {
            _ = try messages(bytes)
            return nil
        } catch let error as WireClientError {
            return error
        } catch {
            Issue.record("not a WireClientError: \(error)")
            return nil
        }
    }

    // MARK: - Messages

    @Test(arguments: [1, 7, 128, 129, 4096])
    func aMessageCutIntoChunksAndReadsComesOutWhole(piece: Int) throws {
        let payload = AMF0.encode(Self.onStatus)
        #expect(payload.count > 3 * 128)
        let found = try Self.messages(Self.message(streamID: 1, payload), piece: piece)
        try #require(found.count == 1)
        #expect(found[0].payload == payload)
        #expect(found[0].meaning == .command(Self.onStatus))
        #expect(found[0].streamID == 1)
        #expect(found[0].chunkStream == 3)
    }

    @Test func nothingComesOutUntilTheLastByteOfAMessage() throws {
        let bytes = Self.message(AMF0.encode(Self.onStatus))
        var reader = RTMPChunkReader(operation: Self.operation)
        for byte in bytes.dropLast() {
            try reader.append([byte])
            #expect(try reader.nextMessage() == nil)
        }
        try reader.append([bytes.last!])
        #expect(try reader.nextMessage()?.meaning == .command(Self.onStatus))
        #expect(reader.cutOff == nil)
    }

    @Test func typeOneTwoAndThreeHeadersTakeWhatTheyLeaveOutFromTheHeaderBefore() throws {
        let bytes =
            Self.type0(stream: 5, timestamp: 1000, length: 2, type: 9, streamID: 7) + [1, 2]
            // Type 1: a timestamp delta, a new length and type; the stream id stays.
            + [0x45] + Self.number(10, 3) + Self.number(3, 3) + [8] + [3, 4, 5]
            // Type 2: only a delta; length 3 and type 8 stay.
            + [0x85] + Self.number(5, 3) + [6, 7, 8]
            // Type 3 starting a message: everything stays, the last delta is added again.
            + [0xC5, 9, 10, 11]
        let found = try Self.messages(bytes)
        #expect(found.map(\.timestamp) == [1000, 1010, 1015, 1020])
        #expect(found.map(\.type) == [9, 8, 8, 8])
        #expect(found.map(\.payload) == [[1, 2], [3, 4, 5], [6, 7, 8], [9, 10, 11]])
        #expect(found.map(\.streamID) == [7, 7, 7, 7])
        #expect(found.allSatisfy { $0.chunkStream == 5 && $0.meaning == .other })
    }

    @Test func aTypeThreeChunkAfterATypeZeroAddsItsTimestampAgain() throws {
        let found = try Self.messages(Self.type0(timestamp: 40, length: 1, type: 9) + [1] + [0xC3, 2])
        #expect(found.map(\.timestamp) == [40, 80])
    }

    @Test(arguments: [2, 64, 319, 320, 65_599])
    func twoAndThreeByteBasicHeadersNameTheirChunkStream(id: Int) throws {
        let basic: [UInt8] =
            switch id {
            case ..<64: [UInt8(id)]
            case ..<320: [0, UInt8(id - 64)]
            default: [1, UInt8((id - 64) & 0xFF), UInt8((id - 64) >> 8)]
            }
        let header = Self.type0(length: 1, type: 9).dropFirst()
        let found = try Self.messages(basic + header + [42] + [0xC0 | basic[0]] + basic.dropFirst() + [43])
        #expect(found.map(\.chunkStream) == [UInt32(id), UInt32(id)])
        #expect(found.map(\.payload) == [[42], [43]])
    }

    @Test func anExtendedTimestampIsReadAfterTheHeaderAndOnEveryContinuation() throws {
        let payload = [UInt8](repeating: 0x5A, count: 300)
        let bytes = Self.message(type: 9, timestamp: 0x0102_0304, payload)
        #expect(bytes[1...3] == [0xFF, 0xFF, 0xFF])
        let found = try Self.messages(bytes, piece: 5)
        try #require(found.count == 1)
        #expect(found[0].timestamp == 0x0102_0304)
        #expect(found[0].payload == payload)
    }

    @Test func setChunkSizeChangesHowTheFollowingChunksAreCut() throws {
        var reader = RTMPChunkReader(operation: Self.operation)
        let payload = [UInt8](repeating: 7, count: 5000)
        let bytes =
            Self.message(stream: 2, type: 1, Self.number(4096, 4)) + Self.message(type: 9, payload, chunkSize: 4096)
        let found = try Self.messages(bytes, piece: 1000, reader: &reader)
        // Set Chunk Size is acted on, not returned.
        #expect(found.map(\.payload) == [payload])
        #expect(reader.chunkSize == 4096)
    }

    @Test func abortDropsWhatArrivedOfAMessage() throws {
        let bytes =
            Self.type0(length: 200, type: 20) + [UInt8](repeating: 1, count: 128)
            + Self.message(stream: 2, type: 2, Self.number(3, 4))
            + Self.message(AMF0.encode(["_result", .number(1)]))
        let found = try Self.messages(bytes)
        #expect(found.map(\.meaning) == [.command(["_result", .number(1)])])
    }

    @Test func controlMessagesSayWhatTheServerAsks() throws {
        let bytes =
            Self.message(stream: 2, type: 5, Self.number(2_500_000, 4))
            + Self.message(stream: 2, type: 6, Self.number(2_500_000, 4) + [2])
            + Self.message(stream: 2, type: 3, Self.number(1_234, 4))
            + Self.message(stream: 2, type: 4, [0, 0] + Self.number(1, 4))
            + Self.message(stream: 2, type: 4, [0, 6] + Self.number(0xDEAD_BEEF, 4))
            + Self.message(type: 17, [0] + AMF0.encode(["onStatus", .number(0)]))
        let found = try Self.messages(bytes)
        #expect(
            found.map(\.meaning) == [
                .windowAcknowledgementSize(2_500_000), .peerBandwidth(2_500_000, limitType: 2),
                .acknowledgement(bytesReceived: 1_234), .userControl(event: 0), .pingRequest(timestamp: 0xDEAD_BEEF),
                .command(["onStatus", .number(0)]),
            ])
    }

    // MARK: - Hostile servers

    @Test func moreChunkStreamsThanTheLimitAreRefused() throws {
        // Each chunk stream starts a 200-byte message, so each is held.
        let bytes = (0..<RTMPChunkReader.maximumChunkStreams + 1).flatMap { index -> [UInt8] in
            Self.type0(stream: UInt8(3 + index), length: 200, type: 20) + [UInt8](repeating: 0x41, count: 128)
        }
        let error = try #require(Self.refusal(bytes))
        #expect(error.kind == .brokenProtocol)
        #expect(error.reason.contains("more than 16 chunk streams"), "\(error)")
        #expect(error.operation == Self.operation)
        // The limit itself is fine.
        #expect(Self.refusal(Array(bytes.prefix(16 * (12 + 128)))) == nil)
    }

    @Test(arguments: [RTMPChunkReader.maximumMessageBytes + 1, 0xFF_FFFF])
    func aMessageLongerThanTheLimitIsRefusedFromItsHeader(length: Int) throws {
        // The header alone: refused before a byte of the body is held.
        let error = try #require(Self.refusal(Self.type0(length: length, type: 20)))
        #expect(error.kind == .brokenProtocol)
        #expect(error.reason.contains("a message of \(length) bytes (at most 65536)"), "\(error)")
    }

    @Test func aMessageShortenedMidwayIsRefused() throws {
        let bytes =
            Self.type0(length: 200, type: 20) + [UInt8](repeating: 0x41, count: 128)
            + [0x43] + Self.number(0, 3) + Self.number(10, 3) + [20]
        let error = try #require(Self.refusal(bytes))
        #expect(error.reason.contains("shortened to 10 bytes after 128 arrived"), "\(error)")
    }

    @Test(arguments: [UInt32(0), 0x8000_0000, 0xFFFF_FFFF])
    func aChunkSizeOutsideOneToTwoToThe31IsRefused(size: UInt32) throws {
        let error = try #require(Self.refusal(Self.message(stream: 2, type: 1, Self.number(size, 4))))
        #expect(error.kind == .brokenProtocol)
        #expect(error.reason.contains("a chunk size of \(size) (1 to 2147483647)"), "\(error)")
    }

    @Test func theLargestChunkSizeIsAccepted() throws {
        var reader = RTMPChunkReader(operation: Self.operation)
        _ = try Self.messages(Self.message(stream: 2, type: 1, Self.number(0x7FFF_FFFF, 4)), reader: &reader)
        #expect(reader.chunkSize == 0x7FFF_FFFF)
        let payload = [UInt8](repeating: 3, count: RTMPChunkReader.maximumMessageBytes)
        let found = try Self.messages(Self.message(type: 9, payload, chunkSize: .max), reader: &reader)
        #expect(found.map(\.payload) == [payload])
    }

    @Test(arguments: [UInt8(2), 3])
    func aContinuationOnAChunkStreamWithNoHeaderIsRefused(format: UInt8) throws {
        // Type 2 (timestamp delta only) or 3 (nothing) on chunk stream 9, which never had a type 0 or 1.
        let bytes = Self.message([1, 2, 3]) + [format << 6 | 9] + (format == 2 ? Self.number(0, 3) : [])
        let error = try #require(Self.refusal(bytes))
        #expect(error.kind == .brokenProtocol)
        #expect(
            error.reason.contains("a type-\(format) chunk on chunk stream 9, which had no message header"),
            "\(error)")
    }

    @Test(arguments: [
        (UInt8(1), [UInt8](repeating: 0, count: 3), "a Set Chunk Size message of 3 bytes (4 expected)"),
        (2, [0, 0], "an Abort message of 2 bytes (4 expected)"),
        (3, [0, 0, 0], "an Acknowledgement message of 3 bytes"), (4, [0], "a User Control message of 1 bytes"),
        (4, [0, 6, 0, 0], "a ping request message of 4 bytes (at least 6 expected)"),
        (5, [], "a Window Acknowledgement Size message of 0 bytes"),
        (6, [0, 0, 0, 1], "a Set Peer Bandwidth message of 4 bytes (at least 5 expected)"),
    ])
    func aControlMessageShorterThanItsFieldsIsRefused(type: UInt8, payload: [UInt8], reason: String) throws {
        let error = try #require(Self.refusal(Self.message(stream: 2, type: type, payload)))
        #expect(error.kind == .brokenProtocol)
        #expect(error.reason.contains(reason), "\(error)")
    }

    @Test func aTruncatedChunkIsHeldUntilItsRestArrivesAndNamedWhenTheConnectionEnds() throws {
        // A three-byte basic header (chunk stream 64 + 0x0110), an extended timestamp.
        let bytes =
            [1, 0x10, 0x01] + Self.type0(timestamp: 0x0100_0000, length: 4, type: 20).dropFirst() + [5, 6, 7, 8]
        // Every cut inside the basic header, message header, extended timestamp or payload.
        for cut in 1..<bytes.count {
            var reader = RTMPChunkReader(operation: Self.operation)
            try reader.append(bytes[..<cut])
            #expect(try reader.nextMessage() == nil, "cut at \(cut)")
            #expect(reader.cutOff == "the connection ended inside a chunk (\(cut) bytes of it arrived)")
            try reader.append(bytes[cut...])
            #expect(try reader.nextMessage()?.payload == [5, 6, 7, 8], "cut at \(cut)")
        }
    }

    @Test func theEndOfAConnectionBetweenChunksOfAMessageIsNamed() throws {
        var reader = RTMPChunkReader(operation: Self.operation)
        try reader.append(Self.type0(length: 200, type: 20) + [UInt8](repeating: 0, count: 128))
        #expect(try reader.nextMessage() == nil)
        #expect(reader.cutOff == "the connection ended inside a message on chunk stream 3 (128 of 200 bytes arrived)")
    }

    @Test func moreThanTheLimitHeldUnreadIsRefused() throws {
        // Pings appended faster than they are read (the publisher drains the socket, then reads).
        let ping = Self.message(stream: 2, type: 4, [0, 6] + Self.number(1, 4))
        let pings = RTMPChunkReader.maximumUnparsedBytes / ping.count
        var reader = RTMPChunkReader(operation: Self.operation)
        try reader.append(Array(repeatElement(ping, count: pings).joined()))
        let error = try #require(throws: WireClientError.self) { try reader.append(ping) }
        #expect(error.kind == .brokenProtocol)
        #expect(error.reason.contains("more than 262144 bytes held unread"), "\(error)")
        // What was taken is still read.
        var read = 0
        while try reader.nextMessage() != nil { read += 1 }
        #expect(read == pings)
    }
}
