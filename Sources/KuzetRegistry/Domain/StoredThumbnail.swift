import Foundation
import KuzetProtocol

/// Issue 23: a camera's latest small picture as the registry keeps it — one per camera, in its own
/// table (never in the state JSON or the heartbeat history), served to the roles that may see the
/// school (`GET /api/v1/schools/{id}/cameras/{camera}/thumbnail`).
public struct StoredThumbnail: Sendable, Equatable {
    public var schoolID: String
    public var cameraID: String
    /// The agent's clock when the picture was taken; a thumbnail replaces the stored one only when newer.
    public var takenAt: Date
    public var width: Int
    public var height: Int
    /// The JPEG itself (checked: at most `CameraThumbnail.maximumBytes`, starts FF D8 FF).
    public var jpeg: Data

    public init(schoolID: String, cameraID: String, takenAt: Date, width: Int, height: Int, jpeg: Data) {
        self.schoolID = schoolID
        self.cameraID = cameraID
        self.takenAt = takenAt
        self.width = width
        self.height = height
        self.jpeg = jpeg
    }

    /// The tallest thumbnail accepted (a 320 px wide picture of a 9:16 portrait camera is 569 px).
    static let maximumHeight = 640
    /// Base64 characters of the largest JPEG accepted (padded).
    static let maximumBase64 = (CameraThumbnail.maximumBytes + 2) / 3 * 4

    /// The JPEG of `thumbnail`, or what is wrong with it (`field: what — what to do`), checked before
    /// anything is decoded: the base64 length, then the bytes (size, JPEG magic), then the size.
    static func jpeg(of thumbnail: CameraThumbnail) -> Result<Data, ThumbnailProblem> {
        guard thumbnail.jpeg.utf8.count <= maximumBase64 else {
            return .failure(
                ThumbnailProblem(
                    field: "jpeg",
                    message:
                        "\(thumbnail.jpeg.utf8.count) base64 characters, more than a \(CameraThumbnail.maximumBytes)-byte JPEG — send a smaller picture"
                ))
        }
        guard let data = Data(base64Encoded: thumbnail.jpeg), !data.isEmpty else {
            return .failure(ThumbnailProblem(field: "jpeg", message: "not base64 — send the JPEG in standard base64"))
        }
        guard data.count <= CameraThumbnail.maximumBytes else {
            return .failure(
                ThumbnailProblem(
                    field: "jpeg",
                    message: "\(data.count) bytes, at most \(CameraThumbnail.maximumBytes) — send a smaller picture"))
        }
        guard data.count >= 4, data.starts(with: [0xFF, 0xD8, 0xFF]) else {
            return .failure(ThumbnailProblem(field: "jpeg", message: "not a JPEG (no FF D8 FF) — send a JPEG picture"))
        }
        guard (1...CameraThumbnail.maximumWidth).contains(thumbnail.width) else {
            return .failure(
                ThumbnailProblem(
                    field: "width",
                    message:
                        "\(thumbnail.width) is out of range 1…\(CameraThumbnail.maximumWidth) — scale the picture down"
                ))
        }
        guard (1...maximumHeight).contains(thumbnail.height) else {
            return .failure(
                ThumbnailProblem(
                    field: "height",
                    message: "\(thumbnail.height) is out of range 1…\(maximumHeight) — scale the picture down"))
        }
        return .success(data)
    }
}

/// Why a heartbeat's thumbnail is refused: the field under `thumbnail` and the message.
struct ThumbnailProblem: Error, Sendable {
    var field: String
    var message: String
}
