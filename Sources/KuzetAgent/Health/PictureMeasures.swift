import Foundation
import KuzetMedia

/// The figures the picture-health checks judge one sampled picture by (issue 23), all from its
/// grey levels (0–255):
/// - `level`: the mean grey level (dark pictures are low);
/// - `deviation`: the standard deviation of the grey levels — the picture's spread (a flat,
///   covered or sprayed picture is low; a dark scene with anything in it is not);
/// - `sharpness`: the mean absolute Laplacian (at half size, see `laplacian`) divided by the spread, so that a darker or less
///   contrasted picture of the same scene keeps its sharpness and only lost detail (blur) lowers it;
/// - `layout`: the picture as a coarse grid of block means (`layoutColumns × layoutRows`), for
///   comparing scenes without caring about noise, small moving things or the overall brightness.
public struct PictureMeasures: Sendable, Equatable {
    public static let layoutColumns = 32
    public static let layoutRows = 18

    public var level: Double
    public var deviation: Double
    public var sharpness: Double
    public var layout: [Double]

    public init(level: Double, deviation: Double, sharpness: Double, layout: [Double]) {
        self.level = level
        self.deviation = deviation
        self.sharpness = sharpness
        self.layout = layout
    }

    public init(_ picture: GreyPicture) {
        let width = picture.width
        let height = picture.height
        let count = Double(picture.pixels.count)
        var sum = 0.0
        var squares = 0.0
        var blockSums = [Double](repeating: 0, count: Self.layoutColumns * Self.layoutRows)
        var blockCounts = [Double](repeating: 0, count: Self.layoutColumns * Self.layoutRows)
        picture.pixels.withUnsafeBufferPointer { pixels in
            for y in 0..<height {
                let row = y * width
                let blockRow = min(y * Self.layoutRows / height, Self.layoutRows - 1) * Self.layoutColumns
                for x in 0..<width {
                    let value = Double(pixels[row + x])
                    sum += value
                    squares += value * value
                    let block = blockRow + min(x * Self.layoutColumns / width, Self.layoutColumns - 1)
                    blockSums[block] += value
                    blockCounts[block] += 1
                }
            }
        }
        level = sum / count
        deviation = max(0, squares / count - level * level).squareRoot()
        sharpness = Self.laplacian(picture) / (deviation + 1)
        layout = zip(blockSums, blockCounts).map { $1 > 0 ? $0 / $1 : 0 }
    }

    /// The mean absolute Laplacian of the picture averaged over 2×2 pixels: the averaging takes
    /// out most sensor noise (which would otherwise keep a blurred but noisy picture "sharp")
    /// and keeps the scene's edges.
    static func laplacian(_ picture: GreyPicture) -> Double {
        let width = picture.width / 2
        let height = picture.height / 2
        guard width >= 3, height >= 3 else { return 0 }
        var half = [Int](repeating: 0, count: width * height)
        picture.pixels.withUnsafeBufferPointer { pixels in
            for y in 0..<height {
                let top = 2 * y * picture.width
                let bottom = top + picture.width
                for x in 0..<width {
                    half[y * width + x] =
                        Int(pixels[top + 2 * x]) + Int(pixels[top + 2 * x + 1]) + Int(pixels[bottom + 2 * x])
                        + Int(pixels[bottom + 2 * x + 1])
                }
            }
        }
        var total = 0
        for y in 1..<(height - 1) {
            for x in 1..<(width - 1) {
                let index = y * width + x
                total += abs(
                    4 * half[index] - half[index - 1] - half[index + 1] - half[index - width] - half[index + width])
            }
        }
        // Sums of four pixels: back to grey levels.
        return Double(total) / 4 / Double((width - 2) * (height - 2))
    }

    /// How alike two pictures' layouts are: their correlation, 1 for the same scene (also brighter
    /// or darker), about 0 for unrelated scenes; 0 when either is flat.
    public static func similarity(_ a: [Double], _ b: [Double]) -> Double {
        guard a.count == b.count, !a.isEmpty else { return 0 }
        let meanA = a.reduce(0, +) / Double(a.count)
        let meanB = b.reduce(0, +) / Double(b.count)
        var product = 0.0
        var squaresA = 0.0
        var squaresB = 0.0
        for index in a.indices {
            let da = a[index] - meanA
            let db = b[index] - meanB
            product += da * db
            squaresA += da * da
            squaresB += db * db
        }
        guard squaresA > 1e-9, squaresB > 1e-9 else { return 0 }
        return product / (squaresA * squaresB).squareRoot()
    }

    /// The mean absolute grey-level difference of two pictures of the same size (nil when the sizes differ).
    public static func difference(_ a: GreyPicture, _ b: GreyPicture) -> Double? {
        guard a.width == b.width, a.height == b.height else { return nil }
        var total = 0
        a.pixels.withUnsafeBufferPointer { left in
            b.pixels.withUnsafeBufferPointer { right in
                for index in 0..<left.count { total += abs(Int(left[index]) - Int(right[index])) }
            }
        }
        return Double(total) / Double(a.pixels.count)
    }
}
