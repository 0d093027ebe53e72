import AWSCore
import AppRunner
import ArgumentParser
import FoundationEssentials
import RunnerDeckKit

/// `runnerdeck services`
struct ServicesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "services",
        abstract: "List the services of the region, or of several regions and profiles at once.",
        discussion: """
            Every page of ListServices. JSON is ListServices' response ({"ServiceSummaryList": [...]}) with all \
            pages merged, as `aws apprunner list-services --output json` prints it.

            Examples:
              runnerdeck services
              runnerdeck services --query 'ServiceSummaryList[].ServiceName' --output text
              runnerdeck services --output text | cut -f1,2
              runnerdeck services --region eu-west-1 --profile prod

            Many regions and accounts at once: --regions us-east-1,eu-west-1 (or all: every region App Runner \
            is offered in, skipping opt-in regions the account has not enabled) and --profiles staging,prod \
            (each with its own credentials and, without --regions, its own region) read every target \
            together within a request budget per account and region. With more than one target the table \
            and text gain ACCOUNT and REGION columns; JSON adds "Account" and "Region" to each summary and \
            a "Targets" list (Profile, Region, Account, ServiceCount or Error). A target that fails prints \
            one line on stderr naming it; the others still print, and the exit status is the class of the \
            first failure (253 configuration or credentials, 254 the service's error, 255 anything else).
              runnerdeck services --regions all --profiles staging,prod
              runnerdeck services --regions us-east-1,eu-west-1 --output json | \\
                  jq -r '.ServiceSummaryList[] | [.Region, .ServiceName, .Status] | @tsv'
            """,
        aliases: ["list-services"]
    )

    @OptionGroup var globals: GlobalOptions
    @OptionGroup var fleet: FleetOptions
    @OptionGroup var pagination: PaginationOptions

    func validate() throws {
        guard fleet.isGiven else { return }
        _ = try fleet.selection(globals)
        if pagination.maxItems != nil || pagination.startingToken != nil || pagination.noPaginate {
            throw ValidationError("--max-items, --starting-token and --no-paginate work on one region and profile; with --regions or --profiles every page of each target is read")
        }
    }

    func run() async throws {
        let context = CommandContext(globals: globals)
        if fleet.isGiven {
            return try await FleetListing(context: context, fleet: fleet, pageSize: pagination.pageSize).run()
        }
        let api = try await context.makeAPI()
        let (all, nextToken) = try await pagination.collect { (token: String?, size: Int?) -> (items: [ServiceSummary], next: String?) in
            let page = try await api.listServices(ListServicesRequest(nextToken: token, maxResults: size))
            return (page.serviceSummaryList, page.nextToken)
        }
        defer { context.writeNextToken(nextToken) }
        switch context.format {
        case .json:
            try context.writeJSON(ListServicesResponse(serviceSummaryList: all, nextToken: nextToken))
        case .table, .text:
            let rows = all.map { Self.cells($0, context: context) }
            context.write(Listing(headers: Self.headers, rows: rows).render(context.format, color: context.color))
        }
    }

    static let headers = ["Name", "Status", "Updated", "URL", "ARN"]

    /// A service's row under ``headers``.
    static func cells(_ summary: ServiceSummary, context: CommandContext) -> [TableCell] {
        [
            TableCell(summary.serviceName ?? ""),
            TableCell(summary.status?.rawValue ?? "", color: StatusColor.service(summary.status)),
            TableCell(context.timestamps.record(summary.updatedAt)),
            TableCell(summary.serviceUrl ?? ""),
            TableCell(summary.serviceArn ?? ""),
        ]
    }
}

/// `runnerdeck describe SERVICE`
struct DescribeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "describe",
        abstract: "Show one service in full.",
        discussion: """
            SERVICE is a name or an ARN. JSON is DescribeService's response ({"Service": {...}}).

            Examples:
              runnerdeck describe web-api
              runnerdeck describe "$SERVICE_ARN"
              runnerdeck describe web-api --output json | jq -r .Service.Status
            """,
        aliases: ["describe-service"]
    )

    @OptionGroup var globals: GlobalOptions
    @Argument(help: "The service's name or ARN.") var service: String

    func run() async throws {
        let context = CommandContext(globals: globals)
        let api = try await context.makeAPI()
        let arn = try await ServiceResolver(api: api).resolveArn(service)
        let response = try await api.describeService(DescribeServiceRequest(serviceArn: arn))
        if context.format == .json {
            try context.writeJSON(response)
        } else {
            context.write(ServiceRecord.record(response.service, timestamps: context.timestamps).render(context.format, color: context.color))
        }
    }
}

/// `runnerdeck operations SERVICE`
struct OperationsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "operations",
        abstract: "List a service's operations, newest first.",
        discussion: """
            JSON is ListOperations' response ({"OperationSummaryList": [...]}) with all pages merged.

            Examples:
              runnerdeck operations web-api
              runnerdeck operations web-api --max-results 1 --output text \\
                  --query 'OperationSummaryList[0].Status'
              runnerdeck operations web-api --output text | \\
                  awk -F'\\t' '$3 != "SUCCEEDED"'
            """,
        aliases: ["list-operations"]
    )

    @OptionGroup var globals: GlobalOptions
    @Argument(help: "The service's name or ARN.") var service: String
    @Option(name: .customLong("max-results"), help: "Show at most this many operations (the newest); the same as --max-items.")
    var maxResults: Int?
    @OptionGroup var pagination: PaginationOptions

    func validate() throws {
        if let maxResults, maxResults < 1 { throw ValidationError("--max-results must be at least 1") }
        if maxResults != nil, pagination.maxItems != nil { throw ValidationError("--max-results and --max-items say the same: give one") }
    }

    func run() async throws {
        let context = CommandContext(globals: globals)
        let api = try await context.makeAPI()
        let arn = try await ServiceResolver(api: api).resolveArn(service)
        var pages = pagination
        if let maxResults {
            pages.maxItems = maxResults
            pages.pageSize = pages.pageSize ?? min(maxResults, 20)
        }
        let (all, nextToken) = try await pages.collect { (token: String?, size: Int?) -> (items: [OperationSummary], next: String?) in
            let page = try await api.listOperations(ListOperationsRequest(serviceArn: arn, nextToken: token, maxResults: size))
            return (page.operationSummaryList ?? [], page.nextToken)
        }
        defer { context.writeNextToken(nextToken) }
        switch context.format {
        case .json:
            try context.writeJSON(ListOperationsResponse(operationSummaryList: all, nextToken: nextToken))
        case .table, .text:
            let rows: [[TableCell]] = all.map { operation in
                var duration = ""
                if let start = operation.startedAt {
                    duration = Format.duration((operation.endedAt ?? Date()).timeIntervalSince(start))
                }
                return [
                    TableCell(operation.id ?? ""),
                    TableCell(operation.type?.rawValue ?? ""),
                    TableCell(operation.status?.rawValue ?? "", color: StatusColor.operation(operation.status)),
                    TableCell(context.timestamps.record(operation.startedAt)),
                    TableCell(context.timestamps.record(operation.endedAt)),
                    TableCell(duration),
                ]
            }
            context.write(Listing(headers: ["Id", "Type", "Status", "Started", "Ended", "Duration"], rows: rows).render(context.format, color: context.color))
        }
    }
}

/// The field–value view of a service, shared by `describe` and the actions.
enum ServiceRecord {
    static func record(_ service: Service, timestamps: TimestampFormat) -> Record {
        var record = Record()
        record.add("Name", service.serviceName)
        record.add("Status", service.status.rawValue, color: StatusColor.service(service.status))
        record.add("ARN", service.serviceArn)
        record.add("Id", service.serviceId)
        record.add("URL", service.serviceUrl)
        record.add("Created", timestamps.record(service.createdAt))
        record.add("Updated", timestamps.record(service.updatedAt))
        record.add("Deleted", timestamps.record(service.deletedAt))
        let source = service.sourceConfiguration
        if let image = source.imageRepository {
            record.add("Image", image.imageIdentifier)
            record.add("Image repository", image.imageRepositoryType.rawValue)
            record.add("Port", image.imageConfiguration?.port)
            record.add("Start command", image.imageConfiguration?.startCommand)
            record.add("Environment", names(image.imageConfiguration?.runtimeEnvironmentVariables))
            record.add("Secrets", names(image.imageConfiguration?.runtimeEnvironmentSecrets))
        }
        if let code = source.codeRepository {
            record.add("Repository", code.repositoryUrl)
            record.add("Branch", "\(code.sourceCodeVersion.type.rawValue) \(code.sourceCodeVersion.value)")
            record.add("Source directory", code.sourceDirectory)
            record.add("Configuration", code.codeConfiguration?.configurationSource.rawValue)
            if let values = code.codeConfiguration?.codeConfigurationValues {
                record.add("Runtime", values.runtime.rawValue)
                record.add("Build command", values.buildCommand)
                record.add("Start command", values.startCommand)
                record.add("Port", values.port)
                record.add("Environment", names(values.runtimeEnvironmentVariables))
                record.add("Secrets", names(values.runtimeEnvironmentSecrets))
            }
        }
        record.add("Auto deployments", source.autoDeploymentsEnabled.map { $0 ? "enabled" : "disabled" })
        record.add("CPU", service.instanceConfiguration.cpu)
        record.add("Memory", service.instanceConfiguration.memory)
        record.add("Instance role", service.instanceConfiguration.instanceRoleArn)
        if let health = service.healthCheckConfiguration {
            var parts: [String] = []
            if let value = health.protocol { parts.append(value.rawValue) }
            if let value = health.path { parts.append(value) }
            if let value = health.interval { parts.append("every \(value)s") }
            if let value = health.timeout { parts.append("timeout \(value)s") }
            if let healthy = health.healthyThreshold, let unhealthy = health.unhealthyThreshold {
                parts.append("healthy \(healthy)/unhealthy \(unhealthy)")
            }
            record.add("Health check", parts.joined(separator: " "))
        }
        let scaling = service.autoScalingConfigurationSummary
        if let name = scaling.autoScalingConfigurationName {
            record.add("Auto scaling", name + (scaling.autoScalingConfigurationRevision.map { " (revision \($0))" } ?? ""))
        }
        let network = service.networkConfiguration
        record.add("Egress", network.egressConfiguration?.egressType?.rawValue)
        record.add("VPC connector", network.egressConfiguration?.vpcConnectorArn)
        record.add("Public", network.ingressConfiguration?.isPubliclyAccessible.map { $0 ? "yes" : "no" })
        record.add("IP address type", network.ipAddressType?.rawValue)
        if let observability = service.observabilityConfiguration {
            record.add("Observability", observability.observabilityEnabled ? (observability.observabilityConfigurationArn ?? "enabled") : "disabled")
        }
        record.add("KMS key", service.encryptionConfiguration?.kmsKey)
        return record
    }

    /// Only the names of environment variables and secrets, never their values.
    static func names(_ values: AWSMap<String>?) -> String? { Format.names(values) }
}
