import KuzetProtocol

/// What became of one batch sent to the registry.
public enum DeliveryOutcome: Sendable, Equatable {
    /// 2xx: stored (the receipt, when the body was one).
    case delivered(HeartbeatReceipt?)
    /// 4xx other than 401/403/408/429: the batch itself is refused; retrying it cannot help.
    case refused(status: Int, reason: String)
    /// Try again later: 5xx, 408, 429, 401/403 (a token to fix), network or TLS trouble, no token.
    /// `retryAfter` is the registry's `Retry-After`, when it sent one.
    case retry(reason: String, retryAfter: Duration?)

    public var isDelivered: Bool {
        if case .delivered = self { return true }
        return false
    }
}
