/// A heartbeat for a school removed with `kuzet-registry school remove` and not registered again
/// since (`token create` registers it): nothing is stored. Running instances may still hold the
/// school's token for up to a minute; this is what stops that token from bringing the school back.
public struct SchoolRemovedError: Error, Sendable, Equatable {
    public var schoolID: String

    public init(schoolID: String) { self.schoolID = schoolID }
}
