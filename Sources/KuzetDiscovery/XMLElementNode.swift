import Foundation

/// One element of a parsed XML document: local name, namespace, attributes, text and children.
///
/// Devices disagree on prefixes (`tt:`, `tds:`, none at all), so lookups go by local name.
public struct XMLElementNode: Sendable, Equatable {
    public var name: String
    public var namespace: String?
    /// Attributes by local name (prefixes dropped).
    public var attributes: [String: String]
    public var children: [XMLElementNode]
    /// The element's own character data, trimmed.
    public var text: String

    public init(
        name: String, namespace: String? = nil, attributes: [String: String] = [:], children: [XMLElementNode] = [],
        text: String = ""
    ) {
        self.name = name
        self.namespace = namespace
        self.attributes = attributes
        self.children = children
        self.text = text
    }

    /// The first direct child called `name`.
    public func child(_ name: String) -> XMLElementNode? { children.first { $0.name == name } }

    /// Every direct child called `name`.
    public func children(named name: String) -> [XMLElementNode] { children.filter { $0.name == name } }

    /// The first element called `name` at any depth below this one (depth first, document order).
    public func first(_ name: String) -> XMLElementNode? {
        for child in children {
            if child.name == name { return child }
            if let found = child.first(name) { return found }
        }
        return nil
    }

    /// Every element called `name` below this one, in document order (not descending into matches).
    public func all(_ name: String) -> [XMLElementNode] {
        var found: [XMLElementNode] = []
        for child in children {
            if child.name == name { found.append(child) } else { found += child.all(name) }
        }
        return found
    }

    /// The text of the element at `path` (local names) below this one, e.g. `["Resolution", "Width"]`.
    public func text(at path: String...) -> String? {
        var node: XMLElementNode? = self
        for step in path { node = node?.first(step) }
        guard let text = node?.text, !text.isEmpty else { return nil }
        return text
    }
}
