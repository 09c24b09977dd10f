import Foundation
import KuzetDiscovery
import KuzetTestKit
import Testing

/// Devices we do not trust: every hostile answer is refused with a clear message, inside the limit.
@Suite(.serialized)
struct HostileDeviceTests {
    static let limits = ExchangeLimits(timeout: 2, maxBytes: 2 << 20)

    func inspect(_ path: String, on server: ReplayServer) async -> (ONVIFError?, Double) {
        let started = Date()
        let client = ONVIFClient(
            deviceURL: server.url(path), credentials: ReplayServer.credentials, limits: Self.limits)
        let error = await #expect(throws: ONVIFError.self) { try await client.inspect() }
        return (error, Date().timeIntervalSince(started))
    }

    @Test func anXXEPayloadIsRefusedBeforeAnyEntityIsResolved() async throws {
        let server = try ReplayServer(device: "hikvision-ds-2cd2043g0-i")
        defer { server.stop() }
        let (error, seconds) = await inspect("/hostile/xxe", on: server)
        #expect(error?.description.contains("DOCTYPE") == true, "\(String(describing: error))")
        #expect(error?.description.contains("root:") == false) // nothing of /etc/passwd
        #expect(seconds < Self.limits.timeout + 3)
    }

    @Test func aFiftyMegabyteAnswerIsCutOffAtTheSizeLimit() async throws {
        let server = try ReplayServer(device: "hikvision-ds-2cd2043g0-i")
        defer { server.stop() }
        let (error, seconds) = await inspect("/hostile/huge", on: server)
        #expect(error?.kind == .exchange(.tooLarge(limit: Self.limits.maxBytes)), "\(String(describing: error))")
        #expect(error?.description.contains("2048 KiB limit") == true)
        // bounded (the device would go on forever); slack for a loaded CI box
        #expect(seconds < Self.limits.timeout + 3)
    }

    @Test func anAnswerThatNeverEndsIsAbandonedAtTheTimeout() async throws {
        let server = try ReplayServer(device: "hikvision-ds-2cd2043g0-i")
        defer { server.stop() }
        let (error, seconds) = await inspect("/hostile/endless", on: server)
        #expect(error?.kind == .exchange(.timedOut(seconds: Self.limits.timeout)), "\(String(describing: error))")
        #expect(error?.description.contains("no complete answer within 2.0 s") == true)
        // bounded (the device would go on forever); slack for a loaded CI box
        #expect(seconds < Self.limits.timeout + 3)
    }

    @Test func aDeviceListingHundredsOfProfilesIsAskedForTheFirst128Only() async throws {
        let server = try ReplayServer(device: "hikvision-ds-2cd2043g0-i", extraProfiles: 300)
        defer { server.stop() }
        let report = try await ONVIFClient(
            deviceURL: server.deviceURL, credentials: ReplayServer.credentials, limits: Self.limits
        ).inspect()
        #expect(report.profiles.count == 128)
        let asked = server.process.output.components(separatedBy: "REQUEST GetStreamUri").count - 1
        #expect(asked == 128, "GetStreamUri asked \(asked) times")
        #expect(
            report.problems == [
                "\(server.deviceURL): lists 302 media profiles — only the first 128 were asked for their stream; add the rest by hand if the device really has them"
            ])
    }

    @Test func malformedXMLIsReportedWithItsPosition() async throws {
        let server = try ReplayServer(device: "hikvision-ds-2cd2043g0-i")
        defer { server.stop() }
        let (error, seconds) = await inspect("/hostile/malformed", on: server)
        #expect(error?.description.contains("malformed at line") == true, "\(String(describing: error))")
        #expect(seconds < Self.limits.timeout + 3)
    }
}

/// The XML layer alone.
struct SafeXMLParserTests {
    @Test func anExternalEntityIsNeverResolved() {
        let xxe = #"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>"#
        #expect(throws: XMLSafetyError.documentTypeDeclaration) { try SafeXMLParser().parse(xxe) }
    }

    @Test func entityExpansionBombsAreRefused() {
        let bomb =
            #"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]><lolz>&lol2;</lolz>"#
        #expect(throws: XMLSafetyError.documentTypeDeclaration) { try SafeXMLParser().parse(bomb) }
    }

    @Test func lowerCaseDoctypeIsCaughtToo() {
        #expect(throws: XMLSafetyError.documentTypeDeclaration) { try SafeXMLParser().parse("<!doctype r><r/>") }
    }

    @Test func oversizeDocumentsAreRefusedBeforeParsing() {
        let big = "<r>" + String(repeating: "a", count: 5000) + "</r>"
        #expect(throws: XMLSafetyError.tooLarge(bytes: big.utf8.count, limit: 1000)) {
            try SafeXMLParser(maxBytes: 1000).parse(big)
        }
    }

    @Test func deepNestingIsRefused() {
        let deep = String(repeating: "<a>", count: 100) + String(repeating: "</a>", count: 100)
        #expect(throws: XMLSafetyError.tooDeep(limit: 64)) { try SafeXMLParser().parse(deep) }
    }

    @Test func elementsAreFoundByLocalNameWhateverThePrefix() throws {
        let root = try SafeXMLParser().parse(
            #"<s:Envelope xmlns:s="urn:s" xmlns:tt="urn:tt"><s:Body><tt:Uri>rtsp://h/a?x=1&amp;y=2</tt:Uri></s:Body></s:Envelope>"#
        )
        #expect(root.name == "Envelope")
        #expect(root.text(at: "Body", "Uri") == "rtsp://h/a?x=1&y=2")
    }
}
