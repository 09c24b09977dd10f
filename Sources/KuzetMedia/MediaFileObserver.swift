/// Sees the bytes of a file output as the muxer hands them to the disk, in order, with the offset
/// each run landed at — so a consumer (the segment commitments) hashes a segment while it is
/// written instead of reading it back. A muxer that seeks back and rewrites (an MP4 box size
/// patched after a buffer flush) shows as a run at an offset before the end: the consumer then
/// knows its view no longer matches the file.
///
/// Called on the writing thread, synchronously, after each successful `write(2)`: keep it cheap.
public protocol MediaFileObserver: AnyObject, Sendable {
    func wrote(_ bytes: UnsafeRawBufferPointer, at offset: Int64)
}
