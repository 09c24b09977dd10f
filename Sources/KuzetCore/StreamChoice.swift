/// Which of a camera's two streams an output takes (`record:`, `push:`, a relay path's `/sub`).
public enum StreamChoice: String, Sendable, Equatable, CaseIterable { case main, sub }
