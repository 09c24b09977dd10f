import Foundation
import KuzetCore

extension StorageCheck.Report {
    /// The report as `kuzet-agent check` prints it, e.g.
    /// `storage: holds 41.2 days at the current 38.0 Mbit/s — compliant (retention.days: 30)`.
    public var lines: [String] {
        var lines: [String] = []
        let rate = Self.rate(projection.bitsPerSecond)
        let disk =
            "disk \(Self.bytes(space.totalBytes)), free \(Self.bytes(space.freeBytes)), recordings \(Self.bytes(space.recordingsBytes)), kept free \(Self.bytes(reserveBytes))"
        if let days = projection.projectedDays {
            if projection.isCompliant {
                lines.append(
                    String(
                        format: "storage: holds %.1f days at the current %@ — compliant (retention.days: %d; %@)", days,
                        rate, requiredDays, disk))
            } else {
                lines.append(
                    String(
                        format:
                            "storage: holds %.1f days at the current %@ — NOT compliant: %d days need %@ more disk (%@)",
                        days, rate, requiredDays, Self.bytes(projection.missingBytes), disk))
            }
        } else {
            lines.append("storage: nothing is recorded, so there is no rate to project from (\(disk))")
        }
        for camera in cameras {
            var parts: [String] = []
            if let kbps = camera.mainKbps {
                parts.append(String(format: "main %.0f kbit/s (%@)", kbps, camera.mainSource ?? "?"))
            }
            if let kbps = camera.subKbps {
                parts.append(String(format: "sub %.0f kbit/s (%@)", kbps, camera.subSource ?? "?"))
            }
            if camera.mainKbps == nil, let failure = camera.mainProbeFailure {
                parts.append("main not measured (\(failure))")
            }
            if camera.subKbps == nil, let failure = camera.subProbeFailure {
                parts.append("sub not measured (\(failure))")
            }
            lines.append(
                "  camera \(camera.camera): record \(camera.record); \(parts.isEmpty ? "rate not measured" : parts.joined(separator: ", ")); recordings \(Self.bytes(camera.recordedBytes))"
            )
        }
        for camera in unmeasured {
            lines.append(
                "cameras[\(camera)]: no recordings and its stream could not be measured — check that the camera is reachable, then run check again"
            )
        }
        if let plan {
            if !plan.switches.isEmpty {
                let days = plan.projection.projectedDays.map { String(format: "%.1f", $0) } ?? "?"
                lines.append(
                    "plan: record these cameras from their sub stream — retention then reaches \(days) days at \(Self.rate(plan.projection.bitsPerSecond)):"
                )
                for change in plan.switches {
                    lines.append(
                        String(
                            format: "  cameras[%@].record: sub   # main %.0f kbit/s → sub %.0f kbit/s (measured)",
                            change.camera, change.mainKbps, change.subKbps))
                }
            }
            if plan.additionalBytes > 0 {
                lines.append(
                    "plan: \(plan.switches.isEmpty ? "" : "with those changes, ")add \(Self.bytes(plan.additionalBytes)) of disk to keep \(requiredDays) days"
                )
            }
        }
        return lines
    }

    static func rate(_ bitsPerSecond: Double) -> String {
        bitsPerSecond >= 1_000_000
            ? String(format: "%.1f Mbit/s", bitsPerSecond / 1e6) : String(format: "%.0f kbit/s", bitsPerSecond / 1e3)
    }

    static func bytes(_ value: Int64) -> String {
        let units: [(Double, String)] = [(1e12, "TB"), (1e9, "GB"), (1e6, "MB"), (1e3, "kB")]
        for (size, unit) in units where Double(value) >= size {
            return String(format: "%.1f %@", Double(value) / size, unit)
        }
        return "\(value) B"
    }
}
