import FoundationEssentials

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A DNS server by IP address and port: `HOST`, `HOST:PORT`, `[IPv6]:PORT` or a bare IPv6 address
/// (`localhost` stands for 127.0.0.1).
public struct DNSServer: Hashable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int = 53) {
        self.host = host
        self.port = port
    }

    public init(parsing text: String) throws(DNSError) {
        // Trimmed of tabs and space separators (Foundation's `CharacterSet.whitespaces`; DNSClient does not
        // depend on AWSCore, whose `trimmingWhitespace` this is).
        let blank: (Unicode.Scalar) -> Bool = { $0 == "\t" || $0.properties.generalCategory == .spaceSeparator }
        let scalars = text.unicodeScalars
        let text = scalars.firstIndex { !blank($0) }.flatMap { first in scalars.lastIndex { !blank($0) }.map { String(scalars[first...$0]) } } ?? ""
        var host = text
        var port = 53
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":"), let value = Int(rest.dropFirst()) else { throw .badServer("bad DNS server \(text): expected [ADDRESS]:PORT") }
                port = value
            }
        } else if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") {
            host = String(text[..<colon])
            guard let value = Int(text[text.index(after: colon)...]) else { throw .badServer("bad DNS server \(text): the port is not a number") }
            port = value
        }
        if let percent = host.firstIndex(of: "%") { host = String(host[..<percent]) }
        if host == "localhost" { host = "127.0.0.1" }
        guard (1...65535).contains(port) else { throw .badServer("bad DNS server \(text): the port must be 1–65535") }
        guard Self.isIPAddress(host) else { throw .badServer("bad DNS server \(text): HOST must be an IPv4 or IPv6 address") }
        self.host = host
        self.port = port
    }

    static func isIPAddress(_ host: String) -> Bool {
        var v4 = in_addr(), v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// How long and how often to ask.
public struct DNSResolverOptions: Hashable, Sendable {
    /// Per exchange (one UDP try, or one TCP connection and answer).
    public var timeout: Duration
    /// Rounds over all servers.
    public var attempts: Int
    /// CNAMEs followed before giving up.
    public var maxChain: Int

    public init(timeout: Duration = .seconds(2), attempts: Int = 2, maxChain: Int = 8) {
        self.timeout = timeout
        self.attempts = max(1, min(attempts, 5))
        self.maxChain = max(1, min(maxChain, 16))
    }
}

/// Where a name led: the CNAMEs followed, then the records of the asked type, or no such name
/// (NXDOMAIN), or the name exists without records of that type (NODATA).
public struct DNSResolution: Hashable, Sendable {
    public enum Outcome: Hashable, Sendable {
        case records([String])
        case nameError
        case noData
    }

    public var name: String
    public var type: DNSRecordType
    /// CNAME records followed, in order.
    public var chain: [DNSRecord]
    public var outcome: Outcome
    /// Every answer record of the last response (what a server put there besides the chain).
    public var answers: [DNSRecord]

    public init(name: String, type: DNSRecordType, chain: [DNSRecord], outcome: Outcome, answers: [DNSRecord]) {
        self.name = name
        self.type = type
        self.chain = chain
        self.outcome = outcome
        self.answers = answers
    }

    /// The name the outcome is about: the end of the chain.
    public var finalName: String { chain.last?.value ?? name }
}

/// A stub resolver: asks its servers in turn over UDP, again over TCP when an answer is truncated,
/// checks that each answer is to its question, and follows CNAME chains. Everything is async and
/// bounded: at most `attempts` rounds of `timeout` per server and question.
public struct DNSResolver: Sendable {
    public var servers: [DNSServer]
    public var options: DNSResolverOptions

    public init(servers: [DNSServer], options: DNSResolverOptions = DNSResolverOptions()) {
        self.servers = servers
        self.options = options
    }

    /// The servers of resolv.conf (`nameserver` lines; `options timeout:N attempts:N` respected), or
    /// 127.0.0.1:53 when it names none, as the C library does.
    public static func system(resolvConf path: String = "/etc/resolv.conf", options: DNSResolverOptions = DNSResolverOptions()) -> DNSResolver {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return DNSResolver(resolvConf: text, options: options)
    }

    public init(resolvConf text: String, options: DNSResolverOptions = DNSResolverOptions()) {
        var servers: [DNSServer] = []
        var options = options
        for line in text.split(separator: "\n") {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard let keyword = words.first, !keyword.hasPrefix("#"), !keyword.hasPrefix(";") else { continue }
            if keyword == "nameserver", words.count > 1, servers.count < 3 {
                // resolv.conf names addresses only (port 53); an IPv6 one may carry a %scope.
                let host = String(words[1].prefix { $0 != "%" })
                if DNSServer.isIPAddress(host) { servers.append(DNSServer(host: host)) }
            } else if keyword == "options" {
                for word in words.dropFirst() {
                    if word.hasPrefix("timeout:"), let seconds = Int(word.dropFirst(8)) { options.timeout = .seconds(max(1, min(seconds, 30))) }
                    if word.hasPrefix("attempts:"), let count = Int(word.dropFirst(9)) { options.attempts = max(1, min(count, 5)) }
                }
            }
        }
        self.init(servers: servers.isEmpty ? [DNSServer(host: "127.0.0.1")] : servers, options: options)
    }

    /// One question, answered NOERROR or NXDOMAIN by the first server that answers at all.
    public func query(_ name: String, _ type: DNSRecordType) async throws -> DNSMessage {
        let name = DNSName.normalize(name)
        _ = try DNSName.wire(name)
        var last = DNSError.badServer("no DNS server to ask")
        for _ in 0..<options.attempts {
            for server in servers {
                do {
                    return try await ask(name, type, server)
                } catch let error as DNSError {
                    last = error
                }
            }
        }
        throw last
    }

    func ask(_ name: String, _ type: DNSRecordType, _ server: DNSServer) async throws -> DNSMessage {
        var message = try await exchange(name, type, server, overTCP: false)
        if message.truncated {
            message = try await exchange(name, type, server, overTCP: true)
        }
        switch message.responseCode {
        case .noError, .nameError: return message
        default: throw DNSError.serverError(server: server.description, code: message.responseCode)
        }
    }

    func exchange(_ name: String, _ type: DNSRecordType, _ server: DNSServer, overTCP: Bool) async throws -> DNSMessage {
        let id = UInt16.random(in: .min ... .max)
        let bytes = try await DNSTransport.exchange(try DNSMessage.query(id: id, name: name, type: type), id: id, server: server,
                                                    overTCP: overTCP, timeout: options.timeout)
        let message = try DNSMessage(parsing: bytes)
        guard message.opcode == 0, message.questions.count == 1, let question = message.questions.first,
              DNSName.normalize(question.name) == name, question.type == type, question.klass == 1 else {
            throw DNSError.malformed("the answer from \(server) is not to the question asked (\(name) \(type))")
        }
        return message
    }

    /// Asks for `type` at `name` and follows CNAMEs, within one answer and across answers, at most
    /// `maxChain` of them. Asking for CNAME itself returns the alias without following it.
    public func resolve(_ name: String, _ type: DNSRecordType) async throws -> DNSResolution {
        let start = DNSName.normalize(name)
        var current = start
        var chain: [DNSRecord] = []
        var seen: Set<String> = [start]
        for _ in 0...options.maxChain {
            let message = try await query(current, type)
            var advanced = false
            while true {
                let here = message.answers.filter { DNSName.normalize($0.name) == current }
                let values = here.filter { $0.type == type }.compactMap(\.value)
                if !values.isEmpty {
                    return DNSResolution(name: start, type: type, chain: chain, outcome: .records(values), answers: message.answers)
                }
                guard type != .cname, let alias = here.first(where: { $0.type == .cname }), let target = alias.value else { break }
                chain.append(alias)
                guard chain.count <= options.maxChain else { throw DNSError.chain("the CNAME chain from \(start) is longer than \(options.maxChain)") }
                guard seen.insert(DNSName.normalize(target)).inserted else { throw DNSError.chain("the CNAME chain from \(start) loops at \(target)") }
                current = DNSName.normalize(target)
                advanced = true
            }
            if message.responseCode == .nameError || !advanced {
                let outcome: DNSResolution.Outcome = message.responseCode == .nameError ? .nameError : .noData
                return DNSResolution(name: start, type: type, chain: chain, outcome: outcome, answers: message.answers)
            }
        }
        throw DNSError.chain("the CNAME chain from \(start) is longer than \(options.maxChain)")
    }
}
