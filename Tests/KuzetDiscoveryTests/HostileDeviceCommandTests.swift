import Foundation
import KuzetDiscovery
import KuzetTestKit
import Testing

/// Issue 20, must show 4: the real `kuzet-agent probe` and `discover --subnet` against devices
/// answering garbage, negative and huge lengths and endless chunked bodies
/// (scripts/testing/hostile_device_server.py): one clear problem line per device, exit 0 or 1,
/// never a signal, within a bounded time.
@Suite(.serialized)
struct HostileDeviceCommandTests {
    /// Every broken answer the hostile device can give (the same for HTTP and RTSP).
    static let allModes = [
        "garbage", "negative-length", "huge-length", "overflow-length", "endless-chunked", "huge-chunk",
    ]
    /// No run may take longer: the exchange timeout is 2 s (1.5 s in the sweep), plus start-up and slack.
    static let maxSeconds = 20.0

    struct HostileDevice {
        let process: ExternalProcess
        let port: Int

        init(mode: String) throws {
            port = freeLoopbackPort()
            process = try ExternalProcess(
                "python3", [TestSupport.script("hostile_device_server.py"), "--port", "\(port)", "--mode", mode],
                name: "hostile-device-\(mode)")
            try TestSupport.waitUntilReady(process)
        }
    }

    static let password = "Hostile-Pass-31"

    /// The run ended by itself (0 or 1), in time, with exactly one line about the device that
    /// says what is wrong and what to do, and no password anywhere.
    func expectOneClearLine(_ run: AgentRun, about device: String, mode: String) {
        #expect(run.endedCleanly, "\(mode): \(run)")
        #expect(run.seconds < Self.maxSeconds, "\(mode): \(run)")
        let lines = run.problemLines.filter { $0.contains(device) }
        #expect(lines.count == 1, "\(mode): \(run)")
        #expect(lines.allSatisfy { $0.contains(" — ") && !$0.contains("Fatal error") }, "\(mode): \(lines)")
        #expect(!run.stderr.contains("Fatal error") && !run.stderr.contains("Program crashed"), "\(mode): \(run)")
        #expect(!(run.stdout + run.stderr).contains(Self.password))
    }

    func probe(_ url: String) throws -> AgentRun {
        try AgentRun(["probe", url, "--timeout", "2", "--username", "admin", "--password", Self.password], timeout: 60)
    }

    func discover(onvifPort: Int, rtspPort: Int) throws -> AgentRun {
        try AgentRun(
            [
                "discover", "--subnet", "127.0.0.1/32", "--onvif-port", "\(onvifPort)", "--rtsp-port", "\(rtspPort)",
                "--interface", "lo",
                "--timeout", "0.5", "--username", "admin", "--password", Self.password,
            ], timeout: 60)
    }

    @Test(arguments: allModes) func probeOfAnONVIFURLGivesOneProblemLine(mode: String) throws {
        let device = try HostileDevice(mode: mode)
        defer { device.process.stop() }
        let run = try probe("http://127.0.0.1:\(device.port)/onvif/device_service")
        expectOneClearLine(run, about: "127.0.0.1:\(device.port)", mode: mode)
        #expect(run.exitStatus == 1, "\(mode): \(run)")
    }

    @Test(arguments: allModes) func probeOfAnRTSPURLGivesOneProblemLine(mode: String) throws {
        let device = try HostileDevice(mode: mode)
        defer { device.process.stop() }
        let run = try probe("rtsp://127.0.0.1:\(device.port)/Streaming/Channels/101")
        expectOneClearLine(run, about: "127.0.0.1:\(device.port)", mode: mode)
        #expect(run.exitStatus == 1, "\(mode): \(run)")
    }

    @Test(arguments: allModes) func discoverSubnetWithAHostileONVIFPortGivesOneProblemLine(mode: String) throws {
        let device = try HostileDevice(mode: mode)
        defer { device.process.stop() }
        let run = try discover(onvifPort: device.port, rtspPort: freeLoopbackPort())
        expectOneClearLine(run, about: "127.0.0.1:\(device.port)", mode: mode)
        #expect(
            device.process.output.contains("REQUEST POST /onvif/device_service"),
            "the sweep never asked: \(device.process.output)")
    }

    @Test(arguments: allModes) func discoverSubnetWithAHostileRTSPPortGivesOneProblemLine(mode: String) throws {
        let device = try HostileDevice(mode: mode)
        defer { device.process.stop() }
        let run = try discover(onvifPort: freeLoopbackPort(), rtspPort: device.port)
        expectOneClearLine(run, about: "127.0.0.1:\(device.port)", mode: mode)
        #expect(
            device.process.output.contains("REQUEST OPTIONS rtsp://127.0.0.1:\(device.port)/"),
            "the sweep never asked: \(device.process.output)")
    }

}
