import Crypto
import Foundation
import KuzetConfiguration
import KuzetCore

/// The fingerprint an agent's heartbeats carry (`Heartbeat.configFingerprint`): lower-case hex
/// SHA-256 of its configuration as Swift prints it, with every password shown as `***` (the
/// configuration's own redacting descriptions) and credentials in URLs removed
/// (`CredentialRedaction`). Two schools with the same settings have the same fingerprint; a changed
/// password does not change it, and nothing secret can be recovered from it.
public enum ConfigurationFingerprint {
    public static func of(_ configuration: AgentConfiguration) -> String {
        let text = CredentialRedaction.redact(String(reflecting: configuration))
        return SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
