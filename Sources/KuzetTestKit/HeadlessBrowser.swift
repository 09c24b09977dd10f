import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Headless Chromium driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`: the
/// browser reads commands on fd 3 and writes answers on fd 4, each a JSON text ending in NUL), so
/// a test can load a page, find an element and click it as a person does: a mouse press and
/// release at the element's middle. No script is run in the page; the DOM domain finds elements.
///
/// Blocking: call it from a synchronous test or `offPool`.
public final class HeadlessBrowser: @unchecked Sendable {
    // @unchecked: one test thread uses it at a time; nothing in it is shared.
    private let pid: pid_t
    private let toBrowser: Int32
    private let fromBrowser: Int32
    private var nextID = 0
    private var pending: [UInt8] = []
    /// Events received while waiting for answers, oldest first.
    private var events: [[String: Any]] = []
    /// The page's session (`Target.attachToTarget`, flattened).
    private var session = ""

    public init(profile: String, windowSize: String = "1280,900") throws {
        var commands: [Int32] = [0, 0]
        var answers: [Int32] = [0, 0]
        guard pipe(&commands) == 0, pipe(&answers) == 0 else {
            throw TestKitError("HeadlessBrowser: pipe failed (errno \(errno))")
        }
        // Close-on-exec: the browser gets only its copies at 3 and 4 (dup2 clears the flag there).
        for descriptor in commands + answers { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, commands[0], 3)
        posix_spawn_file_actions_adddup2(&actions, answers[1], 4)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let arguments = [
            "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
            "--remote-debugging-pipe", "--user-data-dir=\(profile)", "--window-size=\(windowSize)", "about:blank",
        ]
        let argv = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var child: pid_t = 0
        let spawned = posix_spawnp(&child, "chromium", &actions, nil, argv, environ)
        close(commands[0])
        close(answers[1])
        guard spawned == 0 else {
            close(commands[1])
            close(answers[0])
            throw TestKitError("HeadlessBrowser: cannot start chromium (\(spawned)) — install Debian's chromium")
        }
        pid = child
        toBrowser = commands[1]
        fromBrowser = answers[0]
        let target = try send("Target.createTarget", ["url": "about:blank"], inPage: false)
        guard let targetID = target["targetId"] as? String else { throw TestKitError("no target: \(target)") }
        let attached = try send("Target.attachToTarget", ["targetId": targetID, "flatten": true], inPage: false)
        guard let session = attached["sessionId"] as? String else { throw TestKitError("no session: \(attached)") }
        self.session = session
        _ = try send("Page.enable")
    }

    deinit {
        _ = try? send("Browser.close", inPage: false, timeout: 5)
        close(toBrowser)
        close(fromBrowser)
        var status: Int32 = 0
        for _ in 0..<50 {
            if waitpid(pid, &status, WNOHANG) == pid { return }
            usleep(100_000)
        }
        kill(pid, SIGKILL)
        _ = waitpid(pid, &status, 0)
    }

    /// Loads `url` and waits for its load event (after any redirects).
    public func navigate(_ url: String, timeout: Double = 30) throws {
        events.removeAll()
        _ = try send("Page.navigate", ["url": url])
        _ = try waitForEvent("Page.loadEventFired", timeout: timeout)
    }

    /// The page's HTML now.
    public func html() throws -> String {
        let root = try send("DOM.getDocument", ["depth": 0])
        guard let node = (root["root"] as? [String: Any])?["nodeId"] as? Int else { throw TestKitError("no document") }
        return try send("DOM.getOuterHTML", ["nodeId": node])["outerHTML"] as? String ?? ""
    }

    /// Clicks the middle of the element `selector` finds (a mouse press and release); then, when
    /// `waitForLoad`, waits for the page that follows (a form's answer) to load.
    public func click(_ selector: String, waitForLoad: Bool = true, timeout: Double = 30) throws {
        let root = try send("DOM.getDocument", ["depth": 0])
        guard let document = (root["root"] as? [String: Any])?["nodeId"] as? Int,
            let node = try send("DOM.querySelector", ["nodeId": document, "selector": selector])["nodeId"] as? Int,
            node != 0
        else { throw TestKitError("click: no element \(selector) on the page") }
        _ = try send("DOM.scrollIntoViewIfNeeded", ["nodeId": node])
        let box = try send("DOM.getBoxModel", ["nodeId": node])
        guard let quad = (box["model"] as? [String: Any])?["content"] as? [Double], quad.count == 8 else {
            throw TestKitError("click: \(selector) has no box")
        }
        let x = (quad[0] + quad[2] + quad[4] + quad[6]) / 4
        let y = (quad[1] + quad[3] + quad[5] + quad[7]) / 4
        events.removeAll()
        for type in ["mousePressed", "mouseReleased"] {
            _ = try send(
                "Input.dispatchMouseEvent", ["type": type, "x": x, "y": y, "button": "left", "clickCount": 1])
        }
        if waitForLoad { _ = try waitForEvent("Page.loadEventFired", timeout: timeout) }
    }

    /// A PNG of the viewport.
    public func screenshot(to path: String) throws {
        let shot = try send("Page.captureScreenshot", ["format": "png"])
        guard let text = shot["data"] as? String, let data = Data(base64Encoded: text) else {
            throw TestKitError("screenshot: no data")
        }
        try data.write(to: URL(fileURLWithPath: path))
    }

    // The protocol.

    private func send(_ method: String, _ parameters: [String: Any] = [:], inPage: Bool = true, timeout: Double = 30)
        throws -> [String: Any]
    {
        nextID += 1
        let id = nextID
        var message: [String: Any] = ["id": id, "method": method, "params": parameters]
        if inPage { message["sessionId"] = session }
        var bytes = [UInt8](try JSONSerialization.data(withJSONObject: message))
        bytes.append(0)
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { write(toBrowser, $0.baseAddress, $0.count) }
            guard count > 0 else { throw TestKitError("HeadlessBrowser: write failed (errno \(errno))") }
            written += count
        }
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let message = try readMessage(until: deadline)
            if message["id"] as? Int == id {
                if let error = message["error"] { throw TestKitError("\(method): \(error)") }
                return message["result"] as? [String: Any] ?? [:]
            }
            if message["method"] != nil { events.append(message) }
        }
    }

    private func waitForEvent(_ method: String, timeout: Double) throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let index = events.firstIndex(where: { $0["method"] as? String == method }) {
                let event = events[index]
                events.removeSubrange(...index)
                return event
            }
            let message = try readMessage(until: deadline)
            if message["method"] != nil { events.append(message) }
        }
    }

    /// The next NUL-terminated message, bounded by `deadline` (and 64 MiB: a screenshot is large).
    private func readMessage(until deadline: Date) throws -> [String: Any] {
        while true {
            if let end = pending.firstIndex(of: 0) {
                let data = Data(pending[..<end])
                pending.removeSubrange(...end)
                return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
            }
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else { throw TestKitError("HeadlessBrowser: no answer in time") }
            var descriptor = pollfd(fd: fromBrowser, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, Int32(min(left, 1) * 1000)) >= 0 else { continue }
            guard descriptor.revents != 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            let count = chunk.withUnsafeMutableBytes { read(fromBrowser, $0.baseAddress, $0.count) }
            guard count > 0 else { throw TestKitError("HeadlessBrowser: chromium closed the pipe") }
            pending += chunk[..<count]
            guard pending.count < 64 << 20 else { throw TestKitError("HeadlessBrowser: message over 64 MiB") }
        }
    }
}
