import Foundation
import KuzetWireClients

/// A ``WireInterrupt`` that stops a client's wait after `seconds` (what `MediaInterrupt.arm`
/// does in the product, without libavformat).
final class TestDeadline: WireInterrupt {
    private let end: ContinuousClock.Instant

    init(seconds: Double) { end = .now + .seconds(seconds) }

    var shouldStop: Bool { ContinuousClock.now >= end }
}
