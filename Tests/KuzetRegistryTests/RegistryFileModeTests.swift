import Foundation
import KuzetTestKit
import Testing

/// The registry's SQLite database holds token hashes and every school's history: its files are
/// never world-readable, also when the registry is started with a careless umask (here 000).
@Suite struct RegistryFileModeTests {
    @Test(.timeLimit(.minutes(1)))
    func theDatabaseAndItsJournalAreNotWorldReadableWhateverTheUmask() throws {
        let directory = try TemporaryDirectory()
        let database = directory.file("registry.sqlite")
        let registry = try ExternalProcess(
            "/bin/sh",
            [
                "-c", "umask 000; exec \"$0\" \"$@\"", try RegistryExecutable.path, "serve", "--listen", "127.0.0.1:0",
                "--database", "sqlite:\(database)",
            ],
            name: "kuzet-registry", logDirectory: directory.path)
        #expect(
            eventually(timeout: 30) { RegistryProcess.address(in: registry.output) != nil },
            "\(registry.output.suffix(1000))")
        // Read while it runs: SQLite removes its WAL file when the last connection closes.
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter {
            $0.hasPrefix("registry.sqlite")
        }
        let modes = try names.map { name in
            (
                name,
                try #require(
                    FileManager.default.attributesOfItem(atPath: directory.file(name))[.posixPermissions] as? Int)
            )
        }
        registry.stop()
        #expect(names.contains("registry.sqlite"))
        #expect(names.contains("registry.sqlite-wal"))
        for (name, mode) in modes {
            #expect(mode & 0o007 == 0, "\(name) is \(String(mode, radix: 8)): others may read it")
        }
    }
}
