import Foundation
import KuzetDiscovery

/// A whole `kuzet-agent probe` conversation with one ONVIF device whose answers come from the
/// input (see ``AnsweringTransport``): clock, Digest and WS-Security fallbacks, services or
/// capabilities, Media or Media2 profiles, stream URIs. A report or an `ONVIFError` is fine; a
/// trap is the finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzONVIFDevice(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let transport = AnsweringTransport([UInt8](UnsafeRawBufferPointer(start: start, count: count)))
    let client = ONVIFClient(
        deviceURL: "http://127.0.0.1:8080/onvif/device_service",
        credentials: DeviceCredentials(username: "admin", password: "fuzz"),
        transport: transport)
    let done = DispatchSemaphore(value: 0)
    Task {
        do {
            let report = try await client.inspect()
            _ = report.streamsPerSource
        } catch {
            _ = "\(error)"
        }
        done.signal()
    }
    done.wait()
    return 0
}
