import KuzetCore

/// Passwords never reach a log line or an error, even when a whole configuration value is
/// printed (ServiceLifecycle, for one, prints a failed service with everything it holds).
/// These conformances make `String(describing:)`, `dump` and string interpolation show `***`.
extension AgentConfiguration.Camera: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        "Camera(id: \(id), url: \(CredentialRedaction.redact(url)), sub_url: \(subURL.map(CredentialRedaction.redact) ?? "-"), "
            + "username: \(username ?? "-"), password: \(password == nil ? "-" : "***"), transport: \(transport.rawValue))"
    }
    public var debugDescription: String { description }
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "id": id, "url": CredentialRedaction.redact(url),
                "subURL": subURL.map(CredentialRedaction.redact) as Any,
                "username": username as Any, "password": password == nil ? "-" : "***", "transport": transport,
                "record": record as Any, "push": push as Any, "onDemandCloseSeconds": onDemandCloseSeconds,
            ], displayStyle: .struct)
    }
}

extension AgentConfiguration.Relay: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        "Relay(listen: \(listen), username: \(username ?? "-"), password: \(password == nil ? "-" : "***"), maxClients: \(maxClients), maxClientsPerCamera: \(maxClientsPerCamera), maxConnections: \(maxConnections), maxConnectionsPerAddress: \(maxConnectionsPerAddress), requestTimeoutSeconds: \(requestTimeoutSeconds))"
    }
    public var debugDescription: String { description }
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "listen": listen, "username": username as Any, "password": password == nil ? "-" : "***",
                "maxClients": maxClients,
                "maxClientsPerCamera": maxClientsPerCamera, "maxConnections": maxConnections,
                "maxConnectionsPerAddress": maxConnectionsPerAddress, "requestTimeoutSeconds": requestTimeoutSeconds,
            ], displayStyle: .struct)
    }
}

extension AgentConfiguration.Status: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "Status(listen: \(listen), password: \(password == nil ? "-" : "***"))" }
    public var debugDescription: String { description }
    public var customMirror: Mirror {
        Mirror(self, children: ["listen": listen, "password": password == nil ? "-" : "***"], displayStyle: .struct)
    }
}
