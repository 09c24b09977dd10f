/// One camera's closed segments, oldest first.
///
/// Segments arrive at the end and leave from the front, so this is a queue over an array with a
/// moving head: removing the oldest is O(1) and nothing is re-listed from disk.
package struct CameraSegments: Sendable {
    private var storage: [IndexedSegment] = []
    private var head = 0
    package private(set) var bytes: Int64 = 0

    package init() {}

    package var isEmpty: Bool { head == storage.count }
    package var count: Int { storage.count - head }
    package var oldest: IndexedSegment? { isEmpty ? nil : storage[head] }
    package var newest: IndexedSegment? { isEmpty ? nil : storage[storage.count - 1] }

    /// The segments, oldest first.
    package var all: ArraySlice<IndexedSegment> { storage[head...] }

    /// Removed segments are dropped from the array's front this often (a memmove of the rest:
    /// for 1-minute segments, once every ~17 hours per camera).
    package static let compactEvery = 1024

    /// Room for `count` more segments (the scan knows how many a folder holds) plus headroom for
    /// the segments arriving before the next compaction.
    package mutating func reserve(_ count: Int) {
        storage.reserveCapacity(storage.count + count + 2 * Self.compactEvery)
    }

    /// Adds a segment; in order is O(1), out of order (a late torn segment) a binary-search insert.
    /// A segment with the same start replaces the one indexed.
    package mutating func insert(_ segment: IndexedSegment) {
        if let last = storage.last, head < storage.count, last.start >= segment.start {
            var low = head
            var high = storage.count
            while low < high {
                let mid = (low + high) / 2
                if storage[mid].start < segment.start { low = mid + 1 } else { high = mid }
            }
            if low < storage.count, storage[low].start == segment.start {
                bytes += segment.bytes - storage[low].bytes
                storage[low] = segment
                return
            }
            storage.insert(segment, at: low)
        } else {
            storage.append(segment)
        }
        bytes += segment.bytes
    }

    /// Removes and returns the oldest segment.
    @discardableResult
    package mutating func removeOldest() -> IndexedSegment? {
        guard !isEmpty else { return nil }
        let segment = storage[head]
        head += 1
        bytes -= segment.bytes
        if head == storage.count {
            storage.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= Self.compactEvery {
            // In place, capacity kept: with the headroom reserved at scan, steady state never reallocates.
            storage.removeFirst(head)
            head = 0
        }
        return segment
    }

    /// Removes, oldest first, the segments ending by `cutoff`, except those `keep` holds back (they
    /// stay, in order), stopping before the first for which `stop` is true (told whether it is the
    /// newest). Returns what was removed. O(segments looked at).
    package mutating func removeExpired(
        endingBy cutoff: Int64, stop: (IndexedSegment, _ isNewest: Bool) -> Bool, keep: (IndexedSegment) -> Bool
    ) -> [IndexedSegment] {
        var removed: [IndexedSegment] = []
        var kept: [IndexedSegment] = []
        var index = head
        while index < storage.count, storage[index].end <= cutoff {
            let segment = storage[index]
            if stop(segment, index == storage.count - 1) { break }
            if keep(segment) { kept.append(segment) } else { removed.append(segment) }
            index += 1
        }
        guard !removed.isEmpty else { return [] }
        // The kept ones move up to just before `index`; the head moves past the removed.
        let newHead = index - kept.count
        for (offset, segment) in kept.enumerated() { storage[newHead + offset] = segment }
        head = newHead
        bytes -= removed.reduce(0) { $0 + $1.bytes }
        if head == storage.count {
            storage.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= Self.compactEvery {
            storage.removeFirst(head)
            head = 0
        }
        return removed
    }

    /// Removes the segment starting at `start`, wherever it is; returns it if it was there.
    @discardableResult
    package mutating func remove(start: Int64) -> IndexedSegment? {
        guard let index = storage[head...].firstIndex(where: { $0.start == start }) else { return nil }
        if index == head { return removeOldest() }
        bytes -= storage[index].bytes
        return storage.remove(at: index)
    }

    /// Segments whose end is after `since`, newest last (walks back from the newest).
    package func suffix(endingAfter since: Int64) -> ArraySlice<IndexedSegment> {
        var index = storage.count
        while index > head && storage[index - 1].end > since { index -= 1 }
        return storage[index...]
    }
}
