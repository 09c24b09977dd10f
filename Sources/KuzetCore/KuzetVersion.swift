/// The version both executables report (`--version`, heartbeats, the status page).
public enum KuzetVersion {
    public static let current = "0.1.0"
}
