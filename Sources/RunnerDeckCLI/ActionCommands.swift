import AppRunner
import ArgumentParser
import FoundationEssentials
import RunnerDeckKit

/// `--wait` and `--timeout`, shared by the commands that start an operation.
struct WaitOptions: ParsableArguments {
    @Flag(help: "Follow the operation until it ends; exit 0 only if it SUCCEEDED.")
    var wait: Bool = false

    @Option(help: ArgumentHelp("With --wait, give up after this many seconds (exit 3; the operation carries on).", valueName: "seconds"))
    var timeout: Double?

    func validate() throws {
        if let timeout {
            guard timeout > 0, timeout.isFinite else { throw ValidationError("--timeout must be a positive number of seconds") }
            guard wait else { throw ValidationError("--timeout only applies with --wait") }
        }
    }
}

/// What the action commands have in common: resolve, call, print, and maybe follow.
struct ActionRun: Sendable {
    let action: ServiceAction

    func run(service: String, globals: GlobalOptions, wait: WaitOptions) async throws {
        let context = CommandContext(globals: globals)
        let api = try await context.makeAPI()
        let arn = try await ServiceResolver(api: api).resolveArn(service)
        let response = try await action.perform(on: api, serviceArn: arn)
        let operationId = response.operationId
        if context.format == .json {
            // With --wait the document is printed when the wait ends, with the final operation.
            if !wait.wait || operationId == nil { try context.writeJSON(response.body) }
        } else {
            var record = Record()
            if let service = response.service {
                record.add("Service", service.serviceName)
                record.add("ARN", service.serviceArn)
                record.add("Status", service.status.rawValue, color: StatusColor.service(service.status))
                record.add("OperationId", operationId ?? "(none: nothing to do)")
            } else {
                record.add("Service", arn)
                record.add("OperationId", operationId)
            }
            context.write(record.render(context.format, color: context.color))
        }
        guard wait.wait else { return }
        guard let operationId else {
            // PauseService on a paused service / ResumeService on a running one: nothing to wait for.
            if context.format == .table {
                context.write("No operation started: the service is already \(action == .pause ? "paused" : "running").\n")
            }
            return
        }
        try await OperationWait(context: context, api: api, serviceArn: arn, operationId: operationId, action: action, timeout: wait.timeout,
                                startResponse: response.body).run()
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
            """,
        aliases: ["pause-service"]
    )
    @OptionGroup var globals: GlobalOptions
    @OptionGroup var waitOptions: WaitOptions
    @Argument(help: "The service's name or ARN.") var service: String

    func run() async throws {
        try await ActionRun(action: .pause).run(service: service, globals: globals, wait: waitOptions)
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
              runnerdeck resume web-api --wait && \\
                  curl "https://$(runnerdeck describe web-api --query Service.ServiceUrl)"
            """,
        aliases: ["resume-service"]
    )
    @OptionGroup var globals: GlobalOptions
    @OptionGroup var waitOptions: WaitOptions
    @Argument(help: "The service's name or ARN.") var service: String

    func run() async throws {
        try await ActionRun(action: .resume).run(service: service, globals: globals, wait: waitOptions)
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
              runnerdeck deploy web-api --wait --timeout 900 || \\
                  echo "deployment did not land"
              runnerdeck deploy web-api --output json | jq -r .OperationId
            """,
        aliases: ["start-deployment"]
    )
    @OptionGroup var globals: GlobalOptions
    @OptionGroup var waitOptions: WaitOptions
    @Argument(help: "The service's name or ARN.") var service: String

    func run() async throws {
        try await ActionRun(action: .deploy).run(service: service, globals: globals, wait: waitOptions)
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
            """,
        aliases: ["delete-service"]
    )
    @OptionGroup var globals: GlobalOptions
    @OptionGroup var waitOptions: WaitOptions
    @Flag(help: "Confirm the deletion.") var yes: Bool = false
    @Argument(help: "The service's name or ARN.") var service: String

    func run() async throws {
        guard yes else {
            throw CLIError(.usage, "refusing to delete '\(service)' without --yes")
        }
        try await ActionRun(action: .delete).run(service: service, globals: globals, wait: waitOptions)
    }
}
