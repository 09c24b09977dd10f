import Foundation
import KuzetCore

/// A state change the heartbeat reports once.
public struct RetentionEvent: Sendable, Equatable {
    public enum Kind: String, Sendable { case diskPressure, diskPressureCleared, retentionShortfall, retentionRestored }
    public var at: Date
    public var kind: Kind
    public var camera: String?
    public var message: String
}
