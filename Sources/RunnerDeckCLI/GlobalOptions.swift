import AWSCore
import ArgumentParser
import FoundationEssentials
import JMESPath

/// How a command prints its result.
enum OutputFormat: String, CaseIterable, Sendable, ExpressibleByArgument {
    /// Aligned columns with a header, for people.
    case table
    /// The API's response shape, member names as in the model, like `aws apprunner … --output json`.
    case json
    /// Tab-separated values, one record a line, no header, for `cut`/`awk`.
    case text
}

/// Options every command and the dashboard share.
struct GlobalOptions: ParsableArguments, Sendable {
    @Option(help: "The AWS profile of the shared config and credentials files.")
    public var profile: String?

    @Option(help: "The AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's region).")
    public var region: String?

    @Option(name: .customLong("endpoint-url"), help: ArgumentHelp("Send requests to this URL instead of the region's endpoints (App Runner, CloudWatch Logs and CloudWatch alike).", valueName: "url"))
    public var endpointURL: String?

    @Option(help: "Output format: table, json or text (default: AWS_DEFAULT_OUTPUT, the profile's output, else table on a terminal and json otherwise).")
    public var output: OutputFormat?

    @Option(help: ArgumentHelp("A JMESPath expression applied to the JSON a command prints, as the AWS CLI's --query (with --output json or text).", valueName: "expression"))
    var query: String?

    @Option(name: .customLong("mfa-code"), help: ArgumentHelp("The code of the MFA device of a role profile with mfa_serial, for scripts (without it, runnerdeck asks on the terminal when no cached credentials of the role are valid).", valueName: "code"))
    var mfaCode: String?

    @Flag(name: .customLong("no-color"), help: "Do not use colours (also when NO_COLOR is set).")
    public var noColor: Bool = false

    @Flag(help: "Log every request and response on stderr (credentials and signatures redacted).")
    public var debug: Bool = false

    @Flag(help: "Use Local App Runner's demo fleet in process instead of AWS.")
    public var demo: Bool = false

    @Flag(name: .customLong("read-only"), help: "Refuse everything that changes something: the dashboard's actions, and pause, resume, deploy, delete and call of any operation but Describe* and List* (exit 252).")
    public var readOnly: Bool = false

    @Flag(name: .customLong("no-sign-request"), help: "Send requests unsigned; no credentials are looked up.")
    var noSignRequest: Bool = false

    @Option(name: .customLong("ca-bundle"), help: ArgumentHelp(
        "A PEM file of the certificates to trust for TLS instead of the system's (default: AWS_CA_BUNDLE, the profile's ca_bundle).",
        valueName: "path"))
    var caBundle: String?

    @Flag(name: .customLong("no-verify-ssl"), help: "Do not verify TLS certificates (prints a warning; for test endpoints only).")
    var noVerifySSL: Bool = false

    @Option(name: .customLong("cli-read-timeout"), help: ArgumentHelp(
        "Seconds an attempt may take to receive the whole response before it is cancelled and retried; 0 means no timeout (default 60).",
        valueName: "seconds"))
    var cliReadTimeout: Double?

    @Option(name: .customLong("cli-connect-timeout"), help: ArgumentHelp(
        "Seconds to wait for a connection; 0 means no timeout (default 10).", valueName: "seconds"))
    var cliConnectTimeout: Double?

    public init() {}

    /// The explicit format, else the configured one (`AWS_DEFAULT_OUTPUT`, the profile's `output`), else
    /// table when stdout is a terminal, else json.
    /// What the command renders. With `--query` it is JSON, which the query then reads (and `--output
    /// text` prints the result as the AWS CLI's text output).
    func outputFormat(stdoutIsTerminal: Bool, configured: OutputFormat? = nil) -> OutputFormat {
        if query != nil { return .json }
        return output ?? configured ?? (stdoutIsTerminal ? .table : .json)
    }

    /// The compiled `--query`, nil without one (validated when the options are parsed).
    var compiledQuery: JMESPathExpression? {
        query.flatMap { try? JMESPathExpression(compiling: $0) }
    }

    /// Colour only on a terminal, without `--no-color` and without a non-empty `NO_COLOR`.
    func usesColor(isTerminal: Bool, environment: [String: String]) -> Bool {
        if noColor { return false }
        if let value = environment["NO_COLOR"], !value.isEmpty { return false }
        if environment["TERM"] == "dumb" { return false }
        return isTerminal
    }

    /// The client's deadlines: AWSCore's defaults with `--cli-read-timeout` and `--cli-connect-timeout`
    /// applied (0 removes a limit, as in the AWS CLI). The call's total deadline leaves room for a longer
    /// read timeout, and there is none when reads may wait forever.
    public var timeouts: AWSClientTimeouts {
        var timeouts = AWSClientTimeouts.standard
        if let cliReadTimeout { timeouts.attempt = cliReadTimeout == 0 ? nil : cliReadTimeout }
        if let cliConnectTimeout { timeouts.connect = cliConnectTimeout == 0 ? nil : cliConnectTimeout }
        if let attempt = timeouts.attempt, let total = timeouts.total {
            timeouts.total = max(total, attempt + (timeouts.connect ?? 0))
        } else {
            timeouts.total = nil
        }
        return timeouts
    }

    public mutating func validate() throws {
        if demo, let endpointURL {
            // One would silently win over the other: the data shown would not be what was asked for.
            throw ValidationError("--demo and --endpoint-url cannot be combined: --demo runs Local App Runner in process; to use \(endpointURL), leave out --demo")
        }
        if let query {
            do {
                _ = try JMESPathExpression(compiling: query)
            } catch let error as JMESPathError {
                throw ValidationError("--query: \(error.message) (at position \(error.offset) of '\(query)')")
            }
            if output == .table {
                throw ValidationError("--query works with --output json or text; --output table cannot show an arbitrary query result")
            }
        }
        for (name, value) in [("--cli-read-timeout", cliReadTimeout), ("--cli-connect-timeout", cliConnectTimeout)] {
            if let value, !(value.isFinite && value >= 0 && value <= 86_400) {
                throw ValidationError("\(name) must be a number of seconds from 0 (no timeout) to 86400")
            }
        }
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
