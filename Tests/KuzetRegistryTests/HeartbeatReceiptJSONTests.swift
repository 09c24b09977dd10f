import Foundation
import KuzetProtocol
import Testing

@testable import KuzetRegistry

@Suite("Heartbeat receipt JSON")
struct HeartbeatReceiptJSONTests {
    @Test("the receipt is written exactly as the registry's JSON encoder writes it")
    func sameAsTheEncoder() throws {
        let receipts = [
            HeartbeatReceipt(
                accepted: 1, duplicates: 0, highestSequence: 1, serverTime: Date(timeIntervalSince1970: 1_790_000_000)),
            HeartbeatReceipt(
                accepted: 0, duplicates: 20, highestSequence: UInt64(Int64.max),
                serverTime: Date(timeIntervalSince1970: 946_684_800.5)),
            HeartbeatReceipt(
                accepted: 1000, duplicates: 3, highestSequence: 42,
                serverTime: Date(timeIntervalSince1970: 4_102_444_799.999)),
            HeartbeatReceipt(accepted: 7, duplicates: 0, highestSequence: 0, serverTime: Date()),
        ]
        for receipt in receipts {
            let encoded = String(decoding: try RegistryJSON.encoder.encode(receipt), as: UTF8.self)
            #expect(receipt.registryJSON == encoded)
        }
    }
}
