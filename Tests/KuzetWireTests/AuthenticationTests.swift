import KuzetWire
import Testing

@Suite struct AuthenticationTests {
    /// RFC 2617 §3.5's worked example.
    static let challenge =
        #"Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41""#

    @Test func answersTheRFCsDigestExample() throws {
        let parsed = try #require(DigestChallenge(headers: ["Basic realm=\"x\"", Self.challenge]))
        #expect(parsed.qop == "auth")
        let header = parsed.authorization(
            method: "GET", uri: "/dir/index.html", username: "Mufasa", password: "Circle Of Life", cnonce: "0a4f113b")
        #expect(header.contains(#"response="6629fae49393a05397450978507c4ef1""#))
    }

    @Test func aServerAcceptsItsOwnChallengesAnswerAndNothingElse() throws {
        let challenge = DigestChallenge(realm: "kuzet", nonce: "abc")
        let right = challenge.authorization(
            method: "DESCRIBE", uri: "rtsp://box/entrance", username: "cou", password: "s3cret")
        let wrong = challenge.authorization(
            method: "DESCRIBE", uri: "rtsp://box/entrance", username: "cou", password: "guess")
        let answer = try #require(try DigestAuthorization(header: right))
        #expect(answer.proves(username: "cou", password: "s3cret", realm: "kuzet", nonce: "abc", method: "DESCRIBE"))
        #expect(!answer.proves(username: "cou", password: "s3cret", realm: "kuzet", nonce: "other", method: "DESCRIBE"))
        #expect(
            try #require(try DigestAuthorization(header: wrong)).proves(
                username: "cou", password: "s3cret", realm: "kuzet", nonce: "abc", method: "DESCRIBE") == false)
    }

    @Test func refusesAnUnreadableOrIncompleteDigestAnswer() {
        #expect(throws: WireError.badAuthorization) {
            try DigestAuthorization(header: #"Digest username="cou", realm="kuzet"#)
        }
        #expect(throws: WireError.badAuthorization) { try DigestAuthorization(header: #"Digest username="cou""#) }
        let many = "Digest " + (0..<40).map { "k\($0)=v" }.joined(separator: ", ")
        #expect(throws: WireError.badAuthorization) { try DigestAuthorization(header: many) }
        #expect(throws: WireError.badAuthorization) {
            try DigestAuthorization(header: "Digest " + String(repeating: "a", count: 9000) + "=1")
        }
    }

    @Test func ignoresAnotherScheme() throws {
        #expect(try DigestAuthorization(header: "Basic Y291OnMzY3JldA==") == nil)
        #expect(try BasicAuthorization(header: "Digest username=\"x\"") == nil)
    }

    @Test func readsAndWritesBasic() throws {
        let basic = BasicAuthorization(username: "cou", password: "s3:cret")
        #expect(basic.header == "Basic Y291OnMzOmNyZXQ=")
        #expect(try BasicAuthorization(header: basic.header) == basic)
        #expect(throws: WireError.badAuthorization) { try BasicAuthorization(header: "Basic !!!") }
        #expect(BasicAuthorization.isOffered(["Digest realm=x", "basic realm=\"y\""]))
    }
}
