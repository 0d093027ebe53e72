import AppRunner
import Foundation
import RunnerDeckKit
import Testing

@testable import RunnerDeckCLI

/// `call --input` sources, `--generate-skeleton` and which operations `--wait` follows.
@Suite(.timeLimit(.minutes(1))) struct CallInputTests {
    @Test func inputSources() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("call-input-\(UUID().uuidString).json").path
        try Data(#"{"MaxResults": 3}"#.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let stdin = { Data(#"{"MaxResults": 4}"#.utf8) }
        func members(_ input: String?) throws -> [String: Int] {
            let data = try CallCommand.readInput(input, standardInput: stdin)
            return try JSONDecoder().decode([String: Int].self, from: data)
        }
        #expect(try members(nil) == [:])
        #expect(try members(#"{"MaxResults": 2}"#) == ["MaxResults": 2])
        #expect(try members("file://\(path)") == ["MaxResults": 3])
        #expect(try members("@\(path)") == ["MaxResults": 3])
        #expect(try members("-") == ["MaxResults": 4])
        #expect(try members("@-") == ["MaxResults": 4])
        #expect(throws: CLIError.self) { try CallCommand.readInput("file://\(path).missing") }
        let url = URL(fileURLWithPath: path)
        let viaHome = try CallCommand.readInput("file://~/" + url.lastPathComponent, home: url.deletingLastPathComponent().path)
        #expect(try JSONDecoder().decode([String: Int].self, from: viaHome) == ["MaxResults": 3])
        #expect(throws: CLIError.self) { try CallCommand.readInput("[1]") }
    }

    @Test func everySkeletonIsAJSONObjectThatFitsItsShape() throws {
        for operation in AppRunnerOperation.allCases {
            let skeleton = Data(operation.requestSkeleton.utf8)
            #expect((try JSONSerialization.jsonObject(with: skeleton)) is [String: Any], "\(operation)")
            // Every member the skeleton names is one the shape has (values may break constraints).
            let given = try JSONSerialization.jsonObject(with: skeleton)
            do {
                try CallCommand.checkInput(skeleton, for: operation)
            } catch let error as CLIError {
                #expect(!error.message.contains("Unknown parameter"), "\(operation): \(error.message) \(given)")
            }
        }
        #expect(AppRunnerOperation.listServices.requestSkeleton == "{\n    \"NextToken\": \"\",\n    \"MaxResults\": 0\n}")
    }

    @Test func waitFollowsTheOperationsThatStartOne() {
        let starting = AppRunnerOperation.allCases.filter { CallCommand.waitAction($0, body: Data("{}".utf8)) != nil }
        #expect(Set(starting) == [.createService, .updateService, .deleteService, .pauseService, .resumeService, .startDeployment])
        let body = Data(#"{"SourceConfiguration": {"ImageRepository": {"ImageIdentifier": "public.ecr.aws/x:1"}}}"#.utf8)
        #expect(CallCommand.waitAction(.updateService, body: body) == .deployImage("public.ecr.aws/x:1"))
        #expect(CallCommand.waitAction(.startDeployment, body: body) == .deploy)
    }
}
