import Foundation
import KuzetCore
import KuzetWire
import Testing

@testable import KuzetDiscovery

/// ProbeMatch parsing and the device-bug fix-ups, on datagrams shaped like real devices' answers.
struct WSDiscoveryMessageTests {
    /// SOAP 1.1 envelope (old firmware), several XAddrs including IPv6 ones, scopes with %20.
    static let soap11Match = """
        <?xml version="1.0" encoding="UTF-8"?>
        <SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" \
        xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:dn="http://www.onvif.org/ver10/network/wsdl">
        <SOAP-ENV:Header><wsa:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</wsa:Action></SOAP-ENV:Header>
        <SOAP-ENV:Body><d:ProbeMatches><d:ProbeMatch>
        <wsa:EndpointReference><wsa:Address>urn:uuid:4d454930-3932-3731-3630-bcbac2345678</wsa:Address></wsa:EndpointReference>
        <d:Types>dn:NetworkVideoTransmitter tds:Device</d:Types>
        <d:Scopes>onvif://www.onvif.org/type/video_encoder onvif://www.onvif.org/name/HIKVISION%20DS-7608NI-K2 onvif://www.onvif.org/hardware/DS-7608NI-K2 onvif://www.onvif.org/location/city/astana</d:Scopes>
        <d:XAddrs>http://[fe80::bace:f6ff:fe12:3456]/onvif/device_service
         http://169.254.10.20/onvif/device_service http://192.168.1.64/onvif/device_service</d:XAddrs>
        <d:MetadataVersion>10</d:MetadataVersion>
        </d:ProbeMatch></d:ProbeMatches></SOAP-ENV:Body></SOAP-ENV:Envelope>
        """

    @Test func soap11AnswersAreReadWithNameHardwareAndLocation() throws {
        let devices = WSDiscoveryMessage.probeMatches(Array(Self.soap11Match.utf8), sender: "192.168.1.64")
        let device = try #require(devices.first)
        #expect(devices.count == 1)
        #expect(device.endpointReference == "urn:uuid:4d454930-3932-3731-3630-bcbac2345678")
        #expect(device.name == "HIKVISION DS-7608NI-K2")
        #expect(device.hardware == "DS-7608NI-K2")
        #expect(device.location == "city/astana")
        #expect(device.metadataVersion == 10)
    }

    @Test func theSendersXAddrComesFirstAndIPv6IsDroppedWhenIPv4Exists() throws {
        let device = try #require(
            WSDiscoveryMessage.probeMatches(Array(Self.soap11Match.utf8), sender: "192.168.1.64").first)
        #expect(
            device.xaddrs == ["http://192.168.1.64/onvif/device_service", "http://169.254.10.20/onvif/device_service"])
        #expect(device.deviceServiceURL == "http://192.168.1.64/onvif/device_service")
    }

    @Test func anIPv6OnlyDeviceKeepsItsIPv6Address() {
        let fixed = DiscoveredDevice.fixedXAddrs(["http://[fe80::1]:8080/onvif/device_service"], sender: "fe80::1")
        #expect(fixed == ["http://[fe80::1]:8080/onvif/device_service"])
    }

    @Test func datagramsWithADoctypeOrNoXMLAreIgnored() {
        let hostile = #"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/shadow">]><x>&e;</x>"#
        #expect(WSDiscoveryMessage.probeMatches(Array(hostile.utf8), sender: "10.0.0.1").isEmpty)
        #expect(WSDiscoveryMessage.probeMatches(Array("garbage".utf8), sender: "10.0.0.1").isEmpty)
    }

    @Test func theProbeIsAWellFormedSOAPEnvelopeAskingForVideoTransmitters() throws {
        for version in WSDiscoveryMessage.SOAPVersion.allCases {
            let probe = try SafeXMLParser().parse(WSDiscoveryMessage.probe(messageID: "uuid:1", version: version))
            #expect(probe.namespace == version.rawValue)
            #expect(probe.text(at: "Body", "Probe", "Types") == "dn:NetworkVideoTransmitter")
            #expect(probe.text(at: "Header", "Action") == "http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe")
        }
    }
}

/// The authentication arithmetic, against published examples.
struct AuthenticationArithmeticTests {
    /// RFC 2617 §3.5's worked example.
    @Test func httpDigestMatchesTheRFC2617Example() throws {
        let challenge = try #require(
            DigestChallenge(headers: [
                #"Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41""#
            ]))
        let header = challenge.authorization(
            method: "GET", uri: "/dir/index.html", username: "Mufasa", password: "Circle Of Life", cnonce: "0a4f113b",
            nonceCount: 1)
        #expect(header.contains(#"response="6629fae49393a05397450978507c4ef1""#))
        #expect(header.contains("qop=auth,"))
        #expect(header.contains(#"opaque="5ccc069c403ebaf9f0171e9517f40e41""#))
    }

    /// The worked example of the ONVIF Application Programmer's Guide (§6.1.1.3).
    @Test func passwordDigestIsBase64OfSHA1OfNonceCreatedPassword() throws {
        let nonce = try #require(Data(base64Encoded: "LKqI6G/AikKCQrN0zqZFlg=="))
        let digest = UsernameToken.digest(
            nonce: Array(nonce), created: "2010-09-16T07:50:45Z", password: "userpassword")
        #expect(digest == "tuOSpGlFlIXsozq4HFNeeGeFLEI=")
    }

    @Test func theSecurityHeaderUsesTheCamerasClock() {
        let cameraNow = Date(timeIntervalSince1970: 1_700_000_000) // 2023-11-14T22:13:20Z
        let header = UsernameToken(username: "admin", password: "x", kind: .digest).securityHeader(
            created: cameraNow, nonce: Array(repeating: 1, count: 16))
        #expect(header.contains("<wsu:Created>2023-11-14T22:13:20.000Z</wsu:Created>"))
        #expect(header.contains("#PasswordDigest"))
        #expect(!header.contains(">x<"))
    }
}

/// SDP and H.264 SPS parsing.
struct StreamDescriptionTests {
    @Test func sizeAndRateComeFromTheSPSInTheSDP() throws {
        // As gst-rtsp-server describes a 640x360 25 fps x264 stream.
        let sdp =
            "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=x\r\nt=0 0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=fmtp:96 packetization-mode=1;sprop-parameter-sets=Z0LAHtoCgL/lwFqDAwNSgAAAAwCAAAAZR4sXUA==,aM48gA==;profile-level-id=42c01e\r\nm=audio 0 RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\n"
        let session = try #require(StreamDescription(text: sdp))
        let video = try #require(session.video)
        #expect(video.codec == "H264")
        #expect(video.width == 640)
        #expect(video.height == 360)
        #expect(video.frameRate == 25)
        #expect(session.media.map(\.kind) == ["video", "audio"])
        #expect(session.media.last?.codec == "PCMA")
    }
}
