import Foundation

/// The package's executables (`kuzet-agent`, `kuzet-registry`, `kuzet-uplink-harness`) as built
/// by `swift build --build-tests`, for the tests that run them as real processes.
public enum BuiltExecutable {
    /// The executable next to the running test bundle (or a few folders up: `swift test` may run
    /// from `.build/<triple>/debug`), else this checkout's `.build/debug`.
    public static func path(_ name: String) throws -> String {
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = folder.appendingPathComponent(name).path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        let fallback = repositoryRoot().appendingPathComponent(".build/debug/\(name)").path
        if FileManager.default.isExecutableFile(atPath: fallback) { return fallback }
        throw TestKitError("\(name) is not built — run `swift build --build-tests` first")
    }

    /// The built `kuzet-agent`.
    public static var agent: String {
        get throws { try path("kuzet-agent") }
    }
}
