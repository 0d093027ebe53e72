import AppRunner
@testable import AppRunnerLocal
import Foundation
@testable import RunnerDeckKit
import Testing
@testable import RunnerDeckCLI

/// The commands in process against Local App Runner (fast operations on the real clock).
@Suite(.timeLimit(.minutes(5))) struct LocalAppRunnerCommandTests {
    func makeLocal() throws -> LocalAppRunner {
        try LocalAppRunner(options: LocalOptions(operationSeconds: 0.2, domainValidationSeconds: 0.2))
    }

    func create(_ name: String, on api: LocalAppRunner) async throws -> String {
        let input = """
            {"ServiceName": "\(name)", "SourceConfiguration": {"ImageRepository": {"ImageIdentifier": \
            "public.ecr.aws/aws-containers/hello-app-runner:latest", "ImageRepositoryType": "ECR_PUBLIC"}, \
            "AutoDeploymentsEnabled": false}}
            """
        let run = await runCLI(["call", "CreateService", "--input", input], api: api)
        #expect(run.status == 0, "\(run.err)")
        let service = try #require(try run.json()["Service"] as? [String: Any])
        let arn = try #require(service["ServiceArn"] as? String)
        // Follow the create to its end with the same machinery as --wait.
        let operations = try await api.listOperations(ListOperationsRequest(serviceArn: arn))
        let id = try #require(operations.operationSummaryList?.first?.id)
        try await waitUntil("operation \(id) to end", timeout: 60, interval: 0.02) {
            try await api.listOperations(ListOperationsRequest(serviceArn: arn)).operationSummaryList?.first(where: { $0.id == id })?.isFinal == true
        }
        return arn
    }

    @Test func listDescribeAndActThroughTheCLI() async throws {
        let api = try makeLocal()
        let arn = try await create("local-web", on: api)
        let services = await runCLI(["services", "--output", "text"], api: api)
        #expect(services.out.hasPrefix("local-web\tRUNNING\t"))
        let describe = await runCLI(["describe", "local-web"], api: api)
        #expect(try (describe.json()["Service"] as? [String: Any])?["ServiceArn"] as? String == arn)

        let pause = await runCLI(["pause", "local-web", "--wait", "--output", "text"], api: api)
        #expect(pause.status == 0, "\(pause.err)")
        #expect(try await api.describeService(DescribeServiceRequest(serviceArn: arn)).service.status == .paused)
        let resume = await runCLI(["resume", arn, "--wait"], api: api)
        #expect(resume.status == 0, "\(resume.err)")
        let ops = await runCLI(["operations", "local-web", "--output", "text"], api: api)
        #expect(ops.out.split(separator: "\n").map { $0.split(separator: "\t")[1] } == ["RESUME_SERVICE", "PAUSE_SERVICE", "CREATE_SERVICE"])
    }

    @Test func rollbackIsAFailure() async throws {
        let api = try makeLocal()
        let arn = try await create("local-fail", on: api)
        try await api.failNextDeployment(of: arn)
        let deploy = await runCLI(["deploy", "local-fail", "--wait"], api: api)
        #expect(deploy.status == 4)
        #expect(deploy.err.contains("ROLLBACK_SUCCEEDED") && deploy.err.contains("service status RUNNING"))
    }

    @Test func domainsListEveryRecordOnceValidationStarts() async throws {
        let api = try makeLocal()
        let arn = try await create("local-dns", on: api)
        let associate = await runCLI(["call", "AssociateCustomDomain", "--input", "{\"ServiceArn\": \"\(arn)\", \"DomainName\": \"shop.example.com\"}"], api: api)
        #expect(associate.status == 0, "\(associate.err)")
        var rows: [[Substring]] = []
        for _ in 0..<200 {
            let text = await runCLI(["domains", "local-dns", "--output", "text"], api: api)
            rows = text.out.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
            if rows.count == 3 && rows.allSatisfy({ $0[3].hasPrefix("_") }) { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(rows.count == 3)  // with www: three CNAME records
        #expect(rows.allSatisfy { $0[0] == "shop.example.com" && $0[4] == "CNAME" && $0[5].hasSuffix(".acm-validations.aws.") })
    }
}
