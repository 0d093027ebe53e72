@testable import AppRunnerLocal
import Testing

/// Issue 16 item 7: the loopback-only rule reads what `--host` resolves to, not its text.
@Suite(.timeLimit(.minutes(1))) struct LoopbackTests {
    @Test func aNameStartingWith127IsJudgedByItsAddresses() {
        // `127.anything.example` resolving to every interface passed the text check.
        guard case .failure(let refusal) = Loopback.check("127.0.0.1.example.com", resolve: { _ in ["0.0.0.0"] }) else {
            Issue.record("expected a refusal"); return
        }
        #expect("\(refusal)".contains("resolves to 0.0.0.0, not loopback"))
        guard case .failure(let mixed) = Loopback.check("dual", resolve: { _ in ["127.0.0.1", "10.0.0.5"] }) else {
            Issue.record("expected a refusal"); return
        }
        #expect("\(mixed)".contains("10.0.0.5"))
        guard case .failure(let nowhere) = Loopback.check("nowhere.invalid", resolve: { _ in [] }) else {
            Issue.record("expected a refusal"); return
        }
        #expect("\(nowhere)".contains("does not resolve"))
        #expect((try? Loopback.check("lo", resolve: { _ in ["127.0.0.2", "::1"] }).get()) == ["127.0.0.2", "::1"])
    }

    @Test func addressesAreLoopbackOnlyIn127Slash8AndColonColon1() {
        for address in ["127.0.0.1", "127.255.0.9", "::1", "::ffff:127.0.0.1"] { #expect(Loopback.isLoopback(address: address), "\(address)") }
        for address in ["0.0.0.0", "::", "10.0.0.1", "128.0.0.1", "127.0.0", "127.0.0.1.5", "::ffff:10.0.0.1"] {
            #expect(!Loopback.isLoopback(address: address), "\(address)")
        }
    }

    @Test func theResolverIsTheSystems() {
        #expect(Loopback.addresses(of: "127.0.0.1") == ["127.0.0.1"])
        #expect(Loopback.addresses(of: "0.0.0.0") == ["0.0.0.0"])
        #expect(Loopback.addresses(of: "no-such-host.invalid").isEmpty)
        #expect(Loopback.addresses(of: "localhost").allSatisfy(Loopback.isLoopback(address:)))
    }
}
