import Foundation
import KuzetProtocol

/// The registry's JSON coders: the wire format of `JSONEncoder.kuzetWire` / `JSONDecoder.kuzetWire`
/// (sorted keys, ISO 8601 dates), with dates read and written by `WireDateFormat`, and built once
/// (the coders are thread-safe) instead of per call.
enum RegistryJSON {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(WireDateFormat.format(date))
        }
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            if let date = WireDateFormat.parse(text) { return date }
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "\"\(text)\" is not an ISO 8601 date-time")
        }
        return decoder
    }()
}

/// The JSON the stores keep state and heartbeats in.
enum StoredJSON {
    static func encode<T: Encodable>(_ value: T) throws -> Data { try RegistryJSON.encoder.encode(value) }
    static func decode<T: Decodable>(_ type: T.Type, _ data: Data) throws -> T {
        try RegistryJSON.decoder.decode(type, from: data)
    }
}
