import Foundation
import KuzetConfiguration
import KuzetCore

/// The agent's configuration file as text. A configuration or a `ConfigurationError` listing its
/// problems are both fine; a trap is the finding. Relative `*_file` secrets resolve in an empty
/// folder, so a mutated name reads nothing.
private let emptyFolder: String = {
    let path = NSTemporaryDirectory() + "kuzet-fuzz-config-\(getpid())"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfigYAML(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
    do {
        let configuration = try AgentConfiguration.parse(yaml: text, baseDirectory: emptyFolder)
        // Whatever loads is printed somewhere (`config check`, a failed service): its description
        // must be built without trouble too.
        _ = String(describing: configuration)
    } catch {
        precondition(!error.problems.isEmpty, "a ConfigurationError without a problem")
        _ = error.description
    }
    return 0
}
