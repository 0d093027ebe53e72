/// A bounded first-in, first-out buffer: appending beyond `capacity` drops the oldest elements, so
/// memory stays flat however many elements pass through.
public struct RingBuffer<Element>: Sendable where Element: Sendable {
    public let capacity: Int
    private var storage: [Element] = []
    /// Index in `storage` of the oldest element once the buffer is full.
    private var head = 0
    /// How many elements were dropped to make room.
    public private(set) var dropped = 0

    /// `capacity` is at least 1.
    public init(capacity: Int) {
        self.capacity = max(1, capacity)
        storage.reserveCapacity(min(self.capacity, 4096))
    }

    public var count: Int { storage.count }
    public var isEmpty: Bool { storage.isEmpty }

    public mutating func append(_ element: Element) {
        if storage.count < capacity {
            storage.append(element)
        } else {
            storage[head] = element
            head = (head + 1) % capacity
            dropped += 1
        }
    }

    public mutating func append<S: Sequence>(contentsOf elements: S) where S.Element == Element {
        for element in elements { append(element) }
    }

    /// The element `index` places from the oldest (0 is the oldest still held).
    public subscript(index: Int) -> Element {
        storage[(head + index) % storage.count]
    }

    /// Everything held, oldest first.
    public var elements: [Element] {
        Array(storage[head...] + storage[..<head])
    }

    /// The newest `n` elements, oldest first.
    public func suffix(_ n: Int) -> [Element] {
        let n = max(0, min(n, count))
        return (count - n..<count).map { self[$0] }
    }

    public mutating func removeAll() {
        storage.removeAll(keepingCapacity: true)
        head = 0
    }
}

extension RingBuffer: Equatable where Element: Equatable {
    /// Equal when they hold the same elements in the same order and dropped as many.
    public static func == (lhs: RingBuffer, rhs: RingBuffer) -> Bool {
        lhs.capacity == rhs.capacity && lhs.dropped == rhs.dropped && lhs.count == rhs.count
            && (0..<lhs.count).allSatisfy { lhs[$0] == rhs[$0] }
    }
}

extension RingBuffer: Hashable where Element: Hashable {
    /// Hashes the counts and the newest element (cheap; equality decides the rest).
    public func hash(into hasher: inout Hasher) {
        hasher.combine(capacity)
        hasher.combine(dropped)
        hasher.combine(count)
        if !isEmpty { hasher.combine(self[count - 1]) }
    }
}
