import Testing

@testable import KuzetRelay

@Suite struct RTSPDigestAuthenticatorTests {
    /// The worked example of RFC 2617 §3.5 (qop=auth).
    @Test func acceptsTheRFC2617Example() {
        let authenticator = RTSPDigestAuthenticator(
            username: "Mufasa", password: "Circle Of Life", realm: "testrealm@host.com",
            nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093")
        let header =
            #"Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="/dir/index.html", qop=auth, nc=00000001, cnonce="0a4f113b", response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41""#
        #expect(authenticator.accepts(authorization: header, method: "GET"))
    }

    @Test func acceptsTheRFC2069FormRTSPClientsSend() {
        let authenticator = RTSPDigestAuthenticator(username: "cou", password: "s3cret", realm: "kuzet", nonce: "abc")
        let ha1 = RTSPDigestAuthenticator.md5("cou:kuzet:s3cret")
        let ha2 = RTSPDigestAuthenticator.md5("DESCRIBE:rtsp://box:8554/entrance")
        let response = RTSPDigestAuthenticator.md5("\(ha1):abc:\(ha2)")
        let header =
            #"Digest username="cou", realm="kuzet", nonce="abc", uri="rtsp://box:8554/entrance", response="\#(response)""#
        #expect(authenticator.accepts(authorization: header, method: "DESCRIBE"))
    }

    @Test func refusesAWrongPassword() {
        let authenticator = RTSPDigestAuthenticator(username: "cou", password: "s3cret", realm: "kuzet", nonce: "abc")
        let ha1 = RTSPDigestAuthenticator.md5("cou:kuzet:guess")
        let ha2 = RTSPDigestAuthenticator.md5("DESCRIBE:rtsp://box/entrance")
        let response = RTSPDigestAuthenticator.md5("\(ha1):abc:\(ha2)")
        let header =
            #"Digest username="cou", realm="kuzet", nonce="abc", uri="rtsp://box/entrance", response="\#(response)""#
        #expect(!authenticator.accepts(authorization: header, method: "DESCRIBE"))
    }

    @Test func refusesANonceItDidNotIssue() {
        let authenticator = RTSPDigestAuthenticator(username: "cou", password: "s3cret", realm: "kuzet", nonce: "abc")
        let ha1 = RTSPDigestAuthenticator.md5("cou:kuzet:s3cret")
        let ha2 = RTSPDigestAuthenticator.md5("DESCRIBE:rtsp://box/entrance")
        let response = RTSPDigestAuthenticator.md5("\(ha1):old:\(ha2)")
        let header =
            #"Digest username="cou", realm="kuzet", nonce="old", uri="rtsp://box/entrance", response="\#(response)""#
        #expect(!authenticator.accepts(authorization: header, method: "DESCRIBE"))
    }

    @Test func refusesBasicAuthentication() {
        let authenticator = RTSPDigestAuthenticator(username: "cou", password: "s3cret")
        #expect(!authenticator.accepts(authorization: "Basic Y291OnMzY3JldA==", method: "DESCRIBE"))
    }
}
