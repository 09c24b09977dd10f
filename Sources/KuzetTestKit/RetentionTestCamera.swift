import Foundation

/// A real RTSP server (gst-rtsp-server through python3-gi) serving a test pattern at two rates:
/// `rtsp://127.0.0.1:PORT/main` and `rtsp://127.0.0.1:PORT/sub`. Stopped on ``stop()`` or deinit.
public final class RetentionTestCamera: Sendable {
    public let port: Int
    let process: ExternalProcess
    let directory: TemporaryDirectory

    public init(mainKbps: Int, subKbps: Int) throws {
        directory = try TemporaryDirectory(prefix: "kuzet-retention-camera")
        let script = directory.file("camera.py")
        try Self.script.write(toFile: script, atomically: true, encoding: .utf8)
        // A port found free can be taken again before the server binds it (other tests' connections
        // use the same range): the server says so and exits, and another port is tried.
        var attempt = 0
        while true {
            attempt += 1
            let port = freeLoopbackPort()
            let process = try ExternalProcess(
                "/usr/bin/python3", [script, "\(port)", "\(mainKbps)", "\(subKbps)"], name: "retention-camera",
                logDirectory: directory.path)
            // "ready" on a line of its own: GStreamer's warnings on stderr may hold the word ("already").
            let ready = eventually(timeout: 15) { Self.saidReady(process.output) || !process.isRunning }
            // Both streams must play before a test measures them: a server that printed "ready"
            // and then failed would otherwise show up as a check that measured nothing.
            var unplayable: String?
            if ready, process.isRunning {
                unplayable = Self.unplayableStream(port: port)
                if unplayable == nil {
                    self.port = port
                    self.process = process
                    return
                }
            }
            process.stop()
            guard attempt < 3 else {
                throw TestKitError(
                    "the test RTSP server did not start: \(unplayable ?? "") — its output: \(process.output)")
            }
        }
    }

    public func url(_ stream: String) -> String { "rtsp://127.0.0.1:\(port)/\(stream)" }

    /// Whether the server is still up, and what it printed: for a test's message when a probe of
    /// it failed (once, in CI, it refused connections a few seconds after playing both streams).
    public var isRunning: Bool { process.isRunning }
    public var output: String { process.output }

    static func saidReady(_ output: String) -> Bool {
        output.split(whereSeparator: \.isNewline).contains { $0.trimmingCharacters(in: .whitespaces) == "ready" }
    }

    /// ffprobe's complaint about the first of `/main` and `/sub` that does not give video, or nil.
    static func unplayableStream(port: Int) -> String? {
        for stream in ["main", "sub"] {
            let url = "rtsp://127.0.0.1:\(port)/\(stream)"
            do {
                guard try FFprobe.probe(url, timeout: 15).video != nil else { return "\(url) has no video" }
            } catch {
                return "\(error)"
            }
        }
        return nil
    }

    public func stop() { process.stop() }

    deinit { process.stop() }

    static let script = """
        import sys
        import gi
        gi.require_version("Gst", "1.0")
        gi.require_version("GstRtspServer", "1.0")
        from gi.repository import Gst, GstRtspServer, GLib
        Gst.init(None)
        port, main_kbps, sub_kbps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
        server = GstRtspServer.RTSPServer()
        server.set_address("127.0.0.1")
        server.set_service(port)
        def factory(width, height, kbps):
            f = GstRtspServer.RTSPMediaFactory()
            f.set_launch("( videotestsrc is-live=true pattern=smpte ! video/x-raw,width=%d,height=%d,framerate=10/1 "
                         "! x264enc tune=zerolatency speed-preset=ultrafast bitrate=%d key-int-max=10 "
                         "! rtph264pay name=pay0 pt=96 config-interval=1 )" % (width, height, kbps))
            # Not shared: with four clients probing one shared /sub at once, the server aborted in CI
            # (gst_rtsp_media_get_rates: assertion failed). Each client gets a pipeline of its own.
            f.set_shared(False)
            return f
        mounts = server.get_mount_points()
        mounts.add_factory("/main", factory(640, 360, main_kbps))
        mounts.add_factory("/sub", factory(320, 180, sub_kbps))
        if server.attach(None) == 0:
            print("cannot listen on port %s" % port, flush=True)
            sys.exit(3)
        print("ready", flush=True)
        GLib.MainLoop().run()
        """
}
