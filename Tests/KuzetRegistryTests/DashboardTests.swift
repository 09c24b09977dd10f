import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KuzetProtocol
import KuzetRegistry
import KuzetTestKit
import NIOCore
import Testing

@Suite("Dashboard", .timeLimit(.minutes(2)))
struct DashboardTests {
    @Test(
        "a ?token= link sets an HttpOnly cookie and redirects to the page without the token",
        arguments: StoreKind.allCases)
    func tokenLink(kind: StoreKind) async throws {
        try await withRegistry(kind) { registry in
            let viewer = try await registry.token(Principal(role: .viewer))
            let response = try await registry.get("/?token=\(viewer)&flag=OFFLINE", token: nil)
            #expect(response.status == .seeOther)
            #expect(response.headers[.location] == "/?flag=OFFLINE")
            let cookie = try #require(response.headers[.setCookie])
            #expect(
                cookie.hasPrefix("kuzet_session=\(viewer);") && cookie.contains("HttpOnly")
                    && cookie.contains("SameSite=Strict"))
            let page = try await registry.get(
                "/?flag=OFFLINE", token: nil, headers: [.cookie: "kuzet_session=\(viewer)"])
            #expect(page.status == .ok)
            #expect(page.text.contains("<table id=\"regions\">"))
            #expect(!page.text.contains(viewer))
        }
    }

    @Test("the login form takes a viewer token and refuses a wrong one", arguments: StoreKind.allCases)
    func loginForm(kind: StoreKind) async throws {
        try await withRegistry(kind) { registry in
            let viewer = try await registry.token(Principal(role: .viewer))
            let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
            let wrong = try await registry.client.execute(
                uri: "/login", method: .post, headers: form, body: ByteBuffer(string: "token=kzv_wrong"))
            #expect(wrong.status == .unauthorized)
            #expect(wrong.headers[.setCookie] == nil)
            let right = try await registry.client.execute(
                uri: "/login", method: .post, headers: form, body: ByteBuffer(string: "token=\(viewer)"))
            #expect(right.status == .seeOther && right.headers[.location] == "/")
            #expect(right.headers[.setCookie]?.hasPrefix("kuzet_session=\(viewer);") == true)
        }
    }

    @Test("a cookie cannot be used to post heartbeats", arguments: StoreKind.allCases)
    func cookieCannotPost(kind: StoreKind) async throws {
        try await withRegistry(kind) { registry in
            let school = try await registry.schoolToken("KZ-AST-0001")
            let response = try await registry.client.execute(
                uri: "/api/v1/heartbeats", method: .post,
                headers: [.contentType: "application/json", .cookie: "kuzet_session=\(school)"],
                body: ByteBuffer(bytes: Sample(schoolID: "KZ-AST-0001").heartbeat(1, at: registry.clock.date).json))
            #expect(response.status == .unauthorized)
        }
    }

    @Test("the home page shows the region percentages and flagged schools", arguments: StoreKind.allCases)
    func homePage(kind: StoreKind) async throws {
        try await withRegistry(kind) { registry in
            for index in 0..<4 {
                let id = "KZ-AST-000\(index)"
                let token = try await registry.schoolToken(id, name: "School \(index)", region: "Astana")
                var sample = Sample(schoolID: id)
                if index == 3 { sample.push = .failing }
                _ = try await registry.post(sample.heartbeat(1, at: registry.clock.date).json, token: token)
            }
            let viewer = try await registry.token(Principal(role: .viewer))
            let page = try await registry.get("/", token: viewer)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            #expect(page.text.contains("<td class=\"num\">3 <span class=\"pct\">75.0%</span>"))
            #expect(page.text.contains("<span class=\"flag NOT_DELIVERING\""))
            #expect(page.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
            #expect(!page.text.contains("http://") && !page.text.contains("https://"), "no external resources")
            let school = try await registry.get("/schools/KZ-AST-0003", token: viewer)
            #expect(school.text.contains("<table id=\"cameras\">") && school.text.contains("<table id=\"history\">"))
            #expect(school.text.contains("NOT_DELIVERING"))
        }
    }
}
