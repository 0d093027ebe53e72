import AWSCore
import AppRunner
import ArgumentParser
import FoundationEssentials
import RunnerDeckKit

/// `runnerdeck wait …`: blocks until something App Runner does is done, for scripts and CI jobs (what
/// `aws … wait` is elsewhere). Exit 0 when it got there, 3 at `--timeout` (it carries on), 4 when an
/// operation rolled back, 255 when it ended where it cannot get there any more.
struct WaitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wait",
        abstract: "Wait for an operation to end, a service to reach a status, or a custom domain to become active.",
        discussion: """
            Polls every 2 seconds. Off a terminal, one timestamped line per status change goes to stderr \
            (a CI log shows progress); on a terminal a progress line is redrawn in place. The final state \
            goes to stdout (json: the last OperationSummary, Service or CustomDomain).

            Examples:
              runnerdeck wait operation web-api 1b2c3d4e5f60718293a4b5c6d7e8f901
              runnerdeck wait service-running web-api --timeout 900
              runnerdeck wait domain-active web-api www.example.com
            """,
        subcommands: [WaitOperationCommand.self, WaitServiceRunningCommand.self, WaitServicePausedCommand.self, WaitServiceDeletedCommand.self,
                      WaitDomainCommand.self]
    )
}

/// `--timeout` of the wait commands.
struct WaitTimeoutOption: ParsableArguments {
    @Option(help: ArgumentHelp("Give up after this many seconds (exit 3; what is waited for carries on).", valueName: "seconds"))
    var timeout: Double = 3600

    func validate() throws {
        guard timeout > 0, timeout.isFinite else { throw ValidationError("--timeout must be a positive number of seconds") }
    }
}

/// `runnerdeck wait operation SERVICE OPERATION_ID`
struct WaitOperationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "operation",
        abstract: "Wait for an operation to end; exit 0 only if it SUCCEEDED (4 rolled back, 255 failed)."
    )
    @OptionGroup var globals: GlobalOptions
    @OptionGroup var timeoutOption: WaitTimeoutOption
    @Argument(help: "The service's name or ARN.") var service: String
    @Argument(help: "The operation's id (as printed by pause, resume, deploy, delete and operations), or latest.") var operationId: String

    func run() async throws {
        let context = CommandContext(globals: globals)
        let api = try await context.makeAPI()
        let arn = try await ServiceResolver(api: api).resolveArn(service)
        let name = ResourceARN.name(arn)
        // The type decides only the progress label and whether a vanished service counts as deleted.
        let known = try await ServiceResolver(api: api).operation(operationId, serviceArn: arn)
        let action: ServiceAction = known.type == .deleteService ? .delete : .deploy
        try await OperationWait(context: context, api: api, serviceArn: arn, operationId: known.id ?? operationId, action: action,
                                timeout: timeoutOption.timeout, startResponse: EmptyDocument(),
                                label: "Waiting for \(known.type?.rawValue ?? "operation") on \(name)").run()
    }
}

/// Nothing of its own: `{"Operation": …}` is all `wait operation` prints as JSON.
struct EmptyDocument: Encodable, Sendable {
    func encode(to encoder: any Encoder) throws {}
}

/// What `wait service-*` takes: the service and the timeout.
struct WaitServiceOptions: ParsableArguments {
    @OptionGroup var globals: GlobalOptions
    @OptionGroup var timeoutOption: WaitTimeoutOption
    @Argument(help: "The service's name or ARN.") var service: String

    /// Waits for `wanted`; a service that ends up where it cannot get there any more (CREATE_FAILED,
    /// DELETE_FAILED, DELETED) fails the wait.
    func run(until wanted: ServiceStatus) async throws {
        let context = CommandContext(globals: globals)
        let api = try await context.makeAPI()
        // By ARN, so a deleted service (gone from ListServices) can still be described.
        let arn = service.hasPrefix("arn:") ? service : try await ServiceResolver(api: api).resolveArn(service)
        let name = ResourceARN.name(arn)
        let final: Service? = try await StateWait(context: context, label: "Waiting for \(name) to be \(wanted.rawValue)", timeout: timeoutOption.timeout) {
            do {
                let service = try await api.describeService(DescribeServiceRequest(serviceArn: arn)).service
                let status = service.status
                if status == wanted { return (status.rawValue, .done(service)) }
                switch status {
                case .createFailed, .deleteFailed, .deleted:
                    return (status.rawValue, .failed("\(name) is \(status.rawValue): it will not become \(wanted.rawValue)"))
                default:
                    return (status.rawValue, .waiting)
                }
            } catch is ResourceNotFoundException where wanted == .deleted {
                return ("DELETED (no longer listed)", .done(nil))
            }
        }.run()
        try context.writeWaited(final.map { DescribeServiceResponse(service: $0) }, text: "\(name)\t\(wanted.rawValue)")
    }
}

/// `runnerdeck wait service-running SERVICE`
struct WaitServiceRunningCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "service-running", abstract: "Wait for a service to be RUNNING; exit 255 if it fails on the way (CREATE_FAILED…).")
    @OptionGroup var options: WaitServiceOptions
    func run() async throws { try await options.run(until: .running) }
}

/// `runnerdeck wait service-paused SERVICE`
struct WaitServicePausedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "service-paused", abstract: "Wait for a service to be PAUSED; exit 255 if it fails on the way.")
    @OptionGroup var options: WaitServiceOptions
    func run() async throws { try await options.run(until: .paused) }
}

/// `runnerdeck wait service-deleted SERVICE`
struct WaitServiceDeletedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "service-deleted", abstract: "Wait for a service to be DELETED; exit 255 if its deletion fails (DELETE_FAILED).")
    @OptionGroup var options: WaitServiceOptions
    func run() async throws { try await options.run(until: .deleted) }
}

/// `runnerdeck wait domain-active SERVICE DOMAIN`
struct WaitDomainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "domain-active",
        abstract: "Wait for a custom domain to be active (its certificate validated and bound); exit 255 if it fails."
    )
    @OptionGroup var globals: GlobalOptions
    @OptionGroup var timeoutOption: WaitTimeoutOption
    @Argument(help: "The service's name or ARN.") var service: String
    @Argument(help: "The domain name, as associated.") var domain: String

    func run() async throws {
        let context = CommandContext(globals: globals)
        let api = try await context.makeAPI()
        let arn = try await ServiceResolver(api: api).resolveArn(service)
        let wanted = domain.lowercased()
        let final: CustomDomain? = try await StateWait(context: context, label: "Waiting for \(wanted) to be active", timeout: timeoutOption.timeout) {
            let domains = try await api.describeCustomDomainsPaginator(DescribeCustomDomainsRequest(serviceArn: arn))
                .collect(maxPages: 50) { $0.customDomains }
            guard let found = domains.first(where: { $0.domainName.lowercased() == wanted }) else {
                throw CLIError(.notFound, "\(wanted) is not associated with \(ResourceARN.name(arn)) (runnerdeck domains \(ResourceARN.name(arn)) lists them)")
            }
            switch found.status {
            case .active: return (found.status.rawValue, .done(found))
            case .createFailed, .deleteFailed, .deleting:
                return (found.status.rawValue, .failed("\(wanted) is \(found.status.rawValue): it will not become active"))
            default: return (found.status.rawValue, .waiting)
            }
        }.run()
        try context.writeWaited(final, text: "\(wanted)\tactive")
    }
}

/// Polls `check` until it says done or failed, with the progress of ``ProgressLine`` and the exits of
/// the wait commands (3 at the timeout, 255 on failure, 130 on Ctrl-C).
struct StateWait<Value: Sendable>: Sendable {
    enum Outcome: Sendable {
        case waiting
        case done(Value)
        case failed(String)
    }

    let context: CommandContext
    let label: String
    let timeout: Double
    let check: @Sendable () async throws -> (status: String, outcome: Outcome)

    init(context: CommandContext, label: String, timeout: Double, check: @escaping @Sendable () async throws -> (status: String, outcome: Outcome)) {
        self.context = context
        self.label = label
        self.timeout = timeout
        self.check = check
    }

    func run() async throws -> Value {
        let environment = context.environment
        let progress = ProgressLine(sink: environment.standardError, enabled: environment.errorIsTerminal, label: label)
        let deadline = Date().addingTimeInterval(timeout)
        let (check, label, timeout) = (self.check, self.label, self.timeout)
        let waited: Result<Value, any Error>
        do {
            waited = .success(try await Interrupt.run(enabled: environment.handlesSignals, source: environment.interrupts) {
                try await progress.whileTicking {
                    var last = "not read yet"
                    while true {
                        let (status, outcome) = try await check()
                        last = status
                        await progress.update(status: status)
                        switch outcome {
                        case .done(let value): return value
                        case .failed(let why): throw CLIError(.operationFailed, why)
                        case .waiting: break
                        }
                        let left = deadline.timeIntervalSinceNow
                        guard left > 0 else {
                            throw CLIError(.timeout, "timed out after \(Format.duration(timeout)): \(label.prefix(1).lowercased() + label.dropFirst()) (last status: \(last)); it carries on in App Runner")
                        }
                        try await Task.sleep(for: min(environment.pollInterval, .milliseconds(Int(left * 1000) + 1)))
                    }
                }
            })
        } catch {
            waited = .failure(error)
        }
        // Cleared whatever the outcome, before the result or the error is printed.
        await progress.clear()
        return try waited.get()
    }
}

extension CommandContext {
    /// The end of a wait on stdout: the final resource as JSON (`{}` when it is gone), else one line.
    func writeWaited<T: Encodable>(_ value: T?, text: String) throws {
        switch format {
        case .json: try writeJSON(value.map(AnyEncodable.init) ?? AnyEncodable(EmptyDocument()))
        case .text: write(text + "\n")
        case .table: write(text.replacingEvery("\t", with: " is ") + "\n")
        }
    }
}

/// An Encodable of any type, as one value (for output that is one shape or another).
struct AnyEncodable: Encodable {
    let value: any Encodable
    init(_ value: any Encodable) { self.value = value }
    func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}
