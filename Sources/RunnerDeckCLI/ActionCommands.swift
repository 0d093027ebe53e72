import AppRunner
import ArgumentParser
import Dashboard
import Foundation

/// `--wait` and `--timeout`, shared by the commands that start an operation.
struct WaitOptions: ParsableArguments {
    @Flag(help: "Follow the operation until it ends; exit 0 only if it SUCCEEDED.")
    var wait: Bool = false

    @Option(help: ArgumentHelp("With --wait, give up after this many seconds (exit 1).", valueName: "seconds"))
    var timeout: Double?

    func validate() throws {
        if let timeout {
            guard timeout > 0, timeout.isFinite else { throw ValidationError("--timeout must be a positive number of seconds") }
            guard wait else { throw ValidationError("--timeout only applies with --wait") }
        }
    }
}

/// What the action commands have in common: resolve, call, print, and maybe follow.
enum ServiceAction: String, Sendable {
    case pause, resume, deploy, delete

    var verb: String {
        switch self {
        case .pause: return "Pausing"
        case .resume: return "Resuming"
        case .deploy: return "Deploying"
        case .delete: return "Deleting"
        }
    }

    func run(service: String, globals: GlobalOptions, wait: WaitOptions) async throws {
        let context = CommandContext(globals: globals)
        let api = try await context.makeAPI()
        let arn = try await ServiceResolver(api: api).resolveArn(service)
        let operationId: String?
        var record = Record()
        switch self {
        case .pause:
            let response = try await api.pauseService(PauseServiceRequest(serviceArn: arn))
            operationId = response.operationId
            try printStart(context, response, response.service, operationId)
        case .resume:
            let response = try await api.resumeService(ResumeServiceRequest(serviceArn: arn))
            operationId = response.operationId
            try printStart(context, response, response.service, operationId)
        case .delete:
            let response = try await api.deleteService(DeleteServiceRequest(serviceArn: arn))
            operationId = response.operationId
            try printStart(context, response, response.service, operationId)
        case .deploy:
            let response = try await api.startDeployment(StartDeploymentRequest(serviceArn: arn))
            operationId = response.operationId
            if context.format == .json {
                try context.writeJSON(response)
            } else {
                record.add("Service", arn)
                record.add("OperationId", response.operationId)
                context.write(record.render(context.format, color: context.color))
            }
        }
        guard wait.wait else { return }
        guard let operationId else {
            // PauseService on a paused service / ResumeService on a running one: nothing to wait for.
            if context.format == .table {
                context.write("No operation started: the service is already \(self == .pause ? "paused" : "running").\n")
            }
            return
        }
        try await OperationWait(context: context, api: api, serviceArn: arn, operationId: operationId, action: self, timeout: wait.timeout).run()
    }

    private func printStart<R: Encodable>(_ context: CommandContext, _ response: R, _ service: Service, _ operationId: String?) throws {
        if context.format == .json {
            try context.writeJSON(response)
            return
        }
        var record = Record()
        record.add("Service", service.serviceName)
        record.add("ARN", service.serviceArn)
        record.add("Status", service.status.rawValue, color: StatusColor.service(service.status))
        record.add("OperationId", operationId ?? "(none: nothing to do)")
        context.write(record.render(context.format, color: context.color))
    }
}

/// `runnerdeck pause SERVICE`
struct PauseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pause",
        abstract: "Pause a service (PauseService).",
        discussion: """
            Without --wait, prints PauseService's response and returns. With --wait, follows the operation \
            (a progress line on stderr when it is a terminal) and exits 0 only if it SUCCEEDED.

            Examples:
              runnerdeck pause web-api
              runnerdeck pause web-api --wait --timeout 600
            """
    )
    @OptionGroup var globals: GlobalOptions
    @OptionGroup var waitOptions: WaitOptions
    @Argument(help: "The service's name or ARN.") var service: String

    func run() async throws {
        try await ServiceAction.pause.run(service: service, globals: globals, wait: waitOptions)
    }
}

/// `runnerdeck resume SERVICE`
struct ResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Resume a paused service (ResumeService).",
        discussion: """
            Examples:
              runnerdeck resume web-api
              runnerdeck resume web-api --wait && curl https://$(runnerdeck describe web-api --output json | jq -r .Service.ServiceUrl)
            """
    )
    @OptionGroup var globals: GlobalOptions
    @OptionGroup var waitOptions: WaitOptions
    @Argument(help: "The service's name or ARN.") var service: String

    func run() async throws {
        try await ServiceAction.resume.run(service: service, globals: globals, wait: waitOptions)
    }
}

/// `runnerdeck deploy SERVICE`
struct DeployCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy",
        abstract: "Start a deployment of a service (StartDeployment).",
        discussion: """
            With --wait the exit status tells the outcome: 0 SUCCEEDED; 1 FAILED, rolled back, or timed out \
            (the reason on stderr); 130 interrupted.

            Examples:
              runnerdeck deploy web-api
              runnerdeck deploy web-api --wait --timeout 900 || echo "deployment did not land"
              runnerdeck deploy web-api --output json | jq -r .OperationId
            """
    )
    @OptionGroup var globals: GlobalOptions
    @OptionGroup var waitOptions: WaitOptions
    @Argument(help: "The service's name or ARN.") var service: String

    func run() async throws {
        try await ServiceAction.deploy.run(service: service, globals: globals, wait: waitOptions)
    }
}

/// `runnerdeck delete SERVICE --yes`
struct DeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete a service (DeleteService); needs --yes.",
        discussion: """
            Refuses (exit 2) without --yes.

            Examples:
              runnerdeck delete old-api --yes
              runnerdeck delete old-api --yes --wait
            """
    )
    @OptionGroup var globals: GlobalOptions
    @OptionGroup var waitOptions: WaitOptions
    @Flag(help: "Confirm the deletion.") var yes: Bool = false
    @Argument(help: "The service's name or ARN.") var service: String

    func run() async throws {
        guard yes else {
            throw CLIError(.usage, "refusing to delete '\(service)' without --yes")
        }
        try await ServiceAction.delete.run(service: service, globals: globals, wait: waitOptions)
    }
}
