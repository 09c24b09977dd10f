/// Who a school is: its id (the registry's key), and the name and region people read. The agent's
/// `school:` section, its status report and the registry's registration all hold one.
public struct SchoolIdentity: Codable, Sendable, Equatable {
    public var id: String
    public var name: String?
    public var region: String?
    public init(id: String, name: String? = nil, region: String? = nil) {
        self.id = id
        self.name = name
        self.region = region
    }
}
