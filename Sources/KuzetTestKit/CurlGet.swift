/// GET `http://127.0.0.1:PORT/PATH` over a real socket with the real curl (the status page's
/// user `kuzet` when a password is given); returns the HTTP status and the body (or writes the
/// body to `output`).
@discardableResult
public func curlGet(port: Int, path: String, password: String? = nil, output: String? = nil) throws -> (
    status: Int, body: String
) {
    var arguments = ["-s", "-m", "15", "-w", "\n%{http_code}", "http://127.0.0.1:\(port)\(path)"]
    if let output { arguments += ["-o", output] }
    if let password { arguments += ["-u", "kuzet:\(password)"] }
    let (status, text) = try run("curl", arguments, timeout: 20)
    guard status == 0, let newline = text.lastIndex(of: "\n"), let code = Int(text[text.index(after: newline)...])
    else {
        throw TestKitError("curl \(path) failed: \(text)")
    }
    return (code, String(text[..<newline]))
}
