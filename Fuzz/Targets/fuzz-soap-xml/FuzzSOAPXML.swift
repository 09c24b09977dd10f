@testable import KuzetDiscovery

/// A device's SOAP answer body: parsed with the limits discovery uses, then read as a fault and as
/// ONVIF media profiles (Media and Media2 shapes), as `ONVIFClient` does.
private let parser = SafeXMLParser()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSOAPXML(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = [UInt8](UnsafeRawBufferPointer(start: start, count: count))
    guard let envelope = try? parser.parse(bytes) else { return 0 }
    if let fault = SOAPEnvelope.Fault(envelope: envelope) { _ = (fault.isAuthentication, fault.reason) }
    let profiles = envelope.all("Profiles").compactMap(ONVIFClient.profile)
    let report = ONVIFDeviceReport(
        deviceURL: "http://127.0.0.1/onvif/device_service", information: DeviceInformation(), clockOffsetSeconds: 0,
        authentication: .none, usedMedia2: false, profiles: profiles)
    _ = report.streamsPerSource
    for service in envelope.all("Service") { _ = service.text(at: "XAddr").flatMap(DeviceAddress.init) }
    _ = envelope.first("GetStreamUriResponse")?.text(at: "Uri").flatMap(DeviceAddress.init)
    return 0
}
