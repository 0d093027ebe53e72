import AWSCore
import AppRunner
import CloudWatchLogs
import FoundationEssentials
import RunnerDeckKit

/// The deployment log of the open service's newest operation, read while the detail view shows it:
/// one `LogTail` per operation (start-time watermark, event-id dedupe, a bounded buffer), polled once per
/// detail refresh with at most two FilterLogEvents calls. Nothing is read for what is not on screen.
extension DashboardStore {
    /// Lines the detail view keeps per operation.
    static let deploymentLogLines = 200
    /// Seconds after an operation ends from which its log is taken as complete.
    static let deploymentLogSettle: TimeInterval = 30

    func refreshDeploymentLog(arn: String, generation: Int) async {
        guard let detail = state.detail, detail.serviceArn == arn, let operation = detail.operations.first,
              let operationId = operation.id else { return }
        guard let logsAPI else {
            state.detail?.deploymentLog = DeploymentLog(operationId: operationId, unavailable: "no CloudWatch Logs client")
            return
        }
        guard let groups = ServiceLogGroups(serviceArn: arn) else { return }
        // An ended operation's log was read to its end: nothing more comes (no call per refresh).
        if deploymentLogComplete == operationId, detail.deploymentLog.operationId == operationId { return }
        let query = LogTailQuery.service(groups, operationId: operationId)
        let tail: LogTail
        if let current = deploymentTail, current.query == query {
            tail = current
        } else {
            // From a little before the operation started: its first line carries the start time.
            let start = (operation.startedAt ?? clock.now()).addingTimeInterval(-5)
            tail = LogTail(api: logsAPI, query: query, startTime: start, capacity: Self.deploymentLogLines, maxPagesPerPoll: 2)
            deploymentTail = tail
        }
        var unavailable: String?
        do {
            try await tail.poll()
        } catch {
            unavailable = ErrorText(error).description
        }
        let lines = await tail.newest(Self.deploymentLogLines).map { event in
            DeploymentLog.Line(time: Date(timeIntervalSince1970: Double(event.timestamp ?? 0) / 1000), message: event.message ?? "")
        }
        guard generation == state.generation, state.detail?.serviceArn == arn else { return }
        state.detail?.deploymentLog = DeploymentLog(operationId: operationId, lines: lines, unavailable: unavailable)
        // Read to its end once a poll came well after the operation ended (CloudWatch Logs may take a
        // few seconds to make the last lines searchable) and had nothing more to page through.
        if unavailable == nil, operation.isFinal, let ended = operation.endedAt ?? operation.updatedAt,
           clock.now().timeIntervalSince(ended) > Self.deploymentLogSettle, await !tail.isBehind {
            deploymentLogComplete = operationId
        }
    }
}
