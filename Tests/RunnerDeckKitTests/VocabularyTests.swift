import AWSCore
import AppRunner
import Foundation
@testable import RunnerDeckKit
import Testing

@Suite(.timeLimit(.minutes(1))) struct StatusWordsTests {
    @Test func everyServiceStatusHasWordsAndARole() {
        let cases: [(ServiceStatus?, String, String, ColorRole)] = [
            (.running, "RUNNING", "RUNNING", .ok), (.paused, "PAUSED", "PAUSED", .info),
            (.operationInProgress, "OPERATION_IN_PROGRESS", "IN PROGRESS", .warn),
            (.createFailed, "CREATE_FAILED", "CREATE FAILED", .error), (.deleteFailed, "DELETE_FAILED", "DELETE FAILED", .error),
            (.deleted, "DELETED", "DELETED", .muted), (.unknown("NEW_STATE"), "NEW_STATE", "NEW_STATE", .normal), (nil, "?", "?", .muted),
        ]
        for (status, raw, short, role) in cases {
            let word = StatusWords.service(status)
            #expect(word.raw == raw && word.short == short && word.role == role, "\(String(describing: status))")
        }
    }

    @Test func rollbacksReadAsRollbacksWithoutColour() {
        #expect(StatusWords.operation(.rollbackInProgress).short == "ROLLBACK")
        #expect(StatusWords.operation(.rollbackSucceeded).short == "ROLLED BACK")
        #expect(StatusWords.operation(.rollbackFailed).role == .error)
        #expect(StatusWords.operation(.succeeded).role == .ok)
        #expect(StatusWords.operationType(.startDeployment) == "DEPLOY")
        #expect(StatusWords.domain("pending_certificate_dns_validation").role == .warn)
        #expect(StatusWords.domain("ACTIVE").role == .ok)
    }
}

@Suite(.timeLimit(.minutes(1))) struct ResourceARNTests {
    @Test func servicesAndRevisionsParse() throws {
        let service = try #require(ResourceARN("arn:aws:apprunner:eu-west-1:123456789012:service/web-api/8fe1e10304f84fd2b0df550fe98a71fa"))
        #expect(service.region == "eu-west-1" && service.account == "123456789012" && service.resourceType == "service")
        #expect(service.name == "web-api" && service.path == ["8fe1e10304f84fd2b0df550fe98a71fa"])
        let asc = try #require(ResourceARN("arn:aws-cn:apprunner:cn-north-1:1:autoscalingconfiguration/DefaultConfiguration/1/0001"))
        #expect(asc.partition == "aws-cn" && asc.name == "DefaultConfiguration" && asc.path == ["1", "0001"])
    }

    @Test func notAnARNKeepsItsText() {
        #expect(ResourceARN("web-api") == nil)
        #expect(ResourceARN("arn:aws:apprunner:us-east-1:1:service") == nil)
        #expect(ResourceARN.name("web-api") == "web-api")
        #expect(ResourceARN.name("arn:aws:apprunner:us-east-1:1:service/a/b") == "a")
    }
}

@Suite(.timeLimit(.minutes(1))) struct ErrorTextTests {
    @Test func serviceErrorsKeepCodeMessageAndRequestId() {
        let text = ErrorText(InvalidStateException(message: "Service cannot be paused\nin its state", requestId: "req-1"))
        #expect(text.code == "InvalidStateException")
        #expect(text.message == "Service cannot be paused in its state")
        #expect(text.requestId == "req-1")
        #expect(text.description == "InvalidStateException: Service cannot be paused in its state")
    }

    @Test func throttlingIsNamed() {
        let text = ErrorText(AWSResponseError(code: "ThrottlingException", message: "Rate exceeded", statusCode: 400))
        #expect(text.isThrottling)
        #expect(text.description == "throttled (ThrottlingException: Rate exceeded)")
    }

    @Test func clientFailuresHaveOperatorWords() {
        let text = ErrorText(AWSClientError.connection(endpoint: "http://127.0.0.1:1", reason: "connection refused"))
        #expect(text.code == "ClientError")
        #expect(text.message.contains("connection refused"))
    }

    @Test func terminalControlsAreNeutralised() {
        #expect(sanitizeForTerminal("a\u{1B}[2Jb\u{07}") == "a?[2Jb?")
    }
}

@Suite(.timeLimit(.minutes(1))) struct FormatTests {
    @Test func durationsAndAges() {
        #expect(Format.duration(42) == "42s")
        #expect(Format.duration(185) == "3m 05s")
        #expect(Format.duration(7620) == "2h 07m")
        #expect(Format.duration(-5) == "0s")
        #expect(Format.age(7200) == "2h")
    }

    @Test func displayWidthCountsWideAndCombining() {
        #expect(DisplayWidth.of("abc") == 3)
        #expect(DisplayWidth.of("日本") == 4)
        #expect(DisplayWidth.of("e\u{301}") == 1)
        #expect("日本語テキスト".truncated(toWidth: 7) == "日本語…")
    }
}

@Suite(.timeLimit(.minutes(1))) struct PaginationTests {
    struct Page: Sendable { var items: [Int]; var next: String? }

    func pages(_ script: [String: Page], counter: Counter) -> AWSPaginator<String?, Page> {
        AWSPaginator(input: nil, command: { token in
            await counter.bump()
            return script[token ?? "start"] ?? Page(items: [], next: nil)
        }, setToken: { _, token in token }, getToken: { $0.next })
    }

    actor Counter {
        var calls = 0
        func bump() { calls += 1 }
    }

    @Test func collectFlattensInOrder() async throws {
        let counter = Counter()
        let items = try await pages(["start": Page(items: [1, 2], next: "a"), "a": Page(items: [3], next: nil)], counter: counter)
            .collect(maxPages: 10) { $0.items }
        #expect(items == [1, 2, 3])
        #expect(await counter.calls == 2)
    }

    @Test func aTokenSeenBeforeEndsTheListing() async throws {
        // A → B → A would loop forever if only the previous token were compared.
        let counter = Counter()
        let items = try await pages(["start": Page(items: [1], next: "A"), "A": Page(items: [2], next: "B"), "B": Page(items: [3], next: "A")], counter: counter)
            .collect(maxPages: 100) { $0.items }
        #expect(items == [1, 2, 3])
        #expect(await counter.calls == 3)
    }

    @Test func maxPagesBoundsAnEndlessListing() async throws {
        let counter = Counter()
        let endless = AWSPaginator<Int, Page>(input: 0, command: { n in await counter.bump(); return Page(items: [n], next: String(n + 1)) },
                                              setToken: { _, token in Int(token) ?? 0 }, getToken: { $0.next })
        let collected = try await endless.collect(maxPages: 5)
        #expect(collected.count == 5)
        #expect(await counter.calls == 5)
    }
}

@Suite(.timeLimit(.minutes(1))) struct SuggestionsTests {
    @Test func nearestByEditDistanceAndContainment() {
        #expect(Suggestions.editDistance("kitten", "sitting") == 3)
        #expect(Suggestions.nearest(to: "servcies", in: ["services", "serve", "describe"], limit: 3, maxDistance: 2) == ["services"])
        #expect(Suggestions.nearest(to: "web", in: ["web-api", "web-ui", "orders"]) == ["web-api", "web-ui"])
        #expect(Suggestions.nearest(to: "zzzz", in: ["web-api"]).isEmpty)
        #expect(Suggestions.nearest(to: "a", in: (0..<20).map { "a\($0)" }, limit: 5).count == 5)
    }
}
