import FoundationEssentials

/// Which of a service's logs to read: one operation's deployment log, the whole service group (its
/// events and every deployment), or what the application writes.
public enum LogSource: Sendable, Hashable {
    /// The stream `deployment/<operation id>` of the service group.
    case deployment(operationId: String)
    /// The service group: the `events` stream and every deployment stream.
    case service
    /// The application group: one stream per instance.
    case application

    /// The query that follows this source of the service `groups` name.
    public func query(_ groups: ServiceLogGroups, filterPattern: String? = nil) -> LogTailQuery {
        switch self {
        case .deployment(let operationId):
            return .service(groups, operationId: operationId, filterPattern: filterPattern)
        case .service:
            return .service(groups, filterPattern: filterPattern)
        case .application:
            return .service(groups, kind: .application, filterPattern: filterPattern)
        }
    }

    /// The sources an operator steps through, in order: the deployment log of each operation in
    /// `operationIds` (newest first, as the timeline lists them), then the service group, then the
    /// application's logs.
    public static func cycle(operationIds: [String]) -> [LogSource] {
        operationIds.map { .deployment(operationId: $0) } + [.service, .application]
    }

    /// A stream's name as a short tag beside each line: `events`, `deploy 1a2b3c4d` for a deployment,
    /// the last 8 characters of an instance stream.
    public static func streamTag(_ stream: String) -> String {
        if stream == ServiceLogGroups.eventsStream { return "events" }
        let deployment = ServiceLogGroups.deploymentStream(operationId: "")
        if stream.hasPrefix(deployment) { return "deploy " + stream.dropFirst(deployment.count).prefix(8) }
        return String(stream.suffix(8))
    }
}
