import Foundation
import KuzetCommitment
import KuzetProtocol

/// Whether a heartbeat request may be stored, given the school's pinned device key (issue 21):
/// the first key seen is pinned; afterwards every request must be signed (`Kuzet-Signature`, over
/// the exact body) by the pinned key, or by a new key once `school rekey` allowed one.
enum KeyPinning: Equatable {
    /// Store it; nothing to change.
    case accept
    /// Store it and pin this key (the school's first, or the next after `school rekey`).
    case pin(DevicePublicKey)
    /// Refuse it (403) with this reason; with a pinned key, DEVICE_KEY_MISMATCH is raised.
    case refuse(String)

    /// - Parameters:
    ///   - pinned: the school's pinned key, if any.
    ///   - claimed: the newest `device_key` the request's heartbeats carry (base64 as sent).
    ///   - signature: the `Kuzet-Signature` header, if any.
    ///   - body: the request body exactly as received.
    static func decide(pinned: PinnedDeviceKey?, claimed: String?, signature: String?, body: Data) -> KeyPinning {
        let claimedKey = claimed.flatMap(DevicePublicKey.init(base64:))
        if claimed != nil, claimedKey == nil {
            return .refuse("device_key: not the base64 of a 32-byte Ed25519 public key — send the agent's own key")
        }
        guard let pinned else {
            guard let claimedKey else { return .accept }
            guard let signature, claimedKey.isValidSignature(signature, for: body) else {
                return .refuse(
                    "Kuzet-Signature: missing or not a signature of this body by the device_key sent — sign the exact body with the device key"
                )
            }
            return .pin(claimedKey)
        }
        if let signature, pinned.key.isValidSignature(signature, for: body) { return .accept }
        if pinned.rekeyRequestedAt != nil, let claimedKey, claimedKey != pinned.key, let signature,
            claimedKey.isValidSignature(signature, for: body)
        {
            return .pin(claimedKey)
        }
        let fingerprint = String(pinned.key.fingerprint.prefix(16))
        guard signature != nil else {
            return .refuse(
                "Kuzet-Signature: missing, and this school's device key is pinned (SHA-256 \(fingerprint)…) — a replaced box needs `kuzet-registry school rekey ID` first"
            )
        }
        return .refuse(
            "Kuzet-Signature: does not verify with this school's pinned device key (SHA-256 \(fingerprint)…) — a replaced box needs `kuzet-registry school rekey ID` first"
        )
    }
}
