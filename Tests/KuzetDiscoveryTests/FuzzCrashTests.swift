import Foundation
import KuzetDiscovery
import Testing

/// Answers the fuzzers (Fuzz/) crashed discovery with, committed under `Fuzz/Crashes/<target>/`:
/// each is now refused. Each runs in a child process (an exit test), so a regression traps there
/// and fails this test instead of ending the whole test run.
struct FuzzCrashTests {
    @Test func deviceAnswersWithNamesThatAreNotUTF8AreRefusedWithoutATrap() async {
        await #expect(processExitsWith: .success) {
            let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
                "../../Fuzz/Crashes/fuzz-soap-xml"
            ).path
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            guard !names.isEmpty else { exit(2) }
            for name in names {
                let bytes = [UInt8](FileManager.default.contents(atPath: folder + "/" + name) ?? Data())
                do throws(XMLSafetyError) {
                    _ = try SafeXMLParser().parse(bytes)
                    exit(3) // accepted: it should have been refused as malformed
                } catch {
                    guard case .malformed = error else { exit(4) }
                }
            }
        }
    }

    @Test func aWSDiscoveryDatagramWithANameThatIsNotUTF8GivesNoDeviceWithoutATrap() async {
        await #expect(processExitsWith: .success) {
            let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
                "../../Fuzz/Crashes/fuzz-soap-xml"
            ).path
            let bytes = [UInt8](
                FileManager.default.contents(atPath: folder + "/invalid-utf8-prefixed-name.xml") ?? Data())
            guard !bytes.isEmpty else { exit(2) }
            guard WSDiscoveryMessage.probeMatches(bytes, sender: "127.0.0.1").isEmpty else { exit(3) }
        }
    }

    @Test func aWSDiscoveryDatagramWithAProcessingInstructionWithoutDataGivesNoDeviceWithoutATrap() async {
        await #expect(processExitsWith: .success) {
            let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
                "../../Fuzz/Crashes/fuzz-ws-discovery"
            ).path
            let bytes = [UInt8](
                FileManager.default.contents(atPath: folder + "/processing-instruction-without-data.xml") ?? Data())
            guard !bytes.isEmpty else { exit(2) }
            guard WSDiscoveryMessage.probeMatches(bytes, sender: "127.0.0.1").isEmpty else { exit(3) }
        }
    }
}
