import AWSCore
import AppRunner
import FoundationEssentials
import RunnerDeckKit

/// Turns the SERVICE argument (a name or an ARN) into one service.
///
/// An ARN is used as given. A name is looked up in ListServices (every page): one match wins;
/// several matches (the same name after a delete and a re-create differs only in the ARN's id)
/// prefer the one service that is not DELETED; otherwise the error lists the candidates.
struct ServiceResolver: Sendable {
    public let api: any AppRunnerAPI

    public init(api: any AppRunnerAPI) {
        self.api = api
    }

    /// The ARN of the service `nameOrArn` names.
    func resolveArn(_ nameOrArn: String) async throws -> String {
        let trimmed = nameOrArn.trimmingWhitespace
        if trimmed.hasPrefix("arn:") { return trimmed }
        return try await resolve(trimmed).serviceArn ?? trimmed
    }

    /// The ARN of the service `nameOrArn` names, and its name and id as CloudWatch uses them.
    func resolveIdentity(_ nameOrArn: String) async throws -> (arn: String, identity: ServiceIdentity) {
        let arn = try await resolveArn(nameOrArn)
        guard let identity = ServiceIdentity(serviceArn: arn) else {
            throw CLIError(.failure, "cannot tell the service id from '\(arn)' (expected arn:…:service/NAME/ID)")
        }
        return (arn, identity)
    }

    /// The summary of the service called `name`.
    public func resolve(_ name: String) async throws -> ServiceSummary {
        guard !name.isEmpty else { throw CLIError(.usage, "the SERVICE argument is empty; give a service name or ARN") }
        var all: [ServiceSummary] = []
        for try await page in api.listServicesPaginator(ListServicesRequest()) {
            all += page.serviceSummaryList
        }
        let exact = all.filter { $0.serviceName == name || $0.serviceId == name }
        if exact.count == 1, let only = exact.first { return only }
        if exact.count > 1 {
            let live = exact.filter { $0.status != .deleted }
            if live.count == 1, let only = live.first { return only }
            let list = exact.map { "\($0.serviceArn ?? "?") (\($0.status?.rawValue ?? "?"))" }.joined(separator: ", ")
            throw CLIError(.ambiguous, "\(exact.count) services are named '\(name)'; name one by ARN: \(list)")
        }
        // No exact match: a few names nearest to what was typed.
        let names = Set(all.compactMap(\.serviceName)).sorted()
        if names.isEmpty {
            throw CLIError(.notFound, "no service named '\(name)': the region has no services")
        }
        let near = Suggestions.nearest(to: name, in: names, limit: 5)
        if !near.isEmpty {
            throw CLIError(.notFound, "no service named '\(name)'; did you mean: \(near.joined(separator: ", "))")
        }
        throw CLIError(.notFound, "no service named '\(name)' among the \(names.count) service(s) of this region (runnerdeck services lists them)")
    }

    /// The operation `idOrLatest` (an id, or `latest`) names among the service's operations (newest first).
    func operation(_ idOrLatest: String, serviceArn: String) async throws -> OperationSummary {
        let wanted = idOrLatest.trimmingWhitespace
        if wanted.lowercased() == "latest" {
            let page = try await api.listOperations(ListOperationsRequest(serviceArn: serviceArn, maxResults: 1))
            guard let newest = page.operationSummaryList?.first else {
                throw CLIError(.notFound, "\(ResourceARN.name(serviceArn)) has no operations yet, so there is no latest one")
            }
            return newest
        }
        let follower = OperationFollower(api: api, serviceArn: serviceArn, operationId: wanted)
        guard let found = try await follower.find() else {
            throw CLIError(.notFound, "no operation \(wanted) on \(ResourceARN.name(serviceArn)) (runnerdeck operations \(ResourceARN.name(serviceArn)) lists them)")
        }
        return found
    }
}
