import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// The loopback DNS server of the Swift tests: UDP and TCP on the same port of 127.0.0.1, answering
/// from records the test sets, like a recursive resolver would (CNAMEs followed inside its records,
/// NXDOMAIN for unknown names, NODATA for known names without the type). It has its own small encoder,
/// so the client's parser is not tested against itself. It can also truncate every UDP answer, stay
/// silent, answer an error code, or send bytes the test builds from the query (hostile messages).
public final class DNSTestServer: Sendable {
    public struct Entry: Sendable, Hashable {
        public var name: String
        public var type: UInt16
        /// Dotted IPv4 for A (1), a name for CNAME (5).
        public var value: String
        public init(_ name: String, _ type: UInt16, _ value: String) {
            self.name = Self.normal(name)
            self.type = type
            self.value = type == 5 ? Self.normal(value) : value
        }
        public static func a(_ name: String, _ address: String) -> Entry { Entry(name, 1, address) }
        public static func cname(_ name: String, _ target: String) -> Entry { Entry(name, 5, target) }
        public static func aaaa(_ name: String, _ address: String) -> Entry { Entry(name, 28, address) }
        static func normal(_ name: String) -> String { name.lowercased().hasSuffix(".") ? name.lowercased() : name.lowercased() + "." }
    }

    public struct Rules: Sendable {
        public var entries: [Entry] = []
        public var truncateOverUDP = false
        public var silent = false
        public var responseCode: UInt8?
        /// Replaces the answer entirely: the query's bytes in, the answer's bytes out.
        public var raw: (@Sendable ([UInt8]) -> [UInt8])?
        /// Sends an answer with another ID before the real one (a client must ignore it).
        public var strayFirst = false
        /// Follows CNAMEs in one answer, as a recursive resolver does; false answers the alias alone,
        /// as an authoritative server for another zone would.
        public var followsCNAMEs = true
        public init() {}
    }

    public let port: Int
    private let zone: Zone
    private let channels: [any Channel]

    private init(port: Int, zone: Zone, channels: [any Channel]) {
        self.port = port
        self.zone = zone
        self.channels = channels
    }

    public var address: String { "127.0.0.1:\(port)" }
    public var queries: (udp: Int, tcp: Int) { zone.counts.withLock { $0 } }
    public func update(_ change: (inout Rules) -> Void) { zone.rules.withLock { change(&$0) } }

    /// Starts on a free port (UDP and TCP both bound to it).
    public static func start(_ rules: Rules = Rules()) async throws -> DNSTestServer {
        let group = MultiThreadedEventLoopGroup.singleton
        let zone = Zone(rules)
        var lastError: (any Error)?
        for _ in 0..<20 {
            let tcp = try await ServerBootstrap(group: group)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(TCPHandler(zone: zone)) }
                }
                .bind(host: "127.0.0.1", port: 0).get()
            guard let port = tcp.localAddress?.port else { continue }
            do {
                let udp = try await DatagramBootstrap(group: group)
                    .channelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(UDPHandler(zone: zone)) }
                    }
                    .bind(host: "127.0.0.1", port: port).get()
                return DNSTestServer(port: port, zone: zone, channels: [tcp, udp])
            } catch {
                lastError = error
                try? await tcp.close()
            }
        }
        throw lastError ?? ChannelError.inappropriateOperationForState
    }

    public func stop() async {
        for channel in channels { try? await channel.close() }
    }
}

/// What the server answers, and how many queries it got; shared by its UDP and TCP handlers.
final class Zone: Sendable {
    let rules: Mutex<DNSTestServer.Rules>
    let counts = Mutex((udp: 0, tcp: 0))
    init(_ rules: DNSTestServer.Rules) { self.rules = Mutex(rules) }

    /// The answers to `query` (several when a stray one goes first), or none to stay silent.
    func answers(_ query: [UInt8], overTCP: Bool) -> [[UInt8]] {
        counts.withLock { if overTCP { $0.tcp += 1 } else { $0.udp += 1 } }
        let rules = self.rules.withLock { $0 }
        if rules.silent { return [] }
        if let raw = rules.raw { return [raw(query)] }
        guard let question = Self.question(query) else { return [] }
        var answer = Self.answer(to: question, query: query, rules: rules, truncate: rules.truncateOverUDP && !overTCP)
        var all = [answer]
        if rules.strayFirst {
            answer[0] ^= 0x5A
            all.insert(answer, at: 0)
        }
        return all
    }

    struct Question { var name: String; var type: UInt16; var end: Int }

    static func question(_ query: [UInt8]) -> Question? {
        var labels: [String] = []
        var at = 12
        while at < query.count, query[at] != 0 {
            let size = Int(query[at])
            guard size < 64, at + 1 + size <= query.count else { return nil }
            labels.append(String(decoding: query[(at + 1)..<(at + 1 + size)], as: UTF8.self).lowercased())
            at += 1 + size
        }
        guard at + 5 <= query.count else { return nil }
        let type = UInt16(query[at + 1]) << 8 | UInt16(query[at + 2])
        return Question(name: labels.joined(separator: ".") + ".", type: type, end: at + 5)
    }

    static func answer(to question: Question, query: [UInt8], rules: DNSTestServer.Rules, truncate: Bool) -> [UInt8] {
        var records: [DNSTestServer.Entry] = []
        var name = question.name
        var code: UInt8 = 0
        for _ in 0..<10 {
            let here = rules.entries.filter { $0.name == name }
            let matching = here.filter { $0.type == question.type }
            if !matching.isEmpty { records += matching; break }
            guard question.type != 5, let alias = here.first(where: { $0.type == 5 }) else {
                let exists = !here.isEmpty || rules.entries.contains { $0.name.hasSuffix("." + name) }
                code = exists ? 0 : 3
                break
            }
            records.append(alias)
            name = alias.value
            if !rules.followsCNAMEs { break }
        }
        if truncate { records = [] }
        var out = Array(query[0..<2])
        out += [0x81 | (truncate ? 0x02 : 0), 0x80 | (rules.responseCode ?? code), 0, 1, 0, UInt8(records.count), 0, 0, 0, 0]
        out += query[12..<question.end]
        var offsets: [String: Int] = [question.name: 12]
        for record in records {
            write(record.name, to: &out, offsets: &offsets)
            out += [UInt8(record.type >> 8), UInt8(record.type & 0xFF), 0, 1, 0, 0, 0x0E, 0x10]
            var data: [UInt8] = []
            if record.type == 1 || record.type == 28 {
                data = Self.address(record.value)
                out += [0, UInt8(data.count)] + data
            } else {
                let lengthAt = out.count
                out += [0, 0]
                write(record.value, to: &out, offsets: &offsets)
                let length = out.count - lengthAt - 2
                out[lengthAt] = UInt8(length >> 8)
                out[lengthAt + 1] = UInt8(length & 0xFF)
            }
        }
        return out
    }

    /// The bytes of a dotted IPv4 or a textual IPv6 address.
    static func address(_ text: String) -> [UInt8] {
        var v4 = in_addr(), v6 = in6_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return []
    }

    /// Writes a name, as a pointer when it was written before as a whole.
    static func write(_ name: String, to out: inout [UInt8], offsets: inout [String: Int]) {
        if let offset = offsets[name] {
            out += [0xC0 | UInt8(offset >> 8), UInt8(offset & 0xFF)]
            return
        }
        offsets[name] = out.count
        for label in name.split(separator: ".") {
            out.append(UInt8(label.utf8.count))
            out += Array(label.utf8)
        }
        out.append(0)
    }
}

private final class UDPHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>
    let zone: Zone
    init(zone: Zone) { self.zone = zone }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        for answer in zone.answers(Array(envelope.data.readableBytesView), overTCP: false) {
            context.writeAndFlush(wrapOutboundOut(AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: ByteBuffer(bytes: answer))), promise: nil)
        }
    }
}

private final class TCPHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let zone: Zone
    var received = ByteBuffer()
    init(zone: Zone) { self.zone = zone }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var part = unwrapInboundIn(data)
        received.writeBuffer(&part)
        while let length = received.getInteger(at: received.readerIndex, as: UInt16.self),
              received.readableBytes >= 2 + Int(length),
              let query = received.getBytes(at: received.readerIndex + 2, length: Int(length)) {
            received.moveReaderIndex(forwardBy: 2 + Int(length))
            for answer in zone.answers(query, overTCP: true) {
                var out = ByteBuffer()
                out.writeInteger(UInt16(answer.count))
                out.writeBytes(answer)
                context.writeAndFlush(wrapOutboundOut(out), promise: nil)
            }
        }
    }
}
