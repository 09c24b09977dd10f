import Foundation
import HTTPTypes
import HummingbirdTesting
import KuzetProtocol
import KuzetRegistry
import KuzetTestKit
import NIOCore
import Testing

@Suite("Report of 500 schools in 5 regions", .timeLimit(.minutes(5)))
struct ReportTests {
    /// Expected rows worked out by hand from `Simulation.regions` (not computed by the code under test):
    /// region, schools, online, online %, delivering, delivering %, compliant, compliant %.
    static let expected: [(String, Int, Int, Double, Int, Double, Int, Double)] = [
        ("Aktobe", 80, 69, 86.3, 61, 76.3, 66, 82.5),
        ("Almaty", 120, 115, 95.8, 110, 91.7, 115, 95.8),
        ("Astana", 100, 97, 97.0, 93, 93.0, 98, 98.0),
        ("Karaganda", 110, 101, 91.8, 94, 85.5, 99, 90.0),
        ("Shymkent", 90, 83, 92.2, 77, 85.6, 82, 91.1),
    ]

    @Test("the JSON report's counts and percentages are exact", arguments: StoreKind.allCases)
    func jsonReport(kind: StoreKind) async throws {
        try await withRegistry(kind) { registry in
            try await Simulation.run(on: registry)
            let viewer = try await registry.token(Principal(role: .viewer))
            let report = try await registry.getJSON("/api/v1/report", token: viewer)
            let rows = try #require(report["regions"] as? [[String: Any]])
            #expect(rows.count == 5)
            for (row, expected) in zip(rows, Self.expected) {
                #expect(row["region"] as? String == expected.0)
                #expect(row["schools"] as? Int == expected.1)
                #expect(row["online"] as? Int == expected.2)
                #expect(row["online_percent"] as? Double == expected.3)
                #expect(row["delivering"] as? Int == expected.4)
                #expect(row["delivering_percent"] as? Double == expected.5)
                #expect(row["retention_compliant"] as? Int == expected.6)
                #expect(row["retention_compliant_percent"] as? Double == expected.7)
            }
            let total = try #require(report["total"] as? [String: Any])
            #expect(total["schools"] as? Int == 500)
            #expect(total["online"] as? Int == 465 && total["online_percent"] as? Double == 93.0)
            #expect(total["delivering"] as? Int == 435 && total["delivering_percent"] as? Double == 87.0)
            #expect(
                total["retention_compliant"] as? Int == 460 && total["retention_compliant_percent"] as? Double == 92.0)

            // The flag filters agree with the states sent.
            for (flag, count) in [
                ("OFFLINE", 35), ("NOT_DELIVERING", 30), ("RETENTION_BELOW_MINIMUM", 40), ("NOT_RECORDING", 15),
                ("DISK_PRESSURE", 0),
            ] {
                let page = try await registry.getJSON("/api/v1/schools?flag=\(flag)&limit=1", token: viewer)
                #expect(page["total"] as? Int == count, "flag \(flag)")
            }
            let aktobeOffline = try await registry.getJSON(
                "/api/v1/schools?region=Aktobe&flag=OFFLINE&limit=500", token: viewer)
            #expect((aktobeOffline["schools"] as? [Any])?.count == 11)
        }
    }

    @Test("the CSV report has the same numbers", arguments: StoreKind.allCases)
    func csvReport(kind: StoreKind) async throws {
        try await withRegistry(kind) { registry in
            try await Simulation.run(on: registry)
            let viewer = try await registry.token(Principal(role: .viewer))
            let response = try await registry.get("/api/v1/report?format=csv", token: viewer)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/csv") == true)
            let lines = response.text.split(separator: "\r\n").map(String.init)
            #expect(
                lines == [
                    "region,schools,online,online_percent,delivering,delivering_percent,retention_compliant,retention_compliant_percent,retention_proven,retention_proven_percent,camera_obstructed",
                    "Aktobe,80,69,86.3,61,76.3,66,82.5,0,0.0,0",
                    "Almaty,120,115,95.8,110,91.7,115,95.8,0,0.0,0",
                    "Astana,100,97,97.0,93,93.0,98,98.0,0,0.0,0",
                    "Karaganda,110,101,91.8,94,85.5,99,90.0,0,0.0,0",
                    "Shymkent,90,83,92.2,77,85.6,82,91.1,0,0.0,0",
                    "TOTAL,500,465,93.0,435,87.0,460,92.0,0,0.0,0",
                ])
        }
    }

    @Test("the school list pages through every school exactly once", arguments: StoreKind.allCases)
    func pagination(kind: StoreKind) async throws {
        try await withRegistry(kind) { registry in
            try await Simulation.run(on: registry)
            let viewer = try await registry.token(Principal(role: .viewer))
            var seen: [String] = []
            var offset: Int? = 0
            while let current = offset {
                let page = try await registry.getJSON("/api/v1/schools?limit=137&offset=\(current)", token: viewer)
                #expect(page["total"] as? Int == 500)
                seen += (page["schools"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                offset = page["next_offset"] as? Int
            }
            #expect(seen.count == 500)
            #expect(Set(seen).count == 500)
            #expect(seen == seen.sorted())
        }
    }
}
