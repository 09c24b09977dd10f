import Foundation

/// One school's outcome in a group: its newest contact and, if it moved, its new state.
struct SchoolChange {
    var contact: Double
    var state: SchoolState?
    var stateJSON: Data?
}

/// A heartbeat row's key (school, sequence), as the insert returns it.
struct StoredKey: Hashable {
    var school: String
    var sequence: Int64
}
