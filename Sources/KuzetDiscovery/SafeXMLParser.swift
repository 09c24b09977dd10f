import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Why a device's XML was refused.
public enum XMLSafetyError: Error, Sendable, Equatable, CustomStringConvertible {
    case tooLarge(bytes: Int, limit: Int)
    case documentTypeDeclaration
    case tooDeep(limit: Int)
    case tooSlow(seconds: Double)
    case malformed(line: Int, column: Int, reason: String)

    public var description: String {
        switch self {
        case .tooLarge(let bytes, let limit): "XML of \(bytes) bytes is over the \(limit)-byte limit"
        case .documentTypeDeclaration:
            "XML carries a DOCTYPE (DTD/entity declarations are refused: XXE and entity-expansion protection)"
        case .tooDeep(let limit): "XML nests deeper than \(limit) levels"
        case .tooSlow(let seconds): "XML took longer than \(seconds) s to parse"
        case .malformed(let line, let column, let reason):
            "XML is malformed at line \(line), column \(column): \(reason)"
        }
    }
}

/// Parses XML from devices we do not trust.
///
/// FoundationXML's `XMLParser` (libxml2) with external entities off; any `<!DOCTYPE` is refused
/// before parsing (so no internal entity can be declared either: no billion-laughs), and size,
/// depth and time are bounded.
public struct SafeXMLParser: Sendable {
    public var maxBytes: Int
    public var maxDepth: Int
    public var maxSeconds: Double

    public init(maxBytes: Int = 2 << 20, maxDepth: Int = 64, maxSeconds: Double = 2) {
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
        self.maxSeconds = maxSeconds
    }

    public func parse(_ bytes: [UInt8]) throws(XMLSafetyError) -> XMLElementNode {
        guard bytes.count <= maxBytes else { throw .tooLarge(bytes: bytes.count, limit: maxBytes) }
        if Self.containsDocumentType(bytes) { throw .documentTypeDeclaration }
        // FoundationXML force-unwraps every name libxml2 hands it as UTF-8: an element name that
        // is not valid UTF-8 (`<\u{FF}\u{FF}\u{FF}`, `<a:\u{FF} xmlns:a="u"/>`) traps the whole
        // process (found by Fuzz/fuzz-soap-xml). ONVIF and WS-Discovery answers are UTF-8.
        if let offset = Self.firstInvalidUTF8(bytes) {
            throw .malformed(
                line: 0, column: 0, reason: "byte \(offset) is not UTF-8 (ONVIF and WS-Discovery answers are UTF-8)")
        }
        // FoundationXML calls strlen on a processing instruction's data, which libxml2 gives as
        // NULL for `<?x?>`: SIGSEGV (found by Fuzz/fuzz-ws-discovery). Devices send none.
        if let offset = Self.firstProcessingInstruction(bytes) {
            throw .malformed(
                line: 0, column: 0,
                reason: "a processing instruction at byte \(offset) (<?…?> other than the XML declaration) is refused")
        }
        let parser = XMLParser(data: Data(bytes))
        parser.shouldResolveExternalEntities = false
        parser.shouldProcessNamespaces = true
        parser.shouldReportNamespacePrefixes = false
        let builder = TreeBuilder(
            maxDepth: maxDepth, deadline: DispatchTime.now() + maxSeconds, maxSeconds: maxSeconds)
        parser.delegate = builder
        let ok = parser.parse()
        if let failure = builder.failure { throw failure }
        guard ok, let root = builder.root else {
            let reason = parser.parserError.map { ($0 as NSError).localizedDescription } ?? "no root element"
            throw .malformed(line: parser.lineNumber, column: parser.columnNumber, reason: reason)
        }
        return root
    }

    public func parse(_ text: String) throws(XMLSafetyError) -> XMLElementNode { try parse(Array(text.utf8)) }

    /// Where the first byte that is not part of a valid UTF-8 sequence is, or nil.
    static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let scalar): offset += scalar.count
            case .error: return offset
            case .emptyInput: return nil
            }
        }
    }

    /// Where the first `<?` that is not the XML declaration at the start (after a BOM) is, or nil.
    static func firstProcessingInstruction(_ bytes: [UInt8]) -> Int? {
        let start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var index = 0
        while index + 1 < bytes.count {
            if bytes[index] == UInt8(ascii: "<") && bytes[index + 1] == UInt8(ascii: "?") {
                let isDeclaration =
                    index == start && bytes.count > index + 5
                    && bytes[(index + 2)..<(index + 5)].elementsEqual("xml".utf8)
                    && [0x20, 0x09, 0x0D, 0x0A].contains(bytes[index + 5])
                if !isDeclaration { return index }
            }
            index += 1
        }
        return nil
    }

    /// True when the document declares a DTD anywhere (`<!DOCTYPE`, any case; `<!ENTITY` too).
    static func containsDocumentType(_ bytes: [UInt8]) -> Bool {
        let markers: [[UInt8]] = [Array("<!doctype".utf8), Array("<!entity".utf8)]
        guard bytes.count >= 8 else { return false }
        var index = 0
        while index < bytes.count - 1 {
            if bytes[index] == UInt8(ascii: "<") && bytes[index + 1] == UInt8(ascii: "!") {
                for marker in markers where index + marker.count <= bytes.count {
                    var matches = true
                    for offset in 2..<marker.count {
                        let byte = bytes[index + offset]
                        let lower = (byte >= 65 && byte <= 90) ? byte + 32 : byte
                        if lower != marker[offset] {
                            matches = false
                            break
                        }
                    }
                    if matches { return true }
                }
            }
            index += 1
        }
        return false
    }
}

/// Builds the element tree; aborts on depth, time, or any DTD callback.
private final class TreeBuilder: NSObject, XMLParserDelegate {
    let maxDepth: Int
    /// On the monotonic clock (`DispatchTime`), not the wall clock.
    let deadline: DispatchTime
    let maxSeconds: Double
    var stack: [XMLElementNode] = []
    var texts: [String] = []
    var root: XMLElementNode?
    var failure: XMLSafetyError?

    init(maxDepth: Int, deadline: DispatchTime, maxSeconds: Double) {
        self.maxDepth = maxDepth
        self.deadline = deadline
        self.maxSeconds = maxSeconds
    }

    private func abort(_ parser: XMLParser, _ error: XMLSafetyError) {
        if failure == nil { failure = error }
        parser.abortParsing()
    }

    private func checkTime(_ parser: XMLParser) -> Bool {
        if DispatchTime.now() > deadline {
            abort(parser, .tooSlow(seconds: maxSeconds))
            return false
        }
        return true
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        guard failure == nil, checkTime(parser) else { return }
        guard stack.count < maxDepth else { return abort(parser, .tooDeep(limit: maxDepth)) }
        var plain: [String: String] = [:]
        for (key, value) in attributes { plain[Self.localName(key)] = value }
        stack.append(XMLElementNode(name: Self.localName(elementName), namespace: namespaceURI, attributes: plain))
        texts.append("")
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        guard failure == nil, var element = stack.popLast(), let text = texts.popLast() else { return }
        element.text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if stack.isEmpty { root = element } else { stack[stack.count - 1].children.append(element) }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        guard failure == nil, !texts.isEmpty else { return }
        texts[texts.count - 1] += string
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        guard failure == nil, !texts.isEmpty else { return }
        texts[texts.count - 1] += String(decoding: CDATABlock, as: UTF8.self)
    }

    func parser(_ parser: XMLParser, foundInternalEntityDeclarationWithName name: String, value: String?) {
        abort(parser, .documentTypeDeclaration)
    }

    func parser(
        _ parser: XMLParser, foundExternalEntityDeclarationWithName name: String, publicID: String?, systemID: String?
    ) {
        abort(parser, .documentTypeDeclaration)
    }

    func parser(_ parser: XMLParser, resolveExternalEntityName name: String, systemID: String?) -> Data? {
        abort(parser, .documentTypeDeclaration)
        return nil
    }

    static func localName(_ name: String) -> String {
        guard let colon = name.lastIndex(of: ":") else { return name }
        return String(name[name.index(after: colon)...])
    }
}
