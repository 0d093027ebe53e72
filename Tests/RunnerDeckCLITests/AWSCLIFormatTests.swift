import AppRunner
import Foundation
import Testing
@testable import RunnerDeckCLI

/// `--output json` must print what `aws apprunner … --output json` prints. Tests/e2e/cli_aws_golden.json holds the
/// AWS CLI's own rendering (botocore parser + CLI formatter, see Tests/e2e/cli_make_aws_golden.py) of every
/// operation's sample response; runnerdeck's rendering of the same wire body must match byte for byte.
@Suite(.timeLimit(.minutes(5))) struct AWSCLIFormatTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()

    @Test(arguments: AppRunnerOperation.allCases)
    func sameTextAsTheAWSCLI(_ operation: AppRunnerOperation) throws {
        let samplesData = try Data(contentsOf: Self.directory.deletingLastPathComponent().appendingPathComponent("AppRunnerTests/samples.json"))
        let samples = try #require(try JSONSerialization.jsonObject(with: samplesData) as? [String: [String: Any]])
        let goldenData = try Data(contentsOf: Self.directory.deletingLastPathComponent().appendingPathComponent("e2e/cli_aws_golden.json"))
        let golden = try #require(try JSONSerialization.jsonObject(with: goldenData) as? [String: String])
        let output = try #require(samples[operation.rawValue]?["output"])
        let body = try JSONSerialization.data(withJSONObject: output)
        let utc = try #require(TimeZone(identifier: "UTC"))
        #expect(try CallCommand.render(operation, body, timeZone: utc) == golden[operation.rawValue])
    }
}
