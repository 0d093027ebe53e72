import AWSCore
import AppRunner
import ArgumentParser
import FoundationEssentials
import JMESPath

/// `runnerdeck call OPERATION [--input JSON | --input @FILE]`
struct CallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call",
        abstract: "Call any App Runner operation by name with a JSON input.",
        discussion: """
            OPERATION is one of the 37 operation names (ListServices, DescribeCustomDomains, …; case and \
            dashes ignored, so list-services works too). The input is the request shape with the model's member \
            names, validated before it is sent. The output is always the response as JSON (timestamps ISO 8601).

            Examples:
              runnerdeck call ListServices
              runnerdeck call DescribeCustomDomains --input '{"ServiceArn": "arn:…"}'
              runnerdeck call create-auto-scaling-configuration --input @asc.json
              echo '{"MaxResults": 5}' | runnerdeck call ListConnections --input @-
            """
    )

    @OptionGroup var globals: GlobalOptions

    @Argument(help: ArgumentHelp("The operation, e.g. ListServices.", valueName: "operation"),
              completion: .list(AppRunnerOperation.allCases.map(\.rawValue)))
    var operation: String

    @Option(help: ArgumentHelp("The request as JSON, file://PATH to read it from a file, or - for stdin (default {}).", valueName: "json"))
    var input: String?

    @Flag(name: [.customLong("generate-skeleton"), .customLong("generate-cli-skeleton")],
          help: "Print the request's JSON skeleton (as aws apprunner OPERATION --generate-cli-skeleton) and send nothing.")
    var generateSkeleton: Bool = false

    @OptionGroup var waitOptions: WaitOptions

    func validate() throws {
        let op = try Self.operation(named: operation)
        if waitOptions.wait, Self.waitAction(op, body: Data("{}".utf8)) == nil {
            let starting = AppRunnerOperation.allCases.filter { Self.waitAction($0, body: Data("{}".utf8)) != nil }.map(\.rawValue)
            throw ValidationError("--wait applies to the operations that start one: \(starting.joined(separator: ", "))")
        }
        if generateSkeleton, input != nil || waitOptions.wait {
            throw ValidationError("--generate-skeleton sends nothing: leave out --input and --wait")
        }
    }

    func run() async throws {
        let context = CommandContext(globals: globals)
        let op = try Self.operation(named: operation)
        if generateSkeleton {
            return context.write(op.requestSkeleton + "\n")
        }
        let body = try Self.readInput(input, home: context.environment.variables["HOME"])
        try Self.checkInput(body, for: op)
        let api = try await context.makeAPI()
        let output = try await dispatch(op, body: body, to: api)
        guard waitOptions.wait, let action = Self.waitAction(op, body: body) else {
            return context.write(try Self.render(op, output))
        }
        try await waitForOperation(op, action: action, output: output, context: context, api: api)
    }

    /// The operation a user's spelling names: exact, any case, with or without dashes/underscores.
    static func operation(named name: String) throws -> AppRunnerOperation {
        let key = normalize(name)
        if let match = AppRunnerOperation.allCases.first(where: { normalize($0.rawValue) == key }) {
            return match
        }
        let similar = AppRunnerOperation.allCases.map(\.rawValue).filter {
            let candidate = normalize($0)
            return !key.isEmpty && (candidate.contains(key) || key.contains(candidate))
        }
        let list = similar.isEmpty ? AppRunnerOperation.allCases.map(\.rawValue) : similar
        throw ValidationError("unknown operation '\(name)'; \(similar.isEmpty ? "operations" : "did you mean"): \(list.joined(separator: ", "))")
    }

    private static func normalize(_ text: String) -> String {
        text.lowercased().filter { $0 != "-" && $0 != "_" }
    }

    /// The request body: inline JSON, `file://PATH` (as the AWS CLI; `@PATH` too), or `-` / `@-` (stdin);
    /// must be a JSON object.
    static func readInput(_ input: String?, home: String? = ProcessInfo.processInfo.environment["HOME"],
                          standardInput: () -> Data = { (try? SystemIO.readToEnd(0)) ?? Data() }) throws -> Data {
        guard let input else { return Data("{}".utf8) }
        let data: Data
        if input == "-" || input == "@-" {
            data = standardInput()
        } else if input.hasPrefix("file://") || input.hasPrefix("@") {
            // `~` is $HOME, as the AWS CLI reads file:// paths.
            var path = input.hasPrefix("@") ? String(input.dropFirst()) : String(input.dropFirst("file://".count))
            if path == "~" || path.hasPrefix("~/"), let home, !home.isEmpty { path = home + path.dropFirst() }
            guard let contents = FileManager.default.contents(atPath: path) else {
                throw CLIError(.usage, "cannot read the input file '\(path)'")
            }
            data = contents
        } else {
            data = Data(input.utf8)
        }
        let object: JMESValue
        do {
            object = try JMESValue(json: data.isEmpty ? Data("{}".utf8) : data)
        } catch {
            // Where the syntax breaks.
            let detail = (error as? JMESPathError).map { ": \($0.message) around character \($0.offset)" } ?? ""
            throw CLIError(.usage, "--input is not valid JSON\(detail)")
        }
        guard object.asObject != nil else {
            throw CLIError(.usage, "--input must be a JSON object ({...}) with the request's members")
        }
        return data
    }

    /// Re-renders the response body (epoch-second timestamps) as the AWS CLI prints it.
    /// Refuses, before anything is sent and as a usage error (exit 2) like every other input mistake,
    /// what the request shape cannot carry: a member it does not have (the AWS CLI refuses those too,
    /// where a plain decode would drop them silently), a value of the wrong type, a broken constraint.
    static func checkInput(_ body: Data, for operation: AppRunnerOperation) throws {
        func canonical<T: AppRunnerShape>(_ type: T.Type) throws -> Data {
            let input = try AppRunnerWire.decodeRequest(type, from: body.isEmpty ? Data("{}".utf8) : body)
            try input.validate(path: "")
            return try AppRunnerJSON.encode(input)
        }
        let kept: Data
        do {
            kept = try canonical(requestShape(of: operation))
        } catch let error as AWSValidationError {
            throw CLIError(.usage, error.message)
        } catch let error as AWSResponseError {
            throw CLIError(.usage, "--input does not fit \(operation.rawValue): \(error.message)")
        }
        let given = (try? JMESValue(json: body.isEmpty ? Data("{}".utf8) : body)) ?? .object(JMESObject())
        let known = (try? JMESValue(json: kept)) ?? .object(JMESObject())
        if let unknown = unknownMembers(given, known, path: "").first {
            throw CLIError(.usage, "Unknown parameter in input: \"\(unknown)\" (\(operation.rawValue) has no such member; names are case-sensitive)")
        }
    }

    /// Paths of members in `given` that did not survive decoding into the shape (`known`); null values
    /// are left out, since they say "absent" in both.
    static func unknownMembers(_ given: JMESValue, _ known: JMESValue, path: String) -> [String] {
        if let object = given.asObject {
            let kept = known.asObject ?? JMESObject()
            var found: [String] = []
            for key in object.keys.sorted() {
                guard let value = object[key], value != .null else { continue }
                let memberPath = path.isEmpty ? key : "\(path).\(key)"
                guard let keptValue = kept[key] else {
                    // A map's keys are data, not members: a map keeps every key it was given.
                    found.append(memberPath)
                    continue
                }
                found += unknownMembers(value, keptValue, path: memberPath)
            }
            return found
        }
        if case .array(let list) = given, case .array(let keptList) = known {
            return list.enumerated().flatMap { index, value in
                index < keptList.count ? unknownMembers(value, keptList[index], path: "\(path)[\(index)]") : []
            }
        }
        return []
    }

    static func render(_ operation: AppRunnerOperation, _ body: Data, timeZone: TimeZone? = nil) throws -> String {
        func as_<T: AppRunnerShape>(_ type: T.Type) throws -> String {
            try CLIJSON.render(AppRunnerJSON.decode(type, from: body), timeZone: timeZone)
        }
        switch operation {
        case .associateCustomDomain: return try as_(AssociateCustomDomainResponse.self)
        case .createAutoScalingConfiguration: return try as_(CreateAutoScalingConfigurationResponse.self)
        case .createConnection: return try as_(CreateConnectionResponse.self)
        case .createObservabilityConfiguration: return try as_(CreateObservabilityConfigurationResponse.self)
        case .createService: return try as_(CreateServiceResponse.self)
        case .createVpcConnector: return try as_(CreateVpcConnectorResponse.self)
        case .createVpcIngressConnection: return try as_(CreateVpcIngressConnectionResponse.self)
        case .deleteAutoScalingConfiguration: return try as_(DeleteAutoScalingConfigurationResponse.self)
        case .deleteConnection: return try as_(DeleteConnectionResponse.self)
        case .deleteObservabilityConfiguration: return try as_(DeleteObservabilityConfigurationResponse.self)
        case .deleteService: return try as_(DeleteServiceResponse.self)
        case .deleteVpcConnector: return try as_(DeleteVpcConnectorResponse.self)
        case .deleteVpcIngressConnection: return try as_(DeleteVpcIngressConnectionResponse.self)
        case .describeAutoScalingConfiguration: return try as_(DescribeAutoScalingConfigurationResponse.self)
        case .describeCustomDomains: return try as_(DescribeCustomDomainsResponse.self)
        case .describeObservabilityConfiguration: return try as_(DescribeObservabilityConfigurationResponse.self)
        case .describeService: return try as_(DescribeServiceResponse.self)
        case .describeVpcConnector: return try as_(DescribeVpcConnectorResponse.self)
        case .describeVpcIngressConnection: return try as_(DescribeVpcIngressConnectionResponse.self)
        case .disassociateCustomDomain: return try as_(DisassociateCustomDomainResponse.self)
        case .listAutoScalingConfigurations: return try as_(ListAutoScalingConfigurationsResponse.self)
        case .listConnections: return try as_(ListConnectionsResponse.self)
        case .listObservabilityConfigurations: return try as_(ListObservabilityConfigurationsResponse.self)
        case .listOperations: return try as_(ListOperationsResponse.self)
        case .listServices: return try as_(ListServicesResponse.self)
        case .listServicesForAutoScalingConfiguration: return try as_(ListServicesForAutoScalingConfigurationResponse.self)
        case .listTagsForResource: return try as_(ListTagsForResourceResponse.self)
        case .listVpcConnectors: return try as_(ListVpcConnectorsResponse.self)
        case .listVpcIngressConnections: return try as_(ListVpcIngressConnectionsResponse.self)
        case .pauseService: return try as_(PauseServiceResponse.self)
        case .resumeService: return try as_(ResumeServiceResponse.self)
        case .startDeployment: return try as_(StartDeploymentResponse.self)
        case .tagResource: return try as_(TagResourceResponse.self)
        case .untagResource: return try as_(UntagResourceResponse.self)
        case .updateDefaultAutoScalingConfiguration: return try as_(UpdateDefaultAutoScalingConfigurationResponse.self)
        case .updateService: return try as_(UpdateServiceResponse.self)
        case .updateVpcIngressConnection: return try as_(UpdateVpcIngressConnectionResponse.self)
        }
    }
}
