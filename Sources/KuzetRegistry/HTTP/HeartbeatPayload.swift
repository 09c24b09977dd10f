import Foundation
import HTTPTypes
import KuzetProtocol

/// Turns a `POST /api/v1/heartbeats` body into heartbeats, or into a clear 4xx.
/// Accepts a `HeartbeatBatch` (an object with `heartbeats`) or one bare `Heartbeat`.
///
/// `decode` is the whole of reading a body from the network (the fuzz target's entry point): bytes
/// in, heartbeats or an `APIError` out, never a trap. Members it does not know are read past (a
/// newer agent may send more), and such a body is not kept as sent: `isPlain` is false and history
/// keeps the heartbeats encoded again, so unknown members cannot pad it.
package enum HeartbeatPayload {
    static let maximumBatch = 1000

    /// What a body held.
    package struct Decoded: Sendable {
        package var heartbeats: [Heartbeat]
        package var isBatch: Bool
        /// Only known members, plainly written (`HeartbeatPayloadProbe.isPlain`): history may keep the bytes as sent.
        package var isPlain: Bool
    }

    package static func decode(_ body: Data) throws(APIError) -> Decoded {
        // Every parser below recurses once per level of nesting: a body nested deeper than any
        // heartbeat is refused before one sees it.
        if let offset = JSONNesting.offsetBeyond(in: body) {
            throw APIError(
                .badRequest, code: "too_deep",
                message:
                    "body: nested more than \(JSONNesting.limit) levels deep (at byte \(offset)) — send a HeartbeatBatch or a Heartbeat as docs/registry-api.yaml describes"
            )
        }
        // One pass for the usual, well-formed body; anything it does not accept goes through the
        // checks below, which give the precise answer (they parse the body twice).
        if let probe = HeartbeatReader.read(body)
            ?? (try? RegistryJSON.decoder.decode(HeartbeatPayloadProbe.self, from: body)),
            probe.isAcceptable
        {
            return Decoded(heartbeats: probe.heartbeats, isBatch: probe.isBatch, isPlain: probe.isPlain)
        }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: body, options: [])
        } catch {
            throw APIError(
                .badRequest, code: "invalid_json",
                message:
                    "body: not valid JSON (\(Self.describe(error))) — send a UTF-8 JSON object, a HeartbeatBatch or a Heartbeat"
            )
        }
        guard let dictionary = object as? [String: Any] else {
            throw APIError(
                .badRequest, code: "invalid_json",
                message:
                    "body: not a JSON object — send a HeartbeatBatch {\"version\":1,\"heartbeats\":[…]} or one Heartbeat"
            )
        }
        let isBatch = dictionary["heartbeats"] != nil
        try checkVersion(dictionary["version"], at: "version")
        if isBatch, let list = dictionary["heartbeats"] as? [Any] {
            guard list.count <= maximumBatch else {
                throw APIError(
                    .contentTooLarge, code: "batch_too_large",
                    message:
                        "heartbeats: \(list.count) in one batch, at most \(maximumBatch) — send the outbox in smaller batches"
                )
            }
            for (index, item) in list.enumerated() {
                try checkVersion((item as? [String: Any])?["version"], at: "heartbeats[\(index)].version")
            }
        }
        // Foundation's decoder on Linux reports an out-of-range integer without its path: check the
        // sequence (the one 64-bit field) here so the answer names it.
        let items = isBatch ? (dictionary["heartbeats"] as? [Any] ?? []) : [dictionary]
        var problems: [String] = []
        for (index, item) in items.enumerated() {
            guard let sequence = (item as? [String: Any])?["sequence"] as? NSNumber else { continue }
            let text = sequence.stringValue
            if UInt64(text).map({ $0 >= 1 && $0 <= UInt64(Int64.max) }) != true {
                problems.append(
                    "\(isBatch ? "heartbeats[\(index)]." : "")sequence: \(text.prefix(40)) is out of range 1…\(Int64.max) — send the agent's counter (a whole number from 1)"
                )
            }
        }
        if !problems.isEmpty {
            throw APIError(.unprocessableContent, code: "invalid_heartbeat", message: problems[0], problems: problems)
        }
        let heartbeats: [Heartbeat]
        do {
            if isBatch {
                heartbeats = try RegistryJSON.decoder.decode(HeartbeatBatch.self, from: body).heartbeats
            } else {
                heartbeats = [try RegistryJSON.decoder.decode(Heartbeat.self, from: body)]
            }
        } catch let error as DecodingError {
            throw APIError(
                .unprocessableContent, code: "invalid_heartbeat", message: Self.describe(error, batch: isBatch),
                problems: [Self.describe(error, batch: isBatch)])
        } catch {
            throw APIError(.unprocessableContent, code: "invalid_heartbeat", message: "body: \(error)")
        }
        guard !heartbeats.isEmpty else {
            throw APIError(
                .unprocessableContent, code: "invalid_heartbeat",
                message: "heartbeats: empty — send at least one heartbeat")
        }
        return Decoded(heartbeats: heartbeats, isBatch: isBatch, isPlain: false)
    }

    /// The wire version must be present and known (missing or another value → 400 unsupported_version).
    static func checkVersion(_ value: Any?, at path: String) throws(APIError) {
        // JSONSerialization gives NSNumber on Linux (also for booleans): compare its text form.
        let shown = value.map { "\($0)" } ?? "missing"
        let isBoolean = value.map { type(of: $0) == Bool.self || "\(type(of: $0))".contains("Bool") } ?? false
        guard !isBoolean, let number = value as? NSNumber, number.stringValue == "\(WireVersion.current)" else {
            throw APIError(
                .badRequest, code: "unsupported_version",
                message:
                    "\(path): \(shown.prefix(40)) is not a wire version this registry knows — send \"version\": \(WireVersion.current) (upgrade the agent or the registry)"
            )
        }
    }

    static func describe(_ error: any Error) -> String {
        let text = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
        return String(text.prefix(200))
    }

    /// `heartbeats[2].storage.free_bytes: missing — add it` and the like.
    static func describe(_ error: DecodingError, batch: Bool) -> String {
        func path(_ codingPath: [any CodingKey], _ key: (any CodingKey)? = nil) -> String {
            var text = ""
            for component in codingPath + (key.map { [$0] } ?? []) {
                if let index = component.intValue {
                    text += "[\(index)]"
                } else {
                    text += (text.isEmpty ? "" : ".") + component.stringValue
                }
            }
            return text.isEmpty ? "body" : text
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "\(path(context.codingPath, key)): missing — add it (see docs/registry-api.yaml)"
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath)): wrong type — send a \(typeName(type))"
        case .valueNotFound(let type, let context):
            return "\(path(context.codingPath)): null — send a \(typeName(type))"
        case .dataCorrupted(let context):
            return "\(path(context.codingPath)): \(context.debugDescription) — fix the value"
        @unknown default:
            return "body: \(error)"
        }
    }

    static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "string"
        case is Int.Type, is UInt64.Type, is Int64.Type: "whole number in range"
        case is Double.Type: "number"
        case is Bool.Type: "boolean"
        case is Date.Type: "ISO 8601 date-time string"
        default: "\(type)".lowercased()
        }
    }
}
