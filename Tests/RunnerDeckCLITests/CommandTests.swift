import AWSCore
import AppRunner
@testable import AppRunnerLocal
import Foundation
import Testing
@testable import RunnerDeckCLI

/// One command run in process: its exit status and what it wrote.
struct Run {
    var status: Int32
    var out: String
    var err: String

    func json() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
    }
}

func runCLI(_ arguments: [String], api: any AppRunnerAPI, terminal: Bool = false, variables: [String: String] = [:],
            interrupts: InterruptSource? = nil) async -> Run {
    let out = CapturingSink()
    let err = CapturingSink()
    let environment = CLIEnvironment(
        standardOutput: out, standardError: err, outputIsTerminal: terminal, errorIsTerminal: terminal,
        variables: variables, makeAPI: { _ in api }, pollInterval: .milliseconds(1), interrupts: interrupts
    )
    let status = await runRunnerDeck(arguments: arguments, environment: environment)
    return Run(status: status, out: out.text, err: err.text)
}

/// Local App Runner behind the recording wrapper, for the commands. Operations take 10 s on a manual
/// clock that every call moves `secondsPerCall` (so `--wait`, which polls on the real clock, sees them
/// end after a few polls); ListServices answers pages of 2 and DescribeCustomDomains pages of 1 when
/// the command does not ask for a size, so the commands' paging is exercised.
func makeDouble(secondsPerCall: Double = 4, operationSeconds: Double = 10) async throws -> (RecordingAppRunner, ManualClock) {
    let clock = ManualClock(Date(timeIntervalSince1970: 1_795_341_660.25))
    let double = try RecordingAppRunner(clock: clock, operationSeconds: operationSeconds, secondsPerCall: secondsPerCall)
    await double.setDefaultPageSize(2, for: .listServices)
    await double.setDefaultPageSize(1, for: .describeCustomDomains)
    return (double, clock)
}

@Suite(.timeLimit(.minutes(5))) struct CommandTests {
    @Test func servicesInEachFormatCoverEveryPage() async throws {
        let (double, _) = try await makeDouble()
        let api = double.client
        for name in ["alpha", "bravo", "charlie", "delta", "echo"] { try await double.addService(name) }
        let json = await runCLI(["services"], api: api)  // not a terminal: json by default
        #expect(json.status == 0)
        #expect(await double.calls == ["ListServices", "ListServices", "ListServices"])  // pages of 2
        let list = try #require(try json.json()["ServiceSummaryList"] as? [[String: Any]])
        #expect(list.compactMap { $0["ServiceName"] as? String } == ["alpha", "bravo", "charlie", "delta", "echo"])
        #expect((list[0]["CreatedAt"] as? String)?.contains("T") == true)
        #expect(try json.json()["NextToken"] == nil)

        let table = await runCLI(["services", "--output", "table"], api: api)
        let lines = table.out.split(separator: "\n")
        #expect(lines.first?.split(separator: " ", omittingEmptySubsequences: true) == ["NAME", "STATUS", "UPDATED", "URL", "ARN"])
        #expect(lines.count == 6)
        #expect(!table.out.contains("\u{1B}["))

        let text = await runCLI(["services", "--output", "text"], api: api)
        let rows = text.out.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
        #expect(rows.count == 5 && rows.allSatisfy { $0.count == 5 })
        #expect(rows[2][0] == "charlie" && rows[2][1] == "RUNNING")

        let coloured = await runCLI(["services"], api: api, terminal: true)
        #expect(coloured.out.contains("\u{1B}[32mRUNNING"))
        let plain = await runCLI(["services"], api: api, terminal: true, variables: ["NO_COLOR": "1"])
        #expect(plain.out.hasPrefix("NAME") && !plain.out.contains("\u{1B}["))
        let flagged = await runCLI(["services", "--no-color"], api: api, terminal: true)
        #expect(!flagged.out.contains("\u{1B}["))
    }

    @Test func describeByNameOrArnInEachFormat() async throws {
        let (double, clock) = try await makeDouble()
        let api = double.client
        let createdAt = clock.now()
        let arn = try await double.addService("web-api", env: ["MODE": "secret-value"])
        let byName = await runCLI(["describe", "web-api", "--output", "json"], api: api)
        let byArn = await runCLI(["describe", arn, "--output", "json"], api: api)
        #expect(byName.status == 0 && byName.out == byArn.out)
        let service = try #require(try byName.json()["Service"] as? [String: Any])
        #expect(service["ServiceArn"] as? String == arn)
        #expect(service["CreatedAt"] as? String == CLIJSON.timestamp(createdAt))

        let table = await runCLI(["describe", "web-api", "--output", "table"], api: api)
        #expect(table.out.contains("web-api") && table.out.contains(arn))
        #expect(table.out.contains("MODE") && !table.out.contains("secret-value"))  // variable names only
        let text = await runCLI(["describe", "web-api", "--output", "text"], api: api)
        let fields = Dictionary(text.out.split(separator: "\n").map { line -> (String, String) in
            let parts = line.split(separator: "\t", maxSplits: 1)
            return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
        }, uniquingKeysWith: { first, _ in first })
        #expect(fields["Name"] == "web-api" && fields["Status"] == "RUNNING" && fields["CPU"] == "1024")
    }

    @Test func unknownAndAmbiguousNames() async throws {
        let (double, clock) = try await makeDouble(secondsPerCall: 0)
        let api = double.client
        try await double.addService("web-api")
        try await double.addService("worker")
        let unknown = await runCLI(["describe", "wbe-api"], api: api)
        #expect(unknown.status == 254 && unknown.out.isEmpty)
        #expect(unknown.err.split(separator: "\n").count == 1)
        #expect(unknown.err.contains("ResourceNotFoundException") && unknown.err.contains("did you mean: web-api") && !unknown.err.contains("worker"))
        let similar = await runCLI(["describe", "web"], api: api)
        #expect(similar.status == 254 && similar.err.contains("did you mean: web-api"))

        // Deleted then re-created: the live one wins. Local App Runner leaves deleted services out of
        // ListServices, so the wrapper adds the deleted one to its answers.
        let old = try await double.addService("twice")
        _ = try await double.local.deleteService(DeleteServiceRequest(serviceArn: old))
        clock.advance(by: 11)
        let deleted = try await double.local.describeService(DescribeServiceRequest(serviceArn: old)).service
        #expect(deleted.status == .deleted)
        let live = try await double.addService("twice")
        let oldSummary = ServiceSummary(serviceName: "twice", serviceId: deleted.serviceId, serviceArn: old, serviceUrl: deleted.serviceUrl,
                                        createdAt: deleted.createdAt, updatedAt: deleted.updatedAt, status: .deleted)
        await double.editResponses(of: .listServices, as: ListServicesResponse.self) { page in
            if page.nextToken == nil { page.serviceSummaryList.append(oldSummary) }
        }
        let preferred = await runCLI(["describe", "twice"], api: api)
        #expect(try (preferred.json()["Service"] as? [String: Any])?["ServiceArn"] as? String == live)
        // Two that are not deleted (Local App Runner refuses a second live name; the wrapper adds it):
        // ambiguous, candidates listed, exit 2.
        let other = "arn:aws:apprunner:us-east-1:123456789012:service/twice/" + String(repeating: "e", count: 32)
        let otherSummary = ServiceSummary(serviceName: "twice", serviceId: String(repeating: "e", count: 32), serviceArn: other,
                                          createdAt: clock.now(), updatedAt: clock.now(), status: .paused)
        await double.editResponses(of: .listServices, as: ListServicesResponse.self) { page in
            if page.nextToken == nil { page.serviceSummaryList += [oldSummary, otherSummary] }
        }
        let ambiguous = await runCLI(["pause", "twice"], api: api)
        #expect(ambiguous.status == 252)
        #expect(ambiguous.err.contains("AmbiguousServiceName") && ambiguous.err.contains(live) && ambiguous.err.contains(other) && ambiguous.err.contains(old))
        #expect(ambiguous.err.split(separator: "\n").count == 1)
        #expect(try await double.status(of: live) == .running)  // nothing was paused
        #expect(await !double.calls.contains("PauseService"))
    }

    @Test func operationsNewestFirstAndLimited() async throws {
        let (double, _) = try await makeDouble()
        let api = double.client
        let arn = try await double.addService("web-api")
        #expect(await runCLI(["deploy", "web-api", "--wait"], api: api).status == 0)
        let all = await runCLI(["operations", "web-api"], api: api)
        let ops = try #require(try all.json()["OperationSummaryList"] as? [[String: Any]])
        #expect(ops.compactMap { $0["Type"] as? String } == ["START_DEPLOYMENT", "CREATE_SERVICE"])
        let one = await runCLI(["operations", arn, "--max-results", "1", "--output", "text"], api: api)
        let lines = one.out.split(separator: "\n")
        #expect(lines.count == 2 && lines[0].contains("\tSTART_DEPLOYMENT\tSUCCEEDED\t") && lines[1].hasPrefix("NEXTTOKEN\t"), "\(one.out)")
        let table = await runCLI(["operations", "web-api", "--output", "table"], api: api)
        #expect(table.out.hasPrefix("ID") && table.out.contains("CREATE_SERVICE"))
    }

    @Test func domainsShowEveryRecordAcrossPages() async throws {
        let (double, clock) = try await makeDouble(secondsPerCall: 0)
        let api = double.client
        let arn = try await double.addService("web-api")
        _ = try await double.local.associateCustomDomain(AssociateCustomDomainRequest(serviceArn: arn, domainName: "example.com"))
        clock.advance(by: 10)  // half the validation time: its records are out, PENDING_VALIDATION
        _ = try await double.local.associateCustomDomain(AssociateCustomDomainRequest(serviceArn: arn, domainName: "new.example.org", enableWWWSubdomain: false))
        let shown = try await double.local.describeCustomDomains(DescribeCustomDomainsRequest(serviceArn: arn))
        let records = try #require(shown.customDomains.first?.certificateValidationRecords)
        #expect(records.count == 3)
        let long = try #require(records.map(\.name).first { ($0?.count ?? 0) > 64 } ?? nil)  // Local's second record: ACM-long
        await double.resetCalls()
        let json = await runCLI(["domains", "web-api"], api: api)
        #expect(await double.calls.filter { $0 == "DescribeCustomDomains" }.count == 2)  // two pages of one
        let domains = try #require(try json.json()["CustomDomains"] as? [[String: Any]])
        #expect(domains.count == 2)
        #expect(domains[0]["Status"] as? String == "pending_certificate_dns_validation")
        #expect((domains[0]["CertificateValidationRecords"] as? [Any])?.count == 3)
        #expect(try json.json()["VpcDNSTargets"] as? [Any] != nil)

        let table = await runCLI(["domains", "web-api", "--output", "table"], api: api)
        #expect(table.out.contains("DNS target: \(shown.dnsTarget)"))
        #expect(table.out.contains(long) && records.allSatisfy { table.out.contains($0.value ?? "?") })
        let text = await runCLI(["domains", "web-api", "--output", "text"], api: api)
        let rows = text.out.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
        #expect(rows.count == 4)
        #expect(rows[1][3] == Substring(long) && rows[1][4] == "CNAME" && rows[1][6] == "PENDING_VALIDATION")
        #expect(rows[3][0] == "new.example.org" && rows[3][1] == "creating")
    }

    @Test func pauseResumeDeployWaitForSuccess() async throws {
        let (double, _) = try await makeDouble()
        let api = double.client
        let arn = try await double.addService("web-api")
        let pause = await runCLI(["pause", "web-api", "--wait", "--output", "json"], api: api)
        #expect(pause.status == 0 && progressOnly(pause.err))
        #expect(try pause.json()["OperationId"] is String)
        #expect(try await double.status(of: arn) == .paused)
        let again = await runCLI(["pause", "web-api", "--wait", "--output", "table"], api: api)
        #expect(again.status == 0 && again.out.contains("already paused"))
        let resume = await runCLI(["resume", "web-api", "--wait", "--output", "table"], api: api)
        #expect(resume.status == 0 && resume.out.contains("RESUME_SERVICE SUCCEEDED"))
        #expect(try await double.status(of: arn) == .running)
        let deploy = await runCLI(["deploy", "web-api", "--wait", "--output", "text"], api: api)
        #expect(deploy.status == 0 && deploy.out.hasSuffix("\tSTART_DEPLOYMENT\tSUCCEEDED\n"))
    }

    @Test func progressLineOnlyOnATerminal() async throws {
        let (double, _) = try await makeDouble()
        try await double.addService("web-api")
        let run = await runCLI(["deploy", "web-api", "--wait"], api: double.client, terminal: true)
        #expect(run.status == 0)
        #expect(run.err.contains("Deploying web-api: START_DEPLOYMENT"))
        #expect(run.err.hasSuffix("\r\u{1B}[2K"))  // cleared at the end
    }

    @Test func rollbackExitsNonZeroWithTheReason() async throws {
        let (double, _) = try await makeDouble()
        let arn = try await double.addService("web-api")
        try await double.local.failNextDeployment(of: arn)
        let run = await runCLI(["deploy", "web-api", "--wait"], api: double.client)
        #expect(run.status == 4)
        #expect(errorLines(run.err).count == 1)
        #expect(run.err.contains("OperationRolledBack") && run.err.contains("ROLLBACK_SUCCEEDED") && run.err.contains("rolled back"))
        #expect(run.err.contains("service status RUNNING"))
        #expect(try run.json()["OperationId"] is String)  // the response was still printed
    }

    @Test func aThrottledCallFailsInOneLineWithTheCode() async throws {
        let (double, _) = try await makeDouble()
        try await double.addService("web-api")
        await double.throttleNext(1)
        let throttled = await runCLI(["services"], api: double.client)
        #expect(throttled.status == 254 && throttled.err.contains("ThrottlingException") && throttled.err.contains("Rate exceeded"))
        #expect(throttled.err.split(separator: "\n").count == 1)
    }

    @Test func timeoutExitsOneAndNamesTheLastStatus() async throws {
        // Past Local's first second (PENDING) at the first poll, then IN_PROGRESS for good.
        let (double, _) = try await makeDouble(secondsPerCall: 2, operationSeconds: 1_000_000)
        try await double.addService("web-api")
        let run = await runCLI(["deploy", "web-api", "--wait", "--timeout", "0.05"], api: double.client)
        #expect(run.status == 3)
        #expect(run.err.contains("WaitTimeout") && run.err.contains("IN_PROGRESS"), "\(run.err)")
    }

    @Test func interruptDuringWaitExits130() async throws {
        let (double, _) = try await makeDouble(secondsPerCall: 0, operationSeconds: 1_000_000)
        try await double.addService("web-api")
        let interrupts = InterruptSource()
        interrupts.interrupt()  // delivered as soon as the wait starts
        let run = await runCLI(["deploy", "web-api", "--wait"], api: double.client, terminal: true, interrupts: interrupts)
        #expect(run.status == 130)
        // The wait stops; the operation does not: say so, with its id and how to follow it.
        #expect(run.err.contains("runnerdeck: interrupted: stopped waiting; operation "))
        #expect(run.err.contains("carries on in App Runner") && run.err.contains("runnerdeck operations web-api"))
        #expect(run.out.contains("OperationId"))  // the response came first
    }

    @Test func deployWaitJSONIsOneDocumentWithTheFinalOperation() async throws {
        let (double, _) = try await makeDouble()
        try await double.addService("web-api")
        let run = await runCLI(["deploy", "web-api", "--wait", "--output", "json"], api: double.client)
        #expect(run.status == 0, "\(run.err)")
        let document = try run.json()
        #expect(document["OperationId"] is String)
        let operation = try #require(document["Operation"] as? [String: Any])
        #expect(operation["Status"] as? String == "SUCCEEDED")
        #expect(operation["Type"] as? String == "START_DEPLOYMENT")
        #expect(operation["Id"] as? String == document["OperationId"] as? String)
    }

    @Test func anUnknownCommandSuggestsTheNearestOne() async throws {
        let (double, _) = try await makeDouble()
        let run = await runCLI(["servcies"], api: double.client)
        #expect(run.status == 252)
        #expect(run.err.contains("unknown command 'servcies'; did you mean 'services'?"))
        #expect(await double.calls.isEmpty)
    }

    @Test func serviceNotFoundListsAFewNearNames() async throws {
        let (double, _) = try await makeDouble()
        for i in 0..<30 { try await double.addService("svc-\(i)") }
        try await double.addService("web-api")
        let run = await runCLI(["describe", "web-apo"], api: double.client)
        #expect(run.status == 254)
        #expect(run.err.contains("did you mean: web-api"))
        let none = await runCLI(["describe", "zzzzzzzzzz"], api: double.client)
        #expect(none.err.contains("among the 31 service(s)"))
        #expect(!none.err.contains("svc-12"))
    }

    @Test func deleteNeedsYesThenWaits() async throws {
        let (double, _) = try await makeDouble()
        let arn = try await double.addService("old-api")
        let refused = await runCLI(["delete", "old-api"], api: double.client)
        #expect(refused.status == 252 && refused.err.contains("--yes"))
        #expect(try await double.status(of: arn) == .running)
        #expect(await !double.calls.contains("DeleteService"))
        let deleted = await runCLI(["delete", "old-api", "--yes", "--wait", "--output", "json"], api: double.client)
        #expect(deleted.status == 0, "\(deleted.err)")
        #expect(try await double.status(of: arn) == .deleted)
    }

    @Test func apiErrorsAreOneLineWithCodeMessageAndRequestId() async throws {
        let (double, _) = try await makeDouble(secondsPerCall: 0)
        let api = double.client
        let arn = try await double.addService("web-api")
        #expect(await runCLI(["deploy", arn], api: api).status == 0)
        let busy = await runCLI(["pause", arn], api: api)
        #expect(busy.status == 254)
        // The wrapper numbers the calls. After the refusal the CLI looks for a PAUSE_SERVICE operation its
        // own lost answer might have started (ListOperations, the last call); the deploy is not one.
        #expect(await double.calls.suffix(2) == ["PauseService", "ListOperations"])
        let requestId = "req-\(await double.calls.count - 1)"
        #expect(busy.err == "runnerdeck: InvalidStateException: Service cannot be paused in the current state: OPERATION_IN_PROGRESS. (request id: \(requestId))\n")
        let missing = await runCLI(["describe", "arn:aws:apprunner:us-east-1:123456789012:service/x/00000000000000000000000000000000"], api: api)
        #expect(missing.status == 254 && missing.err.hasPrefix("runnerdeck: ResourceNotFoundException: "))
    }

    @Test func callRunsAnyOperationAndValidates() async throws {
        let (double, _) = try await makeDouble()
        let api = double.client
        let arn = try await double.addService("web-api")
        let list = await runCLI(["call", "ListServices", "--input", #"{"MaxResults": 20}"#], api: api)
        #expect(list.status == 0)
        #expect((try list.json()["ServiceSummaryList"] as? [Any])?.count == 1)
        let describe = await runCLI(["call", "describe-service", "--input", "{\"ServiceArn\": \"\(arn)\"}"], api: api)
        #expect(describe.status == 0 && describe.out.contains("\"ServiceName\": \"web-api\""))
        await double.resetCalls()
        let invalid = await runCLI(["call", "DescribeService", "--input", "{}"], api: api)
        #expect(invalid.status == 252 && invalid.err.contains("ServiceArn"))
        let range = await runCLI(["call", "ListServices", "--input", #"{"MaxResults": 500}"#], api: api)
        #expect(range.status == 252 && range.err.contains("MaxResults"))
        let notJSON = await runCLI(["call", "ListServices", "--input", "[1]"], api: api)
        #expect(notJSON.status == 252)
        let unknown = await runCLI(["call", "ListServicez"], api: api)
        #expect(unknown.status == 252 && unknown.err.contains("ListServices"))
        // Issue 9 bug 9: an unknown member is refused (it was dropped silently), a wrong type is a
        // usage error with the member path like an out-of-range value, a syntax error says where.
        let foo = await runCLI(["call", "ListServices", "--input", #"{"Foo": 1}"#], api: api)
        #expect(foo.status == 252 && foo.err.contains(#"Unknown parameter in input: "Foo""#), "\(foo.err)")
        let nested = await runCLI(["call", "DescribeService", "--input", "{\"ServiceArn\": \"\(arn)\", \"Extra\": {\"A\": 1}}"], api: api)
        #expect(nested.status == 252 && nested.err.contains(#""Extra""#))
        let wrongType = await runCLI(["call", "ListServices", "--input", #"{"MaxResults": "five"}"#], api: api)
        #expect(wrongType.status == 252 && wrongType.err.contains("'MaxResults'"), "\(wrongType.err)")
        let broken = await runCLI(["call", "ListServices", "--input", #"{"MaxResults": 5,,}"#], api: api)
        #expect(broken.status == 252 && broken.err.contains("not valid JSON") && broken.err.contains("character"), "\(broken.err)")
        #expect(await double.calls.isEmpty)  // refused before anything was sent
        let missing = await runCLI(["call", "DescribeAutoScalingConfiguration", "--input",
                                    #"{"AutoScalingConfigurationArn": "arn:aws:apprunner:us-east-1:123456789012:autoscalingconfiguration/none/1/00000000000000000000000000000000"}"#], api: api)
        #expect(missing.status == 254 && missing.err.contains("ResourceNotFoundException"), "\(missing.err)")
        #expect(await double.calls == ["DescribeAutoScalingConfiguration"])
    }

    @Test func helpVersionAndCompletionGoToStdout() async throws {
        let (double, _) = try await makeDouble()
        let api = double.client
        for command in ["services", "describe", "operations", "domains", "pause", "resume", "deploy", "delete", "call", "dashboard"] {
            let help = await runCLI([command, "--help"], api: api)
            #expect(help.status == 0 && help.out.contains("Examples:"), "\(command)")
        }
        let version = await runCLI(["--version"], api: api)
        // The version and the commit it was built from (issue 17): "0.1.0 (commit 1a2b3c4d5e6f)".
        #expect(version.status == 0 && version.out.hasPrefix(runnerDeckVersion + " (commit ") && version.out.hasSuffix(")\n"))
        let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".git").path
        if FileManager.default.fileExists(atPath: checkout) {
            #expect(!version.out.contains("commit unknown"), "a build from a git checkout knows its commit")
        }
        let completion = await runCLI(["--generate-completion-script", "zsh"], api: api)
        #expect(completion.status == 0 && completion.out.contains("#compdef runnerdeck"))
        // The dashboard is the default command; its options are checked before any terminal is touched.
        let refresh = await runCLI(["--demo", "--refresh", "0"], api: api)
        #expect(refresh.status == 252 && refresh.err.contains("--refresh"))
        let rootHelp = await runCLI(["--help"], api: api)
        #expect(rootHelp.status == 0 && rootHelp.out.contains("services") && rootHelp.out.contains("dashboard (default)"))
        let bad = await runCLI(["services", "--output", "xml"], api: api)
        #expect(bad.status == 252 && bad.out.isEmpty && !bad.err.isEmpty)
        #expect(await double.calls.isEmpty)
    }
}

/// The lines of `stderr` that are not a wait's timestamped progress lines (`2026-11-30T08:15:02Z …`).
func errorLines(_ stderr: String) -> [Substring] {
    stderr.split(separator: "\n").filter { line in
        !(line.count > 21 && line.dropFirst(19).hasPrefix("Z ") && line.prefix(4).allSatisfy(\.isNumber))
    }
}

/// True when `stderr` holds only progress lines (and at least one).
func progressOnly(_ stderr: String) -> Bool {
    !stderr.isEmpty && errorLines(stderr).isEmpty
}
