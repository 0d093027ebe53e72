import ArgumentParser
import Foundation

/// How a command prints its result.
public enum OutputFormat: String, CaseIterable, Sendable, ExpressibleByArgument {
    /// Aligned columns with a header, for people.
    case table
    /// The API's response shape, member names as in the model, like `aws apprunner … --output json`.
    case json
    /// Tab-separated values, one record a line, no header, for `cut`/`awk`.
    case text
}

/// Options every command and the dashboard share.
public struct GlobalOptions: ParsableArguments, Sendable {
    @Option(help: "The AWS profile of the shared config and credentials files.")
    public var profile: String?

    @Option(help: "The AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's region).")
    public var region: String?

    @Option(name: .customLong("endpoint-url"), help: ArgumentHelp("Send requests to this URL instead of the region's App Runner endpoint.", valueName: "url"))
    public var endpointURL: String?

    @Option(help: "Output format: table, json or text (default: table on a terminal, json otherwise).")
    public var output: OutputFormat?

    @Flag(name: .customLong("no-color"), help: "Do not use colours (also when NO_COLOR is set).")
    public var noColor: Bool = false

    @Flag(help: "Log every request and response on stderr (credentials and signatures redacted).")
    public var debug: Bool = false

    @Flag(help: "Use Local App Runner's demo fleet in process instead of AWS.")
    public var demo: Bool = false

    public init() {}

    /// The explicit format, else table when stdout is a terminal, else json.
    public func outputFormat(stdoutIsTerminal: Bool) -> OutputFormat {
        output ?? (stdoutIsTerminal ? .table : .json)
    }

    /// Colour only on a terminal, without `--no-color` and without a non-empty `NO_COLOR`.
    public func usesColor(isTerminal: Bool, environment: [String: String]) -> Bool {
        if noColor { return false }
        if let value = environment["NO_COLOR"], !value.isEmpty { return false }
        if environment["TERM"] == "dumb" { return false }
        return isTerminal
    }

    public mutating func validate() throws {
        if let endpointURL {
            guard let url = URL(string: endpointURL), let scheme = url.scheme?.lowercased(),
                  scheme == "http" || scheme == "https", url.host != nil
            else {
                throw ValidationError("--endpoint-url must be an http or https URL, got '\(endpointURL)'")
            }
        }
        if let region, region.isEmpty || region.contains(where: { !($0.isLetter || $0.isNumber || $0 == "-") }) {
            throw ValidationError("--region must look like us-east-1, got '\(region)'")
        }
    }
}
