/// Raw memory for a socket reader, freed with its owner (also when the owner's `init` throws).
final class ReceiveBuffer {
    let bytes: UnsafeMutableRawPointer
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        bytes = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
    }

    deinit { bytes.deallocate() }
}
