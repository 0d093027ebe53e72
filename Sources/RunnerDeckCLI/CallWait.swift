import AWSCore
import AppRunner
import FoundationEssentials
import JMESPath
import RunnerDeckKit

/// `runnerdeck call OPERATION --wait`: the operations that start an App Runner operation are followed
/// with the same ``OperationWait`` as `deploy --wait` (progress, timeout, exit status, final document).
extension CallCommand {
    /// The action an operation's `--wait` follows (its progress label), nil for an operation that starts
    /// none. `body` is the request (a create or update names its image or repository).
    static func waitAction(_ operation: AppRunnerOperation, body: Data) -> ServiceAction? {
        switch operation {
        case .pauseService: return .pause
        case .resumeService: return .resume
        case .startDeployment: return .deploy
        case .deleteService: return .delete
        case .createService, .updateService:
            let source = (try? JMESValue(json: body))?["SourceConfiguration"]
            let image = source?["ImageRepository"]["ImageIdentifier"].asString
            let repository = source?["CodeRepository"]["RepositoryUrl"].asString
            return .deployImage(image ?? repository ?? (operation == .createService ? "the new service" : "the update"))
        default:
            return nil
        }
    }

    /// The typed response of an operation that starts one, for the document printed when the wait ends.
    static func startResponse(_ operation: AppRunnerOperation, _ body: Data) throws -> (any Encodable & Sendable)? {
        switch operation {
        case .createService: return try AppRunnerJSON.decode(CreateServiceResponse.self, from: body)
        case .updateService: return try AppRunnerJSON.decode(UpdateServiceResponse.self, from: body)
        case .deleteService: return try AppRunnerJSON.decode(DeleteServiceResponse.self, from: body)
        case .pauseService: return try AppRunnerJSON.decode(PauseServiceResponse.self, from: body)
        case .resumeService: return try AppRunnerJSON.decode(ResumeServiceResponse.self, from: body)
        case .startDeployment: return try AppRunnerJSON.decode(StartDeploymentResponse.self, from: body)
        default: return nil
        }
    }

    /// Follows the operation `output` started. With `--output json` one document is printed at the end
    /// (the response with `"Operation"`, as `deploy --wait`); otherwise the response now and the outcome
    /// line at the end. A response without an operation (pausing a paused service) is printed as it is.
    func waitForOperation(_ operation: AppRunnerOperation, action: ServiceAction, output: Data,
                          context: CommandContext, api: any AppRunnerAPI) async throws {
        let object = try? JMESValue(json: output)
        let serviceArn = object?["Service"]["ServiceArn"].asString
        guard let serviceArn, let operationId = object?["OperationId"].asString else {
            context.write(try Self.render(operation, output))
            context.writeError("\(operation.rawValue) started no operation: nothing to wait for\n")
            return
        }
        let start = try Self.startResponse(operation, output)
        if context.format != .json { context.write(try Self.render(operation, output)) }
        try await OperationWait(context: context, api: api, serviceArn: serviceArn, operationId: operationId, action: action,
                                timeout: waitOptions.timeout, startResponse: context.format == .json ? start : nil).run()
    }
}
