import Foundation
import KuzetCore
import KuzetMedia

/// Each camera's reference picture for the `moved` check, on disk so a restart keeps it:
/// `<health.state_dir>/<camera>/reference.pgm` (the grey picture the check compares with, binary
/// PGM) and `reference.jpg` (the same picture for the status page). `kuzet-agent health
/// reset-reference --camera ID` removes both; the running agent then takes the next usable sample.
public struct PictureReferenceStore: Sendable {
    public let directory: String
    /// A reference larger than this (either side) is refused as not ours.
    static let maximumSide = 4096

    public init(directory: String) {
        self.directory = directory
    }

    public func greyPath(camera: String) -> String { "\(directory)/\(camera)/reference.pgm" }
    public func jpegPath(camera: String) -> String { "\(directory)/\(camera)/reference.jpg" }

    public func exists(camera: String) -> Bool {
        CameraID.isValid(camera) && FileManager.default.fileExists(atPath: greyPath(camera: camera))
    }

    /// The stored grey reference; nil when there is none or the file is not a PGM we wrote.
    public func grey(camera: String) -> GreyPicture? {
        guard CameraID.isValid(camera), let data = FileManager.default.contents(atPath: greyPath(camera: camera))
        else { return nil }
        return Self.parsePGM([UInt8](data))
    }

    public func jpeg(camera: String) -> [UInt8]? {
        guard CameraID.isValid(camera), let data = FileManager.default.contents(atPath: jpegPath(camera: camera))
        else { return nil }
        return [UInt8](data)
    }

    /// Writes both files (each replaced atomically).
    public func save(camera: String, grey: GreyPicture, jpeg: [UInt8]?) throws {
        guard CameraID.isValid(camera) else { return }
        try FileManager.default.createDirectory(
            atPath: "\(directory)/\(camera)", withIntermediateDirectories: true)
        if let jpeg { try Data(jpeg).write(to: URL(fileURLWithPath: jpegPath(camera: camera)), options: .atomic) }
        try Data(Self.pgm(grey)).write(to: URL(fileURLWithPath: greyPath(camera: camera)), options: .atomic)
    }

    /// Removes the camera's reference; true when there was one.
    @discardableResult
    public func remove(camera: String) throws -> Bool {
        guard CameraID.isValid(camera) else { return false }
        var removed = false
        for path in [greyPath(camera: camera), jpegPath(camera: camera)]
        where FileManager.default.fileExists(atPath: path) {
            try FileManager.default.removeItem(atPath: path)
            removed = true
        }
        return removed
    }

    static func pgm(_ picture: GreyPicture) -> [UInt8] {
        Array("P5\n\(picture.width) \(picture.height)\n255\n".utf8) + picture.pixels
    }

    /// Reads the binary PGM `pgm(_:)` writes (header "P5\nW H\n255\n"), every figure bounded.
    static func parsePGM(_ bytes: [UInt8]) -> GreyPicture? {
        var fields: [Int] = []
        var index = 2
        guard bytes.count > 2, bytes[0] == UInt8(ascii: "P"), bytes[1] == UInt8(ascii: "5") else { return nil }
        while fields.count < 3 {
            while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A { index += 1 }
            var value = 0
            var digits = 0
            while index < bytes.count, (0x30...0x39).contains(bytes[index]), digits < 6 {
                value = value * 10 + Int(bytes[index] - 0x30)
                digits += 1
                index += 1
            }
            guard digits > 0, index < bytes.count else { return nil }
            fields.append(value)
        }
        index += 1 // the one whitespace byte before the pixels
        let (width, height) = (fields[0], fields[1])
        guard fields[2] == 255, (1...maximumSide).contains(width), (1...maximumSide).contains(height),
            bytes.count - index == width * height
        else { return nil }
        return GreyPicture(width: width, height: height, pixels: Array(bytes[index...]))
    }
}
