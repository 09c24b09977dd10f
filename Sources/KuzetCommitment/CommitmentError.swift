/// A commitment could not be made, read or checked; the message says where and what to do.
public struct CommitmentError: Error, CustomStringConvertible, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
