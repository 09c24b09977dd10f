import Foundation
import KuzetCore

/// A device service to question, and the camera name WS-Discovery gave it (if any).
struct ONVIFTarget: Sendable {
    var url: String
    var host: String
    var name: String?
    /// `host:port`, to question each service once however it was found.
    var endpoint: String

    init?(url: String, name: String?) {
        guard let address = DeviceAddress(url) else { return nil }
        self.url = address.plainURL
        self.host = address.host
        self.name = name
        self.endpoint = "\(address.host):\(address.port)"
    }

    /// Why a WS-Discovery answer is not questioned.
    struct Refusal: Error, CustomStringConvertible {
        var description: String
    }

    /// The device service of a ProbeMatch, only on the address the answer came from: an XAddr may
    /// name any host, and our credentials go only to the device that answered.
    static func announced(by device: DiscoveredDevice) -> Result<ONVIFTarget, Refusal> {
        guard let url = device.deviceServiceURL, let target = ONVIFTarget(url: url, name: device.name) else {
            return .failure(
                Refusal(
                    description:
                        "\(device.endpointReference): answered WS-Discovery without a usable XAddr — check the device's network settings"
                ))
        }
        guard target.host == device.sender else {
            return .failure(
                Refusal(
                    description: """
                        \(device.endpointReference): answered WS-Discovery from \(device.sender) but names another host as its service \
                        (\(CredentialRedaction.strip(url))) — not questioned, credentials go only to the address that answered; \
                        if that host is the device, run `kuzet-agent probe \(CredentialRedaction.strip(url))`
                        """))
        }
        return .success(target)
    }
}
