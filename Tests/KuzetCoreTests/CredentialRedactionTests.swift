import KuzetCore
import Testing

@Suite struct CredentialRedactionTests {
    @Test func redactHidesThePasswordAndKeepsTheUser() {
        #expect(
            CredentialRedaction.redact("open rtsp://admin:s3cret@10.0.0.5/live failed")
                == "open rtsp://admin:***@10.0.0.5/live failed")
        #expect(CredentialRedaction.redact("postgres://kuzet:pw@db:5432/kuzet") == "postgres://kuzet:***@db:5432/kuzet")
    }

    @Test func stripRemovesUserAndPassword() {
        #expect(CredentialRedaction.strip("rtsp://admin:s3cret@10.0.0.5/live") == "rtsp://10.0.0.5/live")
        #expect(
            CredentialRedaction.strip("http://onvif@10.0.0.5/onvif/device_service")
                == "http://10.0.0.5/onvif/device_service")
    }

    @Test func textWithoutCredentialsIsUnchanged() {
        for text in ["rtsp://10.0.0.5/live", "no URL here", "mailto:someone@example.org"] {
            #expect(CredentialRedaction.redact(text) == text)
            #expect(CredentialRedaction.strip(text) == text)
        }
    }
}
