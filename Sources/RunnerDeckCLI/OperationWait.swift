import AppRunner
import Dispatch
import FoundationEssentials
import RunnerDeckKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `--wait`: follows an operation with the dashboard's ``OperationFollower`` until it ends, with a
/// progress line on stderr when stderr is a terminal, and turns the outcome into output and an exit status.
struct OperationWait: Sendable {
    let context: CommandContext
    let api: any AppRunnerAPI
    let serviceArn: String
    let operationId: String
    let action: ServiceAction
    let timeout: Double?
    /// With `--output json`: the response that started the operation, printed once the wait ends
    /// together with the operation's last summary (`"Operation"`), so stdout stays one document.
    var startResponse: (any Encodable & Sendable)? = nil
    /// The progress label; nil for the action's (`Deploying web`).
    var label: String? = nil

    func run() async throws {
        var last: OperationSummary?
        do {
            try await follow(&last)
        } catch {
            try writeJSONDocument(last)
            throw error
        }
        try writeJSONDocument(last)
    }

    private func writeJSONDocument(_ last: OperationSummary?) throws {
        guard context.format == .json, let startResponse else { return }
        try context.writeJSON(WaitedResponse(start: startResponse, operation: last))
    }

    private func follow(_ last: inout OperationSummary?) async throws {
        let environment = context.environment
        let interval = environment.pollInterval.components
        let seconds = Double(interval.seconds) + Double(interval.attoseconds) / 1e18
        let follower = OperationFollower(
            api: api, serviceArn: serviceArn, operationId: operationId,
            pollInterval: seconds, timeout: timeout ?? 366 * 86_400
        )
        let name = ResourceARN.name(serviceArn)
        let progress = ProgressLine(sink: environment.standardError, enabled: environment.errorIsTerminal, label: label ?? "\(action.progressive) \(name)")
        let started = Date()
        let logLines = await deploymentLog()
        let final: OperationSummary?
        do {
            final = try await Interrupt.run(enabled: environment.handlesSignals, source: environment.interrupts) {
                try await progress.whileTicking {
                    try await WaitLogLines.optionally(logLines, every: environment.pollInterval, progress: progress) {
                        try await follower.follow { update in
                            await progress.update(update)
                            await logLines?.start(at: update.startedAt ?? started)
                        }
                    }
                }
            }
            if let logLines { await progress.printAbove(DeploymentLogLines.render(await logLines.poll())) }
        } catch OperationFollowerError.timedOut(let seen) {
            await progress.clear()
            last = seen
            let status = seen?.status?.rawValue ?? "never listed"
            throw CLIError(.timeout, "timed out after \(Format.duration(timeout ?? 0)) waiting for operation \(operationId) on \(name) (last status: \(status)); "
                           + "it carries on in App Runner; wait again with: runnerdeck wait operation \(name) \(operationId)")
        } catch is CLIInterrupted {
            await progress.clear()
            throw CLIInterrupted(operationId: operationId, serviceName: name)
        } catch is ResourceNotFoundException where action == .delete {
            // A deleted service may stop answering ListOperations: the deletion is through.
            final = nil
        } catch {
            await progress.clear()
            throw error
        }
        await progress.clear()
        last = final
        let elapsed = Format.duration(Date().timeIntervalSince(started))
        let type = final?.type?.rawValue ?? "DELETE_SERVICE"
        if let final, !final.succeeded {
            let status = final.status?.rawValue ?? "unknown"
            var reason = "operation \(operationId) (\(type)) on \(name) ended \(status) after \(elapsed)"
            switch final.status {
            case .rollbackSucceeded?:
                reason += ": the change failed and was rolled back; the service runs its previous version"
            case .rollbackFailed?:
                reason += ": the change failed and so did the rollback"
            case .failed?:
                reason += ": the change failed"
            default:
                break
            }
            if let service = try? await api.describeService(DescribeServiceRequest(serviceArn: serviceArn)).service {
                reason += " (service status \(service.status.rawValue))"
            }
            if let logLines { reason += DeploymentLogLines.errorContext(await logLines.lastLines()) }
            throw CLIError(final.status == .rollbackSucceeded ? .rolledBack : .operationFailed, reason)
        }
        switch context.format {
        case .json:
            break  // run() prints the one JSON document: the start response with the final operation.
        case .text:
            context.write("\(operationId)\t\(type)\tSUCCEEDED\n")
        case .table:
            let succeeded = context.color ? ANSIColor.green.wrap("SUCCEEDED") : "SUCCEEDED"
            context.write("\(type) \(succeeded) after \(elapsed) (operation \(operationId))\n")
        }
    }
}

extension OperationWait {
    /// The deployment log to show under the progress line: only when that line is shown (stderr is a
    /// terminal) and CloudWatch Logs can be reached (not with --demo; not when a test injected App Runner
    /// without logs). Scripts see no change.
    func deploymentLog() async -> WaitLogLines? {
        guard context.environment.errorIsTerminal, let groups = ServiceLogGroups(serviceArn: serviceArn) else { return nil }
        guard context.environment.makeAPI == nil || context.environment.makeLogsAPI != nil else { return nil }
        guard let logs = try? await context.makeLogsAPI() else { return nil }
        return WaitLogLines(logs: logs, groups: groups)
    }
}

extension WaitLogLines {
    /// `body`, with `lines` polled alongside when there are any.
    static func optionally<T: Sendable>(_ lines: WaitLogLines?, every interval: Duration, progress: ProgressLine,
                                        _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        guard let lines else { return try await body() }
        return try await lines.whilePolling(every: interval, progress: progress, body)
    }
}

/// The response that started an operation, with `"Operation"`: the operation's last summary.
struct WaitedResponse: Encodable {
    let start: any Encodable & Sendable
    let operation: OperationSummary?

    enum Keys: String, CodingKey { case operation = "Operation" }

    func encode(to encoder: any Encoder) throws {
        try start.encode(to: encoder)
        var container = encoder.container(keyedBy: Keys.self)
        try container.encodeIfPresent(operation, forKey: .operation)
    }
}

/// The one-line progress display on a terminal: redrawn in place every second, cleared at the end.
actor ProgressLine {
    let sink: any OutputSink
    let enabled: Bool
    let label: String
    private var status = "waiting for the operation to be listed"
    private let started = Date()
    private var drawn = false

    init(sink: any OutputSink, enabled: Bool, label: String) {
        self.sink = sink
        self.enabled = enabled
        self.label = label
    }

    func update(_ summary: OperationSummary) {
        update(status: "\(summary.type?.rawValue ?? "operation") \(summary.status?.rawValue ?? "?")")
    }

    /// A new status: redrawn in place on a terminal; elsewhere (a CI log) one timestamped line per
    /// change, `2026-11-30T08:15:02Z Deploying web: START_DEPLOYMENT IN_PROGRESS`, no escapes.
    func update(status newStatus: String) {
        let changed = newStatus != status || !announced
        status = newStatus
        guard enabled else {
            if changed {
                announced = true
                sink.write("\(ProgressLine.utcStamp(Date())) \(sanitizeForTerminal(label)): \(status)\n")
            }
            return
        }
        draw()
    }

    private var announced = false

    /// `2026-11-30T08:15:02Z`.
    static func utcStamp(_ date: Date) -> String {
        String(CLIJSON.timestamp(Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down)), timeZone: TimeZone(identifier: "UTC"))
            .dropLast(6)) + "Z"
    }

    func draw() {
        guard enabled else { return }
        let elapsed = Format.duration(Date().timeIntervalSince(started))
        sink.write("\r\u{1B}[2K\(sanitizeForTerminal(label)): \(status) (\(elapsed))")
        drawn = true
    }

    /// Writes `text` (whole lines) where the progress line is, then draws the progress line under it.
    func printAbove(_ text: String) {
        guard enabled, !text.isEmpty else { return }
        sink.write((drawn ? "\r\u{1B}[2K" : "") + text)
        drawn = false
        draw()
    }

    func clear() {
        guard enabled, drawn else { return }
        sink.write("\r\u{1B}[2K")
        drawn = false
    }

    /// Runs `body` while redrawing every second (only when enabled).
    func whileTicking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        guard enabled else { return try await body() }
        draw()
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                if Task.isCancelled { break }
                self.draw()
            }
        }
        defer { ticker.cancel() }
        return try await body()
    }
}

/// SIGINT while waiting ends the wait with ``CLIInterrupted`` (exit 130) instead of killing the process.
enum Interrupt {
    static func run<T: Sendable>(enabled: Bool, source: InterruptSource? = nil, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        if let source {
            return try await race(body, signals: source.stream)
        }
        // A SIGINT the parent set to be ignored (a background job of a script) stays ignored.
        guard enabled, !sigintIgnored() else { return try await body() }
        let (signals, continuation) = AsyncStream<Void>.makeStream()
        signal(SIGINT, SIG_IGN)
        let dispatchSource = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        dispatchSource.setEventHandler { continuation.yield() }
        dispatchSource.resume()
        defer {
            dispatchSource.cancel()
            continuation.finish()
            signal(SIGINT, SIG_DFL)
        }
        return try await race(body, signals: signals)
    }

    /// True when SIGINT's disposition is "ignore" (inherited from the parent process).
    static func sigintIgnored() -> Bool {
        var current = sigaction()
        guard sigaction(SIGINT, nil, &current) == 0 else { return false }
        return unsafeBitCast(current.__sigaction_handler.sa_handler, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self)
    }

    /// `body`'s result, or ``CLIInterrupted`` as soon as `signals` yields.
    private static func race<T: Sendable>(_ body: @escaping @Sendable () async throws -> T, signals: AsyncStream<Void>) async throws -> T {
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                for await _ in signals { throw CLIInterrupted() }
                return nil
            }
            while let result = try await group.next() {
                if let value = result {
                    group.cancelAll()
                    return value
                }
            }
            throw CancellationError()
        }
    }
}
