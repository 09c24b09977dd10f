import Foundation
import KuzetCore
import KuzetSegmentStore
import Logging
import Synchronization

/// Shortfalls survive restarts: they are written to `<storage.root>/.kuzet-retention.json`
/// (the scan skips that one file; it is not a camera folder nor a foreign file).
extension RetentionService {
    struct Ledger: Codable {
        var shortfalls: [RetentionShortfall]
        /// Per camera, footage named while the clock was untrusted (absent in older ledgers).
        var untrustedFootage: [String: UntrustedFootage]?
    }

    /// The file in the root where the retention service keeps its shortfall ledger (not a segment,
    /// not foreign: the scan is told so).
    static let ledgerFileName = ".kuzet-retention.json"

    var ledgerPath: String { (settings.root as NSString).appendingPathComponent(Self.ledgerFileName) }

    func saveLedger() {
        let (shortfalls, untrusted) = state.withLock { (Array($0.shortfalls.values), $0.untrusted) }
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        do {
            try encoder.encode(
                Ledger(
                    shortfalls: shortfalls.sorted { $0.camera < $1.camera },
                    untrustedFootage: untrusted.isEmpty ? nil : untrusted)
            ).write(
                to: URL(fileURLWithPath: ledgerPath), options: .atomic)
        } catch {
            // On a full disk this can fail; the shortfall stays in memory and in the heartbeat.
            logger.warning(
                "cannot write the retention ledger", metadata: ["file": "\(ledgerPath)", "error": "\(error)"])
        }
    }

    /// The footage marks of the ledger (none when absent or unreadable).
    func loadUntrustedFootage() -> [String: UntrustedFootage] {
        guard let data = FileManager.default.contents(atPath: ledgerPath) else { return [:] }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return (try? decoder.decode(Ledger.self, from: data))?.untrustedFootage ?? [:]
    }

    func loadLedger() -> [String: RetentionShortfall]? {
        guard let data = FileManager.default.contents(atPath: ledgerPath) else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        guard let ledger = try? decoder.decode(Ledger.self, from: data) else {
            logger.warning(
                "the retention ledger is unreadable; shortfalls before this start are not known",
                metadata: ["file": "\(ledgerPath)"])
            return nil
        }
        return Dictionary(ledger.shortfalls.map { ($0.camera, $0) }, uniquingKeysWith: { $1 })
    }
}
