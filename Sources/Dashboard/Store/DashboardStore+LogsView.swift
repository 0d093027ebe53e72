import AWSCore
import AppRunner
import CloudWatchLogs
import FoundationEssentials
import Logging
import RunnerDeckKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The Logs view's lines: one `LogTail` for what the view reads (start-time watermark, event-id dedupe),
/// polled by its own loop only while the view is on screen: every `fastInterval` while it follows,
/// every `slowInterval` while the operator reads older lines, backing off after errors. Each poll is
/// at most ``logsPagesPerPoll`` FilterLogEvents calls; a poll that stops at that bound is followed by
/// the next one a moment later until the tail has caught up. The lines go into a ring buffer of
/// ``LogsViewState/capacity`` lines in the state, so memory stays flat however long it follows.
extension DashboardStore {
    static let logsPagesPerPoll = 3
    /// Seconds between polls while catching up with older lines.
    static let logsCatchUpDelay = 0.25
    /// Default windows: the service group over the last hour, the application's logs (busier) over
    /// the last ten minutes, a deployment log from just before its operation started.
    static let logsServiceWindow: TimeInterval = 3600
    static let logsApplicationWindow: TimeInterval = 600

    /// Starts, keeps or stops the Logs view's polling for the new focus.
    func updateLogs(_ focus: StoreFocus) {
        guard focus.view == .logs, let target = focus.logs else {
            // Not on screen: nothing is read (the lines stay for when the view comes back).
            logsTask?.cancel()
            logsTask = nil
            return
        }
        let wasFollowing = logsFollow
        logsFollow = focus.logsFollow
        if state.logs?.target != target || logsTail == nil {
            let start = target.from ?? defaultLogsStart(target)
            state.logs = LogsViewState(target: target, start: start)
            logsTail = nil
            if let logsAPI, let groups = ServiceLogGroups(serviceArn: target.serviceArn) {
                logsTail = LogTail(api: logsAPI, query: target.source.query(groups), startTime: start, capacity: 1,
                                   maxPagesPerPoll: Self.logsPagesPerPoll)
            } else {
                state.logs?.unavailable = logsAPI == nil ? "no CloudWatch Logs client" : "not a service ARN: \(target.serviceArn)"
            }
            logsFailures = 0
            logsTask?.cancel()
            logsTask = nil
            publish()
        }
        if logsTask == nil, logsTail != nil {
            logsTask = Task { await self.runLogs(target) }
        } else if logsFollow && !wasFollowing {
            // Following again: read the newest lines now, not at the end of a slow wait.
            logsWake?.cancel()
        }
    }

    func defaultLogsStart(_ target: LogsTarget) -> Date {
        let now = clock.now()
        switch target.source {
        case .deployment(let operationId):
            let operation = state.detail?.serviceArn == target.serviceArn ? state.detail?.operations.first { $0.id == operationId } : nil
            return operation?.startedAt.map { $0.addingTimeInterval(-5) } ?? now.addingTimeInterval(-Self.logsServiceWindow)
        case .service: return now.addingTimeInterval(-Self.logsServiceWindow)
        case .application: return now.addingTimeInterval(-Self.logsApplicationWindow)
        }
    }

    /// Seconds until the next poll of the Logs view.
    func logsDelay() -> Double {
        if logsFailures > 0 {
            return min(configuration.fastInterval * pow(2, Double(min(logsFailures, 16))), configuration.maxBackoff)
        }
        return logsFollow ? configuration.fastInterval : configuration.slowInterval
    }

    func runLogs(_ target: LogsTarget) async {
        while !Task.isCancelled {
            let behind = await pollLogs(target)
            if Task.isCancelled { return }
            let delay = behind ? Self.logsCatchUpDelay : logsDelay()
            let clock = self.clock
            let sleeper = Task<Void, Never> { _ = try? await clock.sleep(seconds: delay) }
            logsWake = sleeper
            await withTaskCancellationHandler { await sleeper.value } onCancel: { sleeper.cancel() }
            logsWake = nil
        }
    }

    /// One poll of the Logs view's tail; true when it stopped at its page bound with more to read.
    @discardableResult
    func pollLogs(_ target: LogsTarget) async -> Bool {
        guard let tail = logsTail, state.logs?.target == target else { return false }
        do {
            let fresh = try await tail.poll()
            let calls = await tail.lastPollCalls
            let behind = await tail.isBehind
            guard state.logs?.target == target else { return false }
            state.logs?.lines.append(contentsOf: fresh.map(Self.logLine))
            state.logs?.calls += calls
            state.logs?.catchingUp = behind
            state.logs?.unavailable = nil
            state.logs?.polledAt = clock.now()
            logsFailures = 0
            publish()
            return behind
        } catch is CancellationError {
            return false
        } catch {
            guard state.logs?.target == target else { return false }
            let calls = await tail.lastPollCalls
            state.logs?.calls += calls
            logsFailures += 1
            state.logs?.unavailable = Self.logsError(error, target: target)
            logger.info("logs not read", metadata: ["error": "\(ErrorText(error))", "failures": "\(logsFailures)"])
            publish()
            return false
        }
    }

    static func logLine(_ event: FilteredLogEvent) -> LogsViewState.Line {
        LogsViewState.Line(time: Date(timeIntervalSince1970: Double(event.timestamp ?? 0) / 1000),
                           stream: LogSource.streamTag(event.logStreamName ?? ""), message: event.message ?? "")
    }

    static func logsError(_ error: any Error, target: LogsTarget) -> String {
        if error is CloudWatchLogs.ResourceNotFoundException, let groups = ServiceLogGroups(serviceArn: target.serviceArn) {
            return "no logs yet: log group \(target.source.query(groups).logGroupName) does not exist"
        }
        return ErrorText(error).description
    }
}
