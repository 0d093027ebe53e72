import AWSCore
import AppRunner
import ArgumentParser
import FoundationEssentials
import Synchronization
import RunnerDeckKit

/// `runnerdeck services --regions … --profiles …`: every page of ListServices of each target, through
/// RunnerDeckKit's fleet scheduler (each target's request budget, several targets at once, a failing
/// target reported alone), printed as one list.
///
/// - table and text: ACCOUNT and REGION columns first when there is more than one target (one target
///   prints exactly what `services` prints), both from the service's ARN;
/// - json: `ServiceSummaryList` as ListServices', each summary with `"Account"` and `"Region"` added
///   after the model's members, then `"Targets"`: one object per target (`Profile`, `Region`, `Account`,
///   `ServiceCount`, or `Error` with `Code` and `Message`);
/// - a target that fails: one line on stderr naming it, the others still print, and the exit status is
///   the class of the first failed target's error (253 configuration or credentials, 254 an error the
///   service answered, 255 anything else, as the README's table says).
struct FleetListing {
    let context: CommandContext
    let fleet: FleetOptions
    let pageSize: Int?

    func run() async throws {
        if let problem = context.settings.problem { throw problem }
        let set = try fleet.targets(context.globals, environment: context.environment.variables)
        let apis = TargetAPIs(context: context)
        let results = FleetResults()
        let pageSize = self.pageSize
        let runner = FleetRunner(scheduler: FleetScheduler(targets: set, configuration: .oneShot)) { call in
            await Self.perform(call, apis: apis, results: results, pageSize: pageSize)
        }
        await runner.run()
        var reports: [TargetReport] = []
        for status in await runner.statuses() where !status.quietlyDropped {
            var report = TargetReport(profile: status.target.profile, region: status.target.region, account: status.account,
                                      summaries: results.summaries(status.target))
            switch status.phase {
            case .failed:
                let error = results.error(status.target)
                report.error = error.map(ErrorReport.text) ?? status.lastError
                report.exitStatus = error.map(ErrorReport.exitStatus) ?? ExitStatus.other
            case .notEnabled:
                report.error = status.lastError
                report.exitStatus = ExitStatus.configuration
            case .starting, .healthy, .backingOff:
                break
            }
            reports.append(report)
        }
        for profile in set.withoutRegion {
            let error = await apis.regionlessError(profile)
            reports.append(TargetReport(profile: profile, region: nil, account: nil, summaries: [], error: ErrorReport.text(for: error),
                                        exitStatus: ErrorReport.exitStatus(for: error)))
        }
        for report in reports {
            if let error = report.error { context.writeError(ErrorReport.format(error, subject: report.label) + "\n") }
        }
        switch context.format {
        case .json: try context.writeJSON(tree: try json(reports))
        case .table, .text: context.write(listing(reports, multiple: set.isMultiple).render(context.format, color: context.color))
        }
        if let failed = reports.first(where: { $0.error != nil }) { throw ExitCode(failed.exitStatus) }
    }

    /// One ListServices page of one target.
    static func perform(_ call: FleetCall, apis: TargetAPIs, results: FleetResults, pageSize: Int?) async -> FleetOutcome {
        guard case .listServices(let token) = call.work else { return .succeeded() }
        do {
            let api = try await apis.api(for: call.target)
            let page = try await api.listServices(ListServicesRequest(nextToken: token, maxResults: pageSize))
            results.add(page.serviceSummaryList, to: call.target, first: token == nil)
            let account = page.serviceSummaryList.lazy.compactMap { $0.serviceArn.flatMap(ResourceARN.init)?.account }.first
            return .succeeded(nextToken: page.nextToken.flatMap { $0.isEmpty ? nil : $0 }, account: account)
        } catch {
            results.fail(call.target, error)
            return .failed(ErrorText(error))
        }
    }

    private func listing(_ reports: [TargetReport], multiple: Bool) -> Listing {
        var rows: [[TableCell]] = []
        for report in reports {
            for summary in report.summaries {
                let cells = ServicesCommand.cells(summary, context: context)
                rows.append(multiple ? [TableCell(report.account(of: summary)), TableCell(report.region(of: summary))] + cells : cells)
            }
        }
        let headers = ServicesCommand.headers
        return Listing(headers: multiple ? ["Account", "Region"] + headers : headers, rows: rows)
    }

    private func json(_ reports: [TargetReport]) throws -> JSONNode {
        let list = JSONNode.array()
        let targets = JSONNode.array()
        for report in reports {
            for summary in report.summaries {
                let node = try CLIJSON.tree(summary, timestamps: context.timestamps)
                node.append(key: "Account", .string(report.account(of: summary)))
                node.append(key: "Region", .string(report.region(of: summary)))
                list.append(node)
            }
            let target = JSONNode()
            target.append(key: "Profile", .optional(report.profile))
            target.append(key: "Region", .optional(report.region))
            target.append(key: "Account", .optional(report.account))
            if let error = report.error {
                let node = JSONNode()
                node.append(key: "Code", .string(error.code))
                node.append(key: "Message", .string(error.message))
                target.append(key: "Error", node)
            } else {
                target.append(key: "ServiceCount", .number(report.summaries.count))
            }
            targets.append(target)
        }
        let root = JSONNode()
        root.append(key: "ServiceSummaryList", list)
        root.append(key: "Targets", targets)
        return root
    }
}

/// What one target gave: its services, or the error it failed with.
struct TargetReport {
    var profile: String?
    /// Nil for a profile without a region.
    var region: String?
    var account: String?
    var summaries: [ServiceSummary]
    var error: ErrorText?
    var exitStatus: Int32 = ExitStatus.success

    /// How an error line names the target: `prod/eu-west-1`, `eu-west-1`, or the profile alone.
    var label: String {
        guard let region else { return profile ?? "default" }
        return FleetTarget(profile: profile, region: region).description
    }

    /// The account of a row: its ARN's, else the target's, else the profile's name.
    func account(of summary: ServiceSummary) -> String {
        summary.serviceArn.flatMap(ResourceARN.init)?.account ?? account ?? profile ?? ""
    }

    /// The region of a row: its ARN's (what the service says, even from an endpoint that serves
    /// another region than the target's), else the target's.
    func region(of summary: ServiceSummary) -> String {
        summary.serviceArn.flatMap(ResourceARN.init)?.region ?? region ?? ""
    }
}

/// The App Runner client of each target, made once, with the options of the command and the target's
/// profile and region; the command's one ``ResolvedConfigurations`` gives a profile one credential
/// provider in all its regions (one MFA prompt, one SSO token, one credential fetch).
actor TargetAPIs {
    let context: CommandContext
    private var made: [FleetTarget: Task<any AppRunnerAPI, any Error>] = [:]

    init(context: CommandContext) {
        self.context = context
    }

    func api(for target: FleetTarget) async throws -> any AppRunnerAPI {
        if let task = made[target] { return try await task.value }
        var globals = context.globals
        globals.profile = target.profile
        globals.region = target.region
        let environment = context.environment
        let configurations = context.configurations
        let task = Task { try await Self.make(globals, environment, configurations) }
        made[target] = task
        return try await task.value
    }

    /// Why a profile has no region: what resolving its configuration says (unknown profile, no region).
    func regionlessError(_ profile: String?) async -> any Error {
        var globals = context.globals
        globals.profile = profile
        globals.region = nil
        do {
            _ = try await Self.make(globals, context.environment, context.configurations)
        } catch {
            return error
        }
        return CLIError(.configuration, "no region for profile \(profile ?? "default"): give --regions, or set the profile's region")
    }

    private static func make(_ globals: GlobalOptions, _ environment: CLIEnvironment,
                             _ configurations: ResolvedConfigurations) async throws -> any AppRunnerAPI {
        if let factory = environment.makeAPI { return try await factory(globals) }
        return try await ClientFactory.makeAPI(globals, environment: environment, configurations: configurations)
    }
}

/// The pages and errors of every target, written from the runner's call tasks.
final class FleetResults: Sendable {
    private struct Results {
        var pages: [FleetTarget: [ServiceSummary]] = [:]
        var errors: [FleetTarget: any Error] = [:]
    }
    private let results = Mutex(Results())

    /// `first`: the first page of a sweep, which starts the target's list afresh.
    func add(_ summaries: [ServiceSummary], to target: FleetTarget, first: Bool) {
        results.withLock { results in
            if first { results.pages[target] = [] }
            results.pages[target, default: []] += summaries
            results.errors[target] = nil
        }
    }

    func fail(_ target: FleetTarget, _ error: any Error) { results.withLock { $0.errors[target] = error } }
    func summaries(_ target: FleetTarget) -> [ServiceSummary] { results.withLock { $0.pages[target] ?? [] } }
    func error(_ target: FleetTarget) -> (any Error)? { results.withLock { $0.errors[target] } }
}

extension JSONNode {
    static func string(_ text: String) -> JSONNode {
        let node = JSONNode()
        node.content = .string(text)
        return node
    }

    /// A string, or null.
    static func optional(_ text: String?) -> JSONNode {
        text.map(string) ?? JSONNode()
    }

    static func number(_ value: Int) -> JSONNode {
        let node = JSONNode()
        node.content = .scalar(String(value))
        return node
    }

    static func array() -> JSONNode {
        let node = JSONNode()
        node.content = .array([])
        return node
    }
}
