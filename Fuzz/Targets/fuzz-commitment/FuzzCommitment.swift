import Foundation
import KuzetCommitment
import KuzetProtocol

/// What the registry reads from an agent for issue 21: a segment record, or a whole challenge
/// answer (JSON) checked against a stored day root. A refusal is fine; a trap, a hang or a leak is
/// the finding. Whatever the record parser accepts must write back to the same bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCommitment(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    if let record = try? SegmentRecord.parse(bytes) {
        precondition(Array(record.text.utf8) == bytes, "a record parsed that does not write back the same")
    }
    if let answer = try? JSONDecoder.kuzetWire.decode(ChallengeAnswer.self, from: Data(bytes)) {
        let root = String(repeating: "0f", count: 32)
        for segmentCount in [1, 7, Int.max] {
            _ = try? ChallengeAnswerVerifier.verify(
                answer, storedDayRoot: root, segmentCount: segmentCount, chunkNonce: UInt32(truncatingIfNeeded: count))
        }
    }
    return 0
}
