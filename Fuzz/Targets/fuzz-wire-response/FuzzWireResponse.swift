import KuzetWire

/// What a camera or an ONVIF device answers, read the ways its three readers do: the camera
/// session (`message`, with `$` frames between messages), discovery over RTSP (`response`, RTSP:
/// no length means no body) and over HTTP (`response` with the body running to the close of the
/// connection); a `WWW-Authenticate` challenge answered, an SDP body parsed. Small limits, so every
/// bound is reached; a framed message consumes at least one byte and no more than there are.
private let limits = WireLimits(
    headerBytes: 1024, headerCount: 16, lineLength: 256, bodyBytes: 4096, chunkSize: 512, descriptionLines: 64)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWireResponse(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = ArraySlice(UnsafeRawBufferPointer(start: start, count: count))
    cameraSession(bytes)
    for closed in [false, true] {
        if let framed = try? WireFraming.response(
            in: bytes, limits: limits, closed: closed, bodyRequiresLength: !closed)
        {
            precondition(
                framed.consumed > 0 && framed.consumed <= bytes.count, "consumed \(framed.consumed) of \(bytes.count)")
            read(framed.message)
        }
    }
    return 0
}

private func cameraSession(_ bytes: ArraySlice<UInt8>) {
    var unread = bytes
    while !unread.isEmpty {
        if let frame = WireFraming.interleavedFrame(in: unread) {
            guard unread.count >= frame.totalLength else { return }
            unread = unread.dropFirst(frame.totalLength)
            continue
        }
        guard let framed = try? WireFraming.message(in: unread, limits: limits) else { return }
        precondition(
            framed.consumed > 0 && framed.consumed <= unread.count, "consumed \(framed.consumed) of \(unread.count)")
        if case .response(let response) = framed.message { read(response) }
        unread = unread.dropFirst(framed.consumed)
    }
}

private func read(_ response: WireResponse) {
    if let challenge = DigestChallenge(headers: response.headers(named: "WWW-Authenticate")) {
        _ = challenge.authorization(
            method: "DESCRIBE", uri: "rtsp://127.0.0.1/cam", username: "admin", password: "secret", cnonce: "0a4f113b")
    }
    _ = BasicAuthorization.isOffered(response.headers(named: "WWW-Authenticate"))
    _ = Int(response.header("Content-Length") ?? "").map {
        try? WireFraming.contentLength(String($0), limit: limits.bodyBytes)
    }
    if response.header("Content-Type")?.hasPrefix("application/sdp") == true {
        _ = try? SessionDescription(parsing: response.bodyText, limits: limits)
    }
}
