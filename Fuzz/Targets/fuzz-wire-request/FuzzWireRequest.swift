import KuzetWire

/// What an RTSP client sends the relay, read the way the relay reads it: requests cut off the front
/// of the unread bytes one after another, a client's `$` frames skipped, an `Authorization` header
/// read as Digest or Basic and checked. Small limits, so every bound is reached within the input
/// sizes libFuzzer tries. Besides no trap: a framed request consumes at least one byte and no more
/// than there are, and while the framer waits for more, the unread bytes stay within the limits
/// (KuzetWire's promise that a caller never buffers more than `headerBytes + bodyBytes`).
private let limits = WireLimits(
    headerBytes: 1024, headerCount: 16, lineLength: 256, bodyBytes: 2048, chunkSize: 512, descriptionLines: 64)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWireRequest(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    var unread = ArraySlice(UnsafeRawBufferPointer(start: start, count: count))
    while !unread.isEmpty {
        if let frame = WireFraming.interleavedFrame(in: unread) {
            guard unread.count >= frame.totalLength else { break }
            unread = unread.dropFirst(frame.totalLength)
            continue
        }
        let framed: Framed<WireRequest>?
        do {
            framed = try WireFraming.request(in: unread, limits: limits)
        } catch {
            _ = (error.status, error.description)
            break
        }
        guard let framed else {
            precondition(
                unread.count <= limits.headerBytes + limits.bodyBytes,
                "waiting for more with \(unread.count) bytes unread")
            break
        }
        precondition(
            framed.consumed > 0 && framed.consumed <= unread.count, "consumed \(framed.consumed) of \(unread.count)")
        for value in framed.message.headers.values("Authorization") {
            if let digest = try? DigestAuthorization(header: value) {
                _ = digest.proves(
                    username: "cou", password: "secret", realm: "kuzet", nonce: digest.nonce,
                    method: framed.message.method)
            }
            _ = try? BasicAuthorization(header: value)
        }
        unread = unread.dropFirst(framed.consumed)
    }
    return 0
}
