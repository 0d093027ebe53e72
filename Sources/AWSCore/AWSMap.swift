import FoundationEssentials
import Synchronization

/// A map of the model (e.g. App Runner's `RuntimeEnvironmentVariables`): string keys, in the order they
/// were given or received. The AWS CLI prints maps in wire order and so does RunnerDeck; Local App
/// Runner answers with the order it was sent. Equality and hashing are a map's (order does not count).
///
/// It decodes and encodes in order through ``AWSModelJSON`` (which records and restores the order
/// Foundation's JSON coders lose) and through any encoder that keeps the order of its calls.
public struct AWSMap<Value: Sendable & Hashable & Codable>: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral,
    CustomStringConvertible {
    public typealias Element = (key: String, value: Value)
    public typealias Key = String

    struct Entry: Sendable, Hashable {
        var key: String
        var value: Value
    }

    private var entries: [Entry] = []

    public init() {}

    /// The pairs in order; a key given twice keeps its first place and its last value.
    public init<S: Sequence>(_ pairs: S) where S.Element == (String, Value) {
        for (key, value) in pairs { self[key] = value }
    }

    public init(dictionaryLiteral elements: (String, Value)...) {
        self.init(elements)
    }

    /// A dictionary's pairs, in key order (a dictionary has no order to keep).
    public init(_ dictionary: [String: Value]) {
        self.init(dictionary.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
    }

    public subscript(key: String) -> Value? {
        get { entries.first { $0.key == key }?.value }
        set {
            if let index = entries.firstIndex(where: { $0.key == key }) {
                if let newValue { entries[index].value = newValue } else { entries.remove(at: index) }
            } else if let newValue {
                entries.append(Entry(key: key, value: newValue))
            }
        }
    }

    public var keys: [String] { entries.map(\.key) }
    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }

    public func makeIterator() -> IndexingIterator<[Element]> {
        entries.map { (key: $0.key, value: $0.value) }.makeIterator()
    }

    public var description: String {
        "[" + entries.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "]"
    }

    public static func == (lhs: AWSMap, rhs: AWSMap) -> Bool {
        lhs.count == rhs.count && lhs.entries.allSatisfy { rhs[$0.key] == $0.value }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(count)
        for entry in entries.sorted(by: { $0.key < $1.key }) {
            hasher.combine(entry.key)
            hasher.combine(entry.value)
        }
    }
}

extension AWSMap: Codable {
    struct MapKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: MapKey.self)
        var keys = container.allKeys.map(\.stringValue)
        if let order = JSONKeyOrder.current?.keys(at: decoder.codingPath) {
            let rank = Dictionary(order.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
            keys.sort { (rank[$0] ?? .max, $0) < (rank[$1] ?? .max, $1) }
        } else {
            keys.sort()
        }
        for key in keys { self[key] = try container.decode(Value.self, forKey: MapKey(stringValue: key)) }
    }

    public func encode(to encoder: any Encoder) throws {
        JSONKeyOrder.current?.record(keys, at: encoder.codingPath)
        var container = encoder.container(keyedBy: MapKey.self)
        for entry in entries { try container.encode(entry.value, forKey: MapKey(stringValue: entry.key)) }
    }
}

/// The order of object keys by coding path, for ``AWSMap``: read from a JSON document before it is
/// decoded, or recorded while encoding and restored in the output. Foundation's JSON coders keep no order.
///
public final class JSONKeyOrder: Sendable {
    /// The order of the document being decoded or encoded (set by ``AWSModelJSON`` around the call).
    @TaskLocal static var current: JSONKeyOrder?

    /// Key orders by path; nil until read from `document`.
    private let orders: Mutex<[String: [String]]?>
    private let document: Data?

    /// For decoding `document`: its key orders are read the first time a map asks.
    init(document: Data) {
        self.document = document
        self.orders = Mutex(nil)
    }

    /// For encoding: maps record their order.
    init() {
        self.document = nil
        self.orders = Mutex([:])
    }

    static func path(_ codingPath: [any CodingKey]) -> String {
        codingPath.map { $0.intValue.map { "#\($0)" } ?? $0.stringValue }.joined(separator: "\u{1}")
    }

    func keys(at codingPath: [any CodingKey]) -> [String]? {
        orders.withLock { orders in
            if orders == nil, let document { orders = OrderedJSON.keyOrders(document) }
            return orders?[Self.path(codingPath)]
        }
    }

    func record(_ keys: [String], at codingPath: [any CodingKey]) {
        orders.withLock { $0?[Self.path(codingPath)] = keys }
    }

    var recorded: [String: [String]] { orders.withLock { $0 ?? [:] } }
}
