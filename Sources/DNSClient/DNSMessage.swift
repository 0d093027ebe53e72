/// DNS messages (RFC 1035) as far as RunnerDeck needs them: one-question queries, and responses whose
/// A, AAAA, CNAME and DNAME records are read (others are kept by type only). Names are in presentation
/// form, lower case, with a trailing dot (`"_abc.example.com."`).
import FoundationEssentials

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A record type by its number; the ones RunnerDeck asks for have names.
public struct DNSRecordType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let a = DNSRecordType(rawValue: 1)
    public static let cname = DNSRecordType(rawValue: 5)
    public static let aaaa = DNSRecordType(rawValue: 28)
    public static let dname = DNSRecordType(rawValue: 39)

    public var description: String {
        switch self {
        case .a: return "A"
        case .cname: return "CNAME"
        case .aaaa: return "AAAA"
        case .dname: return "DNAME"
        default: return "TYPE\(rawValue)"
        }
    }
}

/// A response code (RCODE).
public struct DNSResponseCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let noError = DNSResponseCode(rawValue: 0)
    public static let formatError = DNSResponseCode(rawValue: 1)
    public static let serverFailure = DNSResponseCode(rawValue: 2)
    public static let nameError = DNSResponseCode(rawValue: 3)
    /// RFC 1035's NOTIMP: the server does not support this kind of query.
    public static let notImp = DNSResponseCode(rawValue: 4)
    public static let refused = DNSResponseCode(rawValue: 5)

    public var description: String {
        let names = ["NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"]
        return names.indices.contains(Int(rawValue)) ? names[Int(rawValue)] : "RCODE\(rawValue)"
    }
}

/// One resource record. `value` is the address (A, AAAA) or the target name (CNAME, DNAME), else nil.
public struct DNSRecord: Hashable, Sendable {
    public var name: String
    public var type: DNSRecordType
    public var ttl: UInt32
    public var value: String?

    public init(name: String, type: DNSRecordType, ttl: UInt32 = 300, value: String?) {
        self.name = name
        self.type = type
        self.ttl = ttl
        self.value = value
    }
}

/// A parsed message: header fields, the question, answers and authority records (additional skipped).
public struct DNSMessage: Sendable {
    public var id: UInt16
    public var isResponse: Bool
    public var opcode: UInt8
    public var truncated: Bool
    public var responseCode: DNSResponseCode
    public var questions: [(name: String, type: DNSRecordType, klass: UInt16)]
    public var answers: [DNSRecord]
    public var authorities: [DNSRecord]

    /// The wire form of a recursive query for `name` and `type` (class IN).
    public static func query(id: UInt16, name: String, type: DNSRecordType) throws(DNSError) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32 + name.utf8.count)
        bytes.append(u16: id)
        bytes.append(u16: 0x0100)  // RD
        bytes.append(u16: 1)
        bytes += [0, 0, 0, 0, 0, 0]
        bytes += try DNSName.wire(name)
        bytes.append(u16: type.rawValue)
        bytes.append(u16: 1)
        return bytes
    }

    /// Parses a message; throws ``DNSError/malformed(_:)`` on anything out of bounds.
    public init(parsing bytes: [UInt8]) throws(DNSError) {
        var reader = DNSReader(bytes)
        id = try reader.u16()
        let flags = try reader.u16()
        isResponse = flags & 0x8000 != 0
        opcode = UInt8((flags >> 11) & 0x0F)
        truncated = flags & 0x0200 != 0
        responseCode = DNSResponseCode(rawValue: UInt8(flags & 0x000F))
        let counts = (try reader.u16(), try reader.u16(), try reader.u16())
        _ = try reader.u16()
        questions = []
        for _ in 0..<counts.0 {
            let name = try reader.name()
            questions.append((name, DNSRecordType(rawValue: try reader.u16()), try reader.u16()))
        }
        // A truncated message may stop anywhere after the question; what is whole is kept.
        answers = []
        authorities = []
        do {
            for _ in 0..<counts.1 { answers.append(try reader.record()) }
            for _ in 0..<counts.2 { authorities.append(try reader.record()) }
        } catch {
            if !truncated { throw error }
        }
    }
}

/// Name conversion between presentation and wire form.
public enum DNSName {
    /// Lower case with a trailing dot; `""` and `"."` are the root.
    public static func normalize(_ name: String) -> String {
        let lower = name.lowercased()
        return lower.hasSuffix(".") ? lower : lower + "."
    }

    /// The names above `name`, nearest first, the root left out: `a.b.c.` → `b.c.`, `c.`.
    public static func ancestors(of name: String) -> [String] {
        var labels = normalize(name).split(separator: ".").map(String.init)
        var result: [String] = []
        while labels.count > 1 {
            labels.removeFirst()
            result.append(labels.joined(separator: ".") + ".")
        }
        return result
    }

    /// True when `name` is `ancestor` or beneath it.
    public static func isAtOrBelow(_ name: String, _ ancestor: String) -> Bool {
        let name = normalize(name), ancestor = normalize(ancestor)
        return name == ancestor || name.hasSuffix("." + ancestor) || ancestor == "."
    }

    static func wire(_ name: String) throws(DNSError) -> [UInt8] {
        let normal = normalize(name)
        guard normal != "." else { return [0] }
        var bytes: [UInt8] = []
        for label in normal.dropLast().split(separator: ".", omittingEmptySubsequences: false) {
            let utf8 = Array(label.utf8)
            guard (1...63).contains(utf8.count) else { throw .invalidName(name) }
            guard !utf8.contains(UInt8(ascii: "\\")) else { throw .invalidName(name) }
            bytes.append(UInt8(utf8.count))
            bytes += utf8
        }
        bytes.append(0)
        guard bytes.count <= 255 else { throw .invalidName(name) }
        return bytes
    }
}

/// Reads a message with every offset checked. Compression pointers must point backwards, before the
/// name that uses them and past the header, so a chain of them always ends; their number is bounded too.
struct DNSReader {
    let bytes: [UInt8]
    var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func u8() throws(DNSError) -> UInt8 {
        guard offset < bytes.count else { throw .malformed("message ends at byte \(offset)") }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func u16() throws(DNSError) -> UInt16 { UInt16(try u8()) << 8 | UInt16(try u8()) }

    mutating func u32() throws(DNSError) -> UInt32 { UInt32(try u16()) << 16 | UInt32(try u16()) }

    mutating func name() throws(DNSError) -> String {
        var labels: [String] = []
        var length = 1
        var position = offset
        var jumps = 0
        var resume: Int?
        // The lowest offset a pointer may point to: before every label read so far.
        var limit = offset
        while true {
            guard position < bytes.count else { throw .malformed("name runs past the end at byte \(position)") }
            let size = bytes[position]
            switch size & 0xC0 {
            case 0xC0:
                guard position + 1 < bytes.count else { throw .malformed("compression pointer cut at byte \(position)") }
                let target = Int(size & 0x3F) << 8 | Int(bytes[position + 1])
                guard target >= 12, target < limit else {
                    throw .malformed("compression pointer at byte \(position) to \(target) does not point back into the message")
                }
                jumps += 1
                guard jumps <= 64 else { throw .malformed("too many compression pointers") }
                if resume == nil { resume = position + 2 }
                position = target
                limit = target
            case 0x00:
                if size == 0 {
                    offset = resume ?? position + 1
                    return labels.isEmpty ? "." : labels.joined(separator: ".") + "."
                }
                let end = position + 1 + Int(size)
                guard end <= bytes.count else { throw .malformed("label runs past the end at byte \(position)") }
                length += Int(size) + 1
                guard length <= 255 else { throw .malformed("name longer than 255 bytes") }
                labels.append(Self.presentation(bytes[(position + 1)..<end]))
                position = end
            default:
                throw .malformed("unknown label type at byte \(position)")
            }
        }
    }

    mutating func record() throws(DNSError) -> DNSRecord {
        let name = try name()
        let type = DNSRecordType(rawValue: try u16())
        _ = try u16()
        let ttl = try u32()
        let length = Int(try u16())
        let end = offset + length
        guard end <= bytes.count else { throw .malformed("record data of \(name) runs past the end") }
        var value: String?
        switch type {
        case .a:
            guard length == 4 else { throw .malformed("A record of \(name) has \(length) bytes") }
            value = bytes[offset..<end].map(String.init).joined(separator: ".")
        case .aaaa:
            guard length == 16 else { throw .malformed("AAAA record of \(name) has \(length) bytes") }
            value = Self.ipv6Text(Array(bytes[offset..<end]))
        case .cname, .dname:
            value = try self.name()
            guard offset == end else { throw .malformed("\(type) record of \(name) has trailing bytes") }
        default:
            break
        }
        offset = end
        return DNSRecord(name: name, type: type, ttl: ttl, value: value)
    }

    /// An IPv6 address in its canonical text form (RFC 5952: lower case, longest zero run as `::`).
    static func ipv6Text(_ bytes: [UInt8]) -> String {
        var address = in6_addr()
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        withUnsafeMutableBytes(of: &address) { $0.copyBytes(from: bytes) }
        guard inet_ntop(AF_INET6, &address, &text, socklen_t(text.count)) != nil else { return "?" }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// A label in presentation form, lower case; bytes that are not letters, digits, `-`, `_` or `*`
    /// are written `\DDD`, so no received name can carry control characters or dots of its own.
    static func presentation(_ label: ArraySlice<UInt8>) -> String {
        var text = ""
        for byte in label {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "*"):
                text.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                text.unicodeScalars.append(Unicode.Scalar(byte + 32))
            default:
                let digits = String(byte)
                text += "\\" + String(repeating: "0", count: 3 - digits.count) + digits
            }
        }
        return text
    }
}

extension [UInt8] {
    mutating func append(u16 value: UInt16) {
        append(UInt8(value >> 8))
        append(UInt8(value & 0xFF))
    }
}
