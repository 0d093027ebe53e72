import DNSClient
import Foundation
import Testing

/// The DNS wire client against the loopback DNS server (UDP and TCP on one port).
@Suite(.timeLimit(.minutes(2))) struct DNSClientTests {
    static func withServer(_ rules: DNSTestServer.Rules, timeout: Duration = .seconds(2), attempts: Int = 2,
                           _ body: (DNSResolver, DNSTestServer) async throws -> Void) async throws {
        let server = try await DNSTestServer.start(rules)
        let resolver = DNSResolver(servers: [try DNSServer(parsing: server.address)],
                                   options: DNSResolverOptions(timeout: timeout, attempts: attempts))
        do {
            try await body(resolver, server)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    static func rules(_ entries: [DNSTestServer.Entry]) -> DNSTestServer.Rules {
        var rules = DNSTestServer.Rules()
        rules.entries = entries
        return rules
    }

    @Test func answersAnARecord() async throws {
        try await Self.withServer(Self.rules([.a("web.test", "192.0.2.7"), .a("web.test", "192.0.2.8")])) { resolver, server in
            let result = try await resolver.resolve("WEB.test", .a)
            #expect(result.outcome == .records(["192.0.2.7", "192.0.2.8"]))
            #expect(result.chain.isEmpty)
            #expect(server.queries.udp == 1 && server.queries.tcp == 0)
        }
        try await Self.withServer(Self.rules([.aaaa("web.test", "2001:DB8:0:0:0:0:0:1")])) { resolver, _ in
            let result = try await resolver.resolve("web.test", .aaaa)
            #expect(result.outcome == .records(["2001:db8::1"]))
        }
    }

    @Test func followsACNAMEChainAndReturnsTheAliasWhenAskedForCNAME() async throws {
        let entries: [DNSTestServer.Entry] = [.cname("www.shop.test", "edge.cdn.test"), .cname("edge.cdn.test", "abc.awsapprunner.test"),
                                              .a("abc.awsapprunner.test", "198.51.100.1")]
        try await Self.withServer(Self.rules(entries)) { resolver, _ in
            let result = try await resolver.resolve("www.shop.test", .a)
            #expect(result.chain.map(\.value) == ["edge.cdn.test.", "abc.awsapprunner.test."])
            #expect(result.finalName == "abc.awsapprunner.test.")
            #expect(result.outcome == .records(["198.51.100.1"]))
            let alias = try await resolver.resolve("www.shop.test.", .cname)
            #expect(alias.outcome == .records(["edge.cdn.test."]))
            #expect(alias.chain.isEmpty)
        }
    }

    @Test func aChainAnsweredOneAliasAtATimeIsFollowedAcrossQuestions() async throws {
        var rules = Self.rules([.cname("www.shop.test", "edge.cdn.test"), .cname("edge.cdn.test", "abc.origin.test"), .a("abc.origin.test", "198.51.100.9")])
        rules.followsCNAMEs = false
        try await Self.withServer(rules) { resolver, server in
            let result = try await resolver.resolve("www.shop.test", .a)
            #expect(result.outcome == .records(["198.51.100.9"]))
            #expect(result.chain.map(\.name) == ["www.shop.test.", "edge.cdn.test."])
            #expect(server.queries.udp == 3)
        }
    }

    @Test func aCancelledQuestionEndsAtOnce() async throws {
        var rules = DNSTestServer.Rules()
        rules.silent = true
        try await Self.withServer(rules, timeout: .seconds(30), attempts: 1) { resolver, server in
            let task = Task<Bool, Never> {
                do { _ = try await resolver.query("web.test", .a); return false } catch { return error is CancellationError }
            }
            try await waitUntil("the question to arrive") { server.queries.udp == 1 }
            task.cancel()
            #expect(try await waitForValue(of: task, "the cancelled question", timeout: 5))
        }
    }

    @Test func aLoopingOrTooLongChainIsAnError() async throws {
        try await Self.withServer(Self.rules([.cname("a.test", "b.test"), .cname("b.test", "a.test")])) { resolver, _ in
            await #expect(throws: DNSError.chain("the CNAME chain from a.test. loops at a.test.")) { try await resolver.resolve("a.test", .a) }
        }
        let long = (0..<12).map { DNSTestServer.Entry.cname("n\($0).test", "n\($0 + 1).test") }
        try await Self.withServer(Self.rules(long)) { resolver, _ in
            await #expect(throws: DNSError.self) { try await resolver.resolve("n0.test", .a) }
        }
    }

    @Test func nxdomainAndNodataAreOutcomesNotErrors() async throws {
        let entries: [DNSTestServer.Entry] = [.a("web.test", "192.0.2.1"), .a("deep.below.empty.test", "192.0.2.2"),
                                              .cname("gone.test", "missing.elsewhere.test")]
        try await Self.withServer(Self.rules(entries)) { resolver, _ in
            #expect(try await resolver.resolve("nothing.test", .a).outcome == .nameError)
            #expect(try await resolver.resolve("web.test", .aaaa).outcome == .noData)
            #expect(try await resolver.resolve("web.test", .cname).outcome == .noData)
            #expect(try await resolver.resolve("empty.test", .a).outcome == .noData)  // an empty non-terminal
            let dangling = try await resolver.resolve("gone.test", .a)
            #expect(dangling.outcome == .nameError)
            #expect(dangling.finalName == "missing.elsewhere.test.")
        }
    }

    @Test func aTruncatedUDPAnswerIsAskedAgainOverTCP() async throws {
        var rules = Self.rules((1...40).map { .a("many.test", "10.0.0.\($0)") })
        rules.truncateOverUDP = true
        try await Self.withServer(rules) { resolver, server in
            let result = try await resolver.resolve("many.test", .a)
            #expect(result.outcome == .records((1...40).map { "10.0.0.\($0)" }))
            #expect(server.queries.udp == 1 && server.queries.tcp == 1)
        }
    }

    @Test func anAnswerWithAnotherIDIsIgnored() async throws {
        var rules = Self.rules([.a("web.test", "192.0.2.1")])
        rules.strayFirst = true
        try await Self.withServer(rules) { resolver, _ in
            let result = try await resolver.resolve("web.test", .a)
            #expect(result.outcome == .records(["192.0.2.1"]))
        }
    }

    @Test func aSilentServerTimesOutAfterItsAttempts() async throws {
        var rules = DNSTestServer.Rules()
        rules.silent = true
        try await Self.withServer(rules, timeout: .milliseconds(200), attempts: 2) { resolver, server in
            await #expect(throws: DNSError.timeout(server: server.address)) { try await resolver.query("web.test", .a) }
            #expect(server.queries.udp == 2)
        }
    }

    @Test func aFailingServerIsSkippedForTheNext() async throws {
        var failing = Self.rules([.a("web.test", "192.0.2.66")])
        failing.responseCode = 2
        let bad = try await DNSTestServer.start(failing)
        try await Self.withServer(Self.rules([.a("web.test", "192.0.2.1")])) { _, good in
            let resolver = DNSResolver(servers: [try DNSServer(parsing: bad.address), try DNSServer(parsing: good.address)])
            #expect(try await resolver.resolve("web.test", .a).outcome == .records(["192.0.2.1"]))
            let alone = DNSResolver(servers: [try DNSServer(parsing: bad.address)], options: DNSResolverOptions(attempts: 1))
            await #expect(throws: DNSError.serverError(server: bad.address, code: .serverFailure)) { try await alone.query("web.test", .a) }
        }
        await bad.stop()
    }

    /// An answer to `query` with the question copied and one A record whose owner name is `owner`.
    static func hostile(_ query: [UInt8], owner: [UInt8]) -> [UInt8] {
        var out = Array(query.prefix(2)) + [0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0] + query.dropFirst(12)
        let ownerAt = out.count
        out += owner.map { $0 == 0xFE ? UInt8(ownerAt & 0xFF) : $0 }
        out += [0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1]
        return out
    }

    @Test(arguments: [
        ("a pointer to itself", [0xC0, 0xFE] as [UInt8], "does not point back"),
        ("a pointer past the end", [0xFF, 0xFF], "does not point back"),
        ("a pointer into the header", [0xC0, 0x02], "does not point back"),
        ("a label after a pointer back to it", [0x01, 0x61, 0xC0, 0xFE], "does not point back"),
        ("a label running past the end", [0x3F, 0x61], "label runs past the end"),
        ("a reserved label type", [0x80, 0x00], "unknown label type"),
    ])
    func hostileCompressionIsRefusedNotFollowed(_ what: String, owner: [UInt8], reason: String) async throws {
        var rules = DNSTestServer.Rules()
        rules.raw = { query in Self.hostile(query, owner: owner) }
        try await Self.withServer(rules, attempts: 1) { resolver, _ in
            do {
                _ = try await resolver.query("web.test", .a)
                Issue.record("\(what) was accepted")
            } catch let error as DNSError {
                guard case .malformed(let why) = error, why.contains(reason) else { Issue.record("\(what): \(error)"); return }
            }
        }
    }

    @Test func aLongChainOfBackwardPointersIsCut() throws {
        // A first record of an unread type carries 70 pointers, each to the one before it (the first to
        // the question's name); the second record's name points to the last: every jump goes back, but
        // there are too many.
        var bytes: [UInt8] = [0, 1, 0x81, 0x80, 0, 1, 0, 2, 0, 0, 0, 0, 1, 0x61, 0, 0, 1, 0, 1]
        bytes += [0xC0, 12, 0, 99, 0, 1, 0, 0, 0, 60, 0, 140]
        var previous = 12
        for _ in 0..<70 {
            let here = bytes.count
            bytes += [0xC0 | UInt8(previous >> 8), UInt8(previous & 0xFF)]
            previous = here
        }
        bytes += [0xC0 | UInt8(previous >> 8), UInt8(previous & 0xFF), 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1]
        #expect(throws: DNSError.malformed("too many compression pointers")) { try DNSMessage(parsing: bytes) }
    }

    @Test func aTwoPointerLoopIsRefused() throws {
        // Header, question "a." (offset 12), then an answer whose name points forward to a pointer back.
        var bytes: [UInt8] = [0, 1, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0, 1, 0x61, 0, 0, 1, 0, 1]
        let first = bytes.count
        bytes += [0xC0, UInt8(first + 2), 0xC0, UInt8(first)]
        #expect(throws: DNSError.self) { try DNSMessage(parsing: bytes) }
        // A legitimate backward pointer to the question's name reads fine.
        var good: [UInt8] = [0, 1, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0, 1, 0x61, 0, 0, 1, 0, 1]
        good += [0xC0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 4, 1, 0x62, 0xC0, 12]
        let message = try DNSMessage(parsing: good)
        #expect(message.answers == [DNSRecord(name: "a.", type: .cname, ttl: 60, value: "b.a.")])
    }

    @Test func anAnswerToAnotherQuestionIsRefused() async throws {
        var rules = DNSTestServer.Rules()
        rules.raw = { query in
            Array(query.prefix(2)) + [0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0] + [5] + Array("other".utf8) + [4] + Array("test".utf8) + [0, 0, 1, 0, 1]
        }
        try await Self.withServer(rules, attempts: 1) { resolver, _ in
            await #expect(throws: DNSError.self) { try await resolver.query("web.test", .a) }
        }
    }

    @Test func serversAndResolvConfAreRead() throws {
        #expect(try DNSServer(parsing: "127.0.0.1:5353") == DNSServer(host: "127.0.0.1", port: 5353))
        #expect(try DNSServer(parsing: "[::1]:53") == DNSServer(host: "::1", port: 53))
        #expect(try DNSServer(parsing: "fe80::1%eth0") == DNSServer(host: "fe80::1", port: 53))
        #expect(try DNSServer(parsing: "localhost") == DNSServer(host: "127.0.0.1", port: 53))
        #expect(throws: DNSError.self) { try DNSServer(parsing: "ns1.example.com") }
        #expect(throws: DNSError.self) { try DNSServer(parsing: "127.0.0.1:0") }
        let conf = "# comment\nnameserver 10.0.0.2\nnameserver ::1\nnameserver bogus\nsearch x\noptions timeout:1 attempts:3 rotate\n"
        let resolver = DNSResolver(resolvConf: conf)
        #expect(resolver.servers == [DNSServer(host: "10.0.0.2"), DNSServer(host: "::1")])
        #expect(resolver.options.timeout == .seconds(1) && resolver.options.attempts == 3)
        #expect(DNSResolver(resolvConf: "").servers == [DNSServer(host: "127.0.0.1")])
        #expect(throws: DNSError.invalidName("a..b")) { try DNSMessage.query(id: 1, name: "a..b", type: .a) }
        #expect(throws: DNSError.self) { try DNSMessage.query(id: 1, name: String(repeating: "x", count: 64) + ".test", type: .a) }
        #expect(DNSName.ancestors(of: "_x.www.Example.com") == ["www.example.com.", "example.com.", "com."])
    }
}
