import Foundation
import HTTPTypes

/// What police send to `POST /api/v1/schools/{id}/commands` (and the dashboard's form), checked:
/// `{"kind","camera","stream"?,"duration_seconds"?,"from"?,"to"?}`, or as the outside contract names
/// them `{"type","camera","stream"?,"seconds"?,"from"?,"to"?}` (a clip may then give `from` and
/// `seconds` instead of `to`).
struct CommandRequest: Sendable, Equatable {
    var kind: PoliceCommand.Kind
    var camera: String
    var stream: PoliceCommand.Stream?
    var durationSeconds: Int?
    var from: Date?
    var to: Date?

    /// The fields as sent (strings and numbers still unchecked).
    struct Fields: Decodable {
        var kind: String?
        var camera: String?
        var stream: String?
        var duration_seconds: Int?
        var from: String?
        var to: String?
        /// The contract's name for `kind`.
        var type: String?
        /// The contract's name for `duration_seconds`.
        var seconds: Int?
    }

    /// Every problem at once, each `field: what is wrong — what to do`; `cameras`: the school's
    /// cameras from its last heartbeat (nil: it has not reported, any camera id is taken).
    static func checked(_ fields: Fields, now: Date, cameras: [String]?) -> Result<CommandRequest, CommandRefusal> {
        var problems: [String] = []
        // `type`/`seconds` (the contract's names) stand for `kind`/`duration_seconds`; both at once must agree.
        let kindName = fields.kind == nil && fields.type != nil ? "type" : "kind"
        let kindText = fields.kind ?? fields.type
        var kind = kindText.flatMap(PoliceCommand.Kind.init(rawValue:))
        if kind == nil {
            problems.append(
                "\(kindName): \(kindText.map { "\"\($0.prefix(40))\"" } ?? "missing") — send live, clip or snapshot")
        } else if let type = fields.type, let given = fields.kind, type != given {
            problems.append("type: \"\(type.prefix(40))\" differs from kind \"\(given.prefix(40))\" — send one of them")
            kind = nil
        }
        let secondsName = fields.duration_seconds == nil && fields.seconds != nil ? "seconds" : "duration_seconds"
        var duration = fields.duration_seconds ?? fields.seconds
        if let seconds = fields.seconds, let given = fields.duration_seconds, seconds != given {
            problems.append("seconds: \(seconds) differs from duration_seconds \(given) — send one of them")
        }
        let camera = fields.camera ?? ""
        if camera.isEmpty || camera.utf8.count > CommandLimits.maximumCameraLength
            || camera.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        {
            problems.append(
                "camera: \(fields.camera == nil ? "missing" : "not a camera id") — send the camera's id as the school's page lists it (1–\(CommandLimits.maximumCameraLength) characters)"
            )
        } else if let cameras, !cameras.contains(camera) {
            problems.append(
                "camera: \"\(camera)\" is not among the school's cameras (\(cameras.prefix(20).joined(separator: ", "))) — send one of those"
            )
        }
        var stream: PoliceCommand.Stream?
        if let text = fields.stream {
            stream = PoliceCommand.Stream(rawValue: text)
            if stream == nil { problems.append("stream: \"\(text.prefix(20))\" — send main or sub, or leave it out") }
        }
        let from = fields.from.map { WireDateFormat.parse($0) }
        var to = fields.to.map { WireDateFormat.parse($0) }
        if case .some(.none) = from {
            problems.append("from: not an ISO 8601 date-time — send e.g. 2026-12-01T08:00:00Z")
        }
        if case .some(.none) = to { problems.append("to: not an ISO 8601 date-time — send e.g. 2026-12-01T08:10:00Z") }
        switch kind {
        case .live:
            duration = duration ?? CommandLimits.defaultLiveSeconds
            if let duration, !(1...CommandLimits.maximumLiveSeconds).contains(duration) {
                problems.append(
                    "\(secondsName): \(duration) — live view lasts 1…\(CommandLimits.maximumLiveSeconds) seconds")
            }
            if fields.from != nil || fields.to != nil {
                problems.append("from/to: only for a clip — leave them out of a live command")
            }
        case .clip:
            if let duration {
                // `from` and a length stand for `from` and `to`.
                if fields.to != nil {
                    problems.append("\(secondsName): not with to — give from and to, or from and \(secondsName)")
                } else if !(1...CommandLimits.maximumClipSeconds).contains(duration) {
                    problems.append(
                        "\(secondsName): \(duration) — a clip covers 1…\(CommandLimits.maximumClipSeconds) s of footage; ask for several"
                    )
                } else if let start = from ?? nil {
                    to = .some(start.addingTimeInterval(Double(duration)))
                }
            }
            if fields.from == nil { problems.append("from: missing — a clip needs from and to (ISO 8601)") }
            if fields.to == nil && duration == nil {
                problems.append("to: missing — a clip needs from and to (ISO 8601)")
            }
            if let start = from ?? nil, let end = to ?? nil {
                let seconds = end.timeIntervalSince(start)
                if seconds <= 0 {
                    problems.append("to: not after from — send a range that ends after it starts")
                } else if seconds > Double(CommandLimits.maximumClipSeconds) {
                    problems.append(
                        "from/to: \(Int(seconds)) s of footage — a clip covers at most \(CommandLimits.maximumClipSeconds) s; ask for several"
                    )
                }
                if end > now.addingTimeInterval(60) {
                    problems.append("to: in the future — a clip is cut from recordings; for now, use live")
                }
            }
        case .snapshot:
            if duration != nil || fields.from != nil || fields.to != nil {
                problems.append("\(secondsName)/from/to: not for a snapshot — send \(kindName) and camera only")
            }
        case nil:
            break
        }
        guard let kind, problems.isEmpty else {
            return .failure(CommandRefusal(.unprocessableContent, code: "invalid_command", problems: problems))
        }
        return .success(
            CommandRequest(
                kind: kind, camera: camera, stream: stream, durationSeconds: kind == .live ? duration : nil,
                from: from ?? nil, to: to ?? nil))
    }

    /// The command as issued now by `issuedBy`.
    func command(id: String, schoolID: String, issuedBy: String, at now: Date) -> PoliceCommand {
        PoliceCommand(
            id: id, schoolID: schoolID, kind: kind, camera: camera, stream: stream, durationSeconds: durationSeconds,
            from: from, to: to, issuedAt: now, expiresAt: now.addingTimeInterval(CommandLimits.lifetime),
            issuedBy: issuedBy)
    }

    /// A one-line description for the audit log.
    var summary: String {
        var parts = ["\(kind.rawValue) \(camera)"]
        if let stream { parts.append(stream.rawValue) }
        if let durationSeconds { parts.append("\(durationSeconds) s") }
        if let from, let to { parts.append("\(WireDateFormat.format(from))–\(WireDateFormat.format(to))") }
        return parts.joined(separator: " ")
    }
}
