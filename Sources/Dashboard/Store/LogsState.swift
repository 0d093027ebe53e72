import AWSCore
import FoundationEssentials
import RunnerDeckKit

/// What the Logs view reads: one source of one service, from a start time.
public struct LogsTarget: Sendable, Hashable {
    public var serviceArn: String
    public var serviceName: String
    public var source: LogSource
    /// Lines from this time on; nil for the default (the operation's start for a deployment log, an
    /// hour back otherwise).
    public var from: Date?

    public init(serviceArn: String, serviceName: String, source: LogSource, from: Date? = nil) {
        self.serviceArn = serviceArn
        self.serviceName = serviceName
        self.source = source
        self.from = from
    }
}

/// The lines the Logs view holds: the newest ``capacity`` of those read, oldest first.
public struct LogsViewState: Sendable, Hashable {
    public struct Line: Sendable, Hashable {
        public var time: Date
        /// The stream's short tag (`events`, `deploy 1a2b3c4d`, an instance).
        public var stream: String
        public var message: String

        public init(time: Date, stream: String, message: String) {
            self.time = time
            self.stream = stream
            self.message = message
        }
    }

    /// Lines held at most (older ones leave; memory stays flat however long the view follows).
    public static let capacity = 10_000

    public var target: LogsTarget
    public var lines: RingBuffer<Line>
    /// The time the lines start from.
    public var start: Date
    /// Why the newest lines could not be read; nil when the last poll worked.
    public var unavailable: String?
    /// The last poll stopped at its page bound: older lines are still being read.
    public var catchingUp = false
    /// When the last poll answered.
    public var polledAt: Date?
    /// FilterLogEvents calls made for this target.
    public var calls = 0

    public init(target: LogsTarget, start: Date, capacity: Int = LogsViewState.capacity) {
        self.target = target
        self.start = start
        self.lines = RingBuffer(capacity: capacity)
    }

    /// The sequence number of the oldest line held (lines dropped before it count).
    public var firstSeq: Int { lines.dropped }
    /// One past the newest line's sequence number.
    public var endSeq: Int { lines.dropped + lines.count }

    /// The line with sequence number `seq`, when still held.
    public func line(_ seq: Int) -> Line? {
        let index = seq - lines.dropped
        return index >= 0 && index < lines.count ? lines[index] : nil
    }

    /// The sequence number of the first line at or after `time`; nil when every line is older.
    public func firstSeq(atOrAfter time: Date) -> Int? {
        // Lines are in time order: binary search.
        var low = 0, high = lines.count
        while low < high {
            let mid = (low + high) / 2
            if lines[mid].time < time { low = mid + 1 } else { high = mid }
        }
        return low < lines.count ? lines.dropped + low : nil
    }

    /// The next line after `seq` (or before it, `forward: false`) that `search` matches; nil when
    /// there is none.
    public func match(_ search: LogSearch, after seq: Int, forward: Bool = true) -> Int? {
        guard !search.isEmpty, !lines.isEmpty else { return nil }
        if forward {
            var s = max(seq + 1, firstSeq)
            while s < endSeq {
                if let line = line(s), search.matches(line.message) { return s }
                s += 1
            }
        } else {
            var s = min(seq - 1, endSeq - 1)
            while s >= firstSeq {
                if let line = line(s), search.matches(line.message) { return s }
                s -= 1
            }
        }
        return nil
    }

    /// How many held lines `search` matches.
    public func matchCount(_ search: LogSearch) -> Int {
        guard !search.isEmpty else { return 0 }
        var count = 0
        for index in 0..<lines.count where search.matches(lines[index].message) { count += 1 }
        return count
    }
}

/// A case-insensitive search of log lines. ASCII text (what people type into a search) is matched on
/// the UTF-8 bytes, folding A-Z, so counting the matches in 10,000 lines fits in a frame; other text
/// goes through Foundation's case-insensitive search.
public struct LogSearch: Sendable, Hashable {
    public let text: String
    private let folded: [UInt8]
    private let ascii: Bool

    public init(_ text: String) {
        self.text = text
        self.ascii = text.utf8.allSatisfy { $0 < 0x80 }
        self.folded = text.utf8.map(Self.fold)
    }

    public var isEmpty: Bool { text.isEmpty }

    public func matches(_ message: String) -> Bool {
        guard !text.isEmpty else { return false }
        guard ascii else { return message.containsCaseInsensitive(text) }
        return firstOffset(in: message, from: 0) != nil
    }

    /// The ranges of the matches in `message`, in order, not overlapping.
    public func ranges(in message: String) -> [Range<String.Index>] {
        guard !text.isEmpty else { return [] }
        var result: [Range<String.Index>] = []
        guard ascii else { return message.caseInsensitiveRanges(of: text) }
        let utf8 = message.utf8
        var offset = 0
        while let start = firstOffset(in: message, from: offset) {
            let lower = utf8.index(utf8.startIndex, offsetBy: start)
            let upper = utf8.index(lower, offsetBy: folded.count)
            result.append(lower..<upper)
            offset = start + folded.count
        }
        return result
    }

    /// The UTF-8 offset of the first match at or after `from`.
    private func firstOffset(in message: String, from: Int) -> Int? {
        let needle = folded
        let found: Int?? = message.utf8.withContiguousStorageIfAvailable { bytes -> Int? in
            Self.search(bytes, needle, from: from)
        }
        if let found { return found }
        return Self.search(Array(message.utf8), needle, from: from)
    }

    private static func search<C: RandomAccessCollection>(_ bytes: C, _ needle: [UInt8], from: Int) -> Int? where C.Element == UInt8, C.Index == Int {
        let count = bytes.count
        guard let first = needle.first, count - from >= needle.count else { return nil }
        let base = bytes.startIndex
        var i = from
        let last = count - needle.count
        while i <= last {
            if fold(bytes[base + i]) == first {
                var j = 1
                while j < needle.count && fold(bytes[base + i + j]) == needle[j] { j += 1 }
                if j == needle.count { return i }
            }
            i += 1
        }
        return nil
    }

    private static func fold(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte
    }
}
