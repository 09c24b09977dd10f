/// How one family of DVRs/NVRs/encoders names its RTSP streams, per channel (1-based).
///
/// Sources: Hikvision "RTSP URL" ISAPI notes (`/Streaming/Channels/<ch><01|02>`), Dahua HTTP API
/// §4.1.1 (`/cam/realmonitor?channel=<ch>&subtype=<0|1>`), Uniview NVR RTSP notes
/// (`/unicast/c<ch>/s<0|1>/live`), XMEye/Xiongmai firmware (`/user=…&password=…&channel=<ch>&stream=<0|1>.sdp`)
/// and TVT/Provision-ISR (`/chID=<ch>&streamType=main|sub`), as collected in public camera
/// URL lists (e.g. the iSpy/Agent DVR connection database).
public struct VendorPattern: Sendable {
    public var vendor: String
    public var main: @Sendable (_ channel: Int, _ credentials: DeviceCredentials?) -> String
    public var sub: @Sendable (_ channel: Int, _ credentials: DeviceCredentials?) -> String
    /// True when the path itself carries the password (XMEye): such URLs are shown redacted.
    public var embedsCredentials: Bool

    public init(
        vendor: String, embedsCredentials: Bool = false, main: @escaping @Sendable (Int, DeviceCredentials?) -> String,
        sub: @escaping @Sendable (Int, DeviceCredentials?) -> String
    ) {
        self.vendor = vendor
        self.main = main
        self.sub = sub
        self.embedsCredentials = embedsCredentials
    }

    public static let hikvision = VendorPattern(
        vendor: "hikvision", main: { c, _ in "/Streaming/Channels/\(c)01" },
        sub: { c, _ in "/Streaming/Channels/\(c)02" })
    public static let dahua = VendorPattern(
        vendor: "dahua", main: { c, _ in "/cam/realmonitor?channel=\(c)&subtype=0" },
        sub: { c, _ in "/cam/realmonitor?channel=\(c)&subtype=1" })
    public static let uniview = VendorPattern(
        vendor: "uniview", main: { c, _ in "/unicast/c\(c)/s0/live" }, sub: { c, _ in "/unicast/c\(c)/s1/live" })
    public static let tvt = VendorPattern(
        vendor: "tvt", main: { c, _ in "/chID=\(c)&streamType=main" }, sub: { c, _ in "/chID=\(c)&streamType=sub" })
    public static let xmeye = VendorPattern(
        vendor: "xmeye", embedsCredentials: true,
        main: { c, credentials in
            "/user=\(credentials?.username ?? "admin")&password=\(credentials?.password ?? "")&channel=\(c)&stream=0.sdp"
        },
        sub: { c, credentials in
            "/user=\(credentials?.username ?? "admin")&password=\(credentials?.password ?? "")&channel=\(c)&stream=1.sdp"
        })

    /// Tried in this order; the first whose channel 1 answers wins.
    public static let all: [VendorPattern] = [.hikvision, .dahua, .uniview, .xmeye, .tvt]
}
