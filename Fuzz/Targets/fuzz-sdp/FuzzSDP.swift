import KuzetWire

/// A camera's SDP (the DESCRIBE answer's body), parsed with the session's limits and read the way
/// the camera session and discovery read it: each media section's kind, formats, rtpmap, fmtp and
/// control attributes.
private let limits = WireLimits(descriptionLines: 64)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSDP(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
    guard let description = try? SessionDescription(parsing: text, limits: limits) else { return 0 }
    _ = description.attribute("control")
    for media in description.media {
        _ = (
            media.kind, media.formats, media.attribute("control"), media.attributes("rtpmap"), media.attributes("fmtp")
        )
    }
    return 0
}
