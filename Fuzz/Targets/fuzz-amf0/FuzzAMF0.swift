@testable import KuzetWireClients

/// The payload of an RTMP command message (type 20, or 17 after its format byte) as the server
/// sent it, read the way `RTMPPublisher` reads `_result`, `_error` and `onStatus`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAMF0(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = ArraySlice(UnsafeRawBufferPointer(start: start, count: count))
    let values = AMF0.decode(bytes)
    // What RTMPPublisher looks at in an answer.
    if values.count >= 2 { _ = (values[0].text, values[1].numberValue) }
    if let info = values.dropFirst(3).first { _ = (info["code"]?.text, info["level"]?.text, info["description"]?.text) }
    // Encoding what was decoded and decoding it again gives as many values (the encoder writes
    // only what the decoder reads; ECMA arrays come back as objects).
    let again = AMF0.decode(AMF0.encode(values)[...])
    precondition(
        again.count == values.count,
        "AMF0 round trip: \(values.count) values decoded, \(again.count) after encoding them")
    return 0
}
