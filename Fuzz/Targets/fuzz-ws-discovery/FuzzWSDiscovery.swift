import KuzetDiscovery

/// One UDP datagram arriving on the WS-Discovery socket (a ProbeMatches answer or a Hello), from
/// a sender on the LAN; then merged with itself as a second answer from the same device would be.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWSDiscovery(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let datagram = [UInt8](UnsafeRawBufferPointer(start: start, count: count))
    let devices = WSDiscoveryMessage.probeMatches(datagram, sender: "127.0.0.1")
    let merged = WSDiscoveryMessage.deduplicated(devices + devices)
    precondition(merged.count <= devices.count, "deduplicating \(devices.count) devices twice gave \(merged.count)")
    return 0
}
