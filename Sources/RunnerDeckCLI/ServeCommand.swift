import AWSCore
import AppRunnerLocal
import ArgumentParser
import DNSClient
import FoundationEssentials
import Logging

/// `runnerdeck serve`: Local App Runner as an AWS endpoint for boto3, the AWS CLI and any SDK.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve Local App Runner as an AWS App Runner endpoint.",
        discussion: """
            Serves the AWS JSON 1.0 App Runner protocol (all 37 operations) from a simulated control plane \
            persisted in SQLite. When it is ready it prints one line, `listening on http://HOST:PORT`.

            One endpoint serves every region: a request is served in the region its signature is scoped to \
            (--region is the default, for unsigned requests and the demo fleet), each with resources of its \
            own. --accounts N serves N accounts (--account-id and the next ones), each known by its own \
            access key, derived from --access-key-id and --secret-access-key and printed after the \
            `listening on` line, one `account ID key KEY secret SECRET` line each. --throttle RPS answers \
            ThrottlingException beyond RPS requests per second per account, region and API (repeatable: \
            REGION=RPS, ACCOUNT=RPS or ACCOUNT/REGION=RPS for one target; the most specific rule applies).

            Examples:
              runnerdeck serve --port 8080 --state apprunner.sqlite
              aws apprunner list-services --region us-east-1 \\
                  --endpoint-url http://127.0.0.1:8080
              runnerdeck serve --port 8080 --accounts 2 --throttle 5 \\
                  --access-key-id AKIDLOCAL --secret-access-key s3cret
              runnerdeck serve --port 8080 --seed demo --operation-seconds 30
              runnerdeck serve --host 0.0.0.0 --port 8080 \\
                  --access-key-id AKIDLOCAL --secret-access-key s3cret
              runnerdeck serve --domain-validation dns --nameserver 127.0.0.1:5353

            Failure injection: tag a service `runnerdeck:fail-deployments=true` and its deployments fail and \
            roll back; create with the tag `runnerdeck:fail-create=true` and the create fails; \
            --failure-probability makes any deployment fail now and then.
            """
    )

    @Option(help: "Port to listen on (0 picks a free one).")
    var port: Int = 0

    @Option(help: "Address to bind. Anything but loopback requires --access-key-id and --secret-access-key.")
    var host: String = "127.0.0.1"

    @Option(help: "SQLite file that keeps every resource and operation (default: in memory).")
    var state: String?

    @Option(help: "Initial resources: demo (a fleet in every state) or none.")
    var seed: String = "none"

    @Option(help: "Seconds an operation (create, deploy, pause, resume, delete) takes.")
    var operationSeconds: Double = 5

    @Option(help: "Seconds a custom domain waits for DNS validation (default: twice --operation-seconds).")
    var domainSeconds: Double?

    @Option(help: ArgumentHelp("How a custom domain gets validated: time (after --domain-seconds) or dns (once its validation records resolve).", valueName: "time|dns"))
    var domainValidation: String = "time"

    @Option(help: ArgumentHelp("With --domain-validation dns: the DNS server to ask (default: those of /etc/resolv.conf).", valueName: "host[:port]"))
    var nameserver: String?

    @Option(help: "Probability (0–1) that a deployment fails and rolls back.")
    var failureProbability: Double = 0

    @Option(help: "Default region: that of unsigned requests and of the demo fleet (a signed request is served in the region of its scope).")
    var region: String = "us-east-1"

    @Option(help: "Account id in ARNs (the first account's, with --accounts).")
    var accountId: String = "123456789012"

    @Option(help: ArgumentHelp("Accounts served, each with its own access key (derived from --access-key-id and --secret-access-key; printed at start).", valueName: "n"))
    var accounts: Int = 1

    @Option(help: ArgumentHelp("Answer ThrottlingException beyond this many requests per second, per account, region and API; repeat with TARGET=RPS (TARGET a region, an account id or ACCOUNT/REGION) for one target.", valueName: "rps"))
    var throttle: [String] = []

    @Option(help: "Access key id every request must be signed with (the first account's, with --accounts).")
    var accessKeyId: String?

    @Option(help: "Secret access key every request must be signed with (the first account's, with --accounts).")
    var secretAccessKey: String?

    @Option(help: "Session token every request must carry (as temporary credentials do); without it, a request that carries a token is refused.")
    var sessionToken: String?

    @Option(help: ArgumentHelp("Inject faults into valid requests: RATE[:kinds], kinds among throttle, 500, 503, latency, reset, silent, truncate (e.g. 0.2:throttle,503,latency).", valueName: "rate[:kinds]"))
    var faults: String?

    @Option(help: "Seed of the fault decisions, so a run can be repeated.")
    var faultSeed: UInt64?

    @Option(help: ArgumentHelp("Append one line per request to this file: time, client, operation, HTTP status (or 'cut'), duration.", valueName: "file"))
    var accessLog: String?

    @Option(help: "Connections served at once; more wait to be accepted (default: below the descriptor limit, at most 1024).")
    var maxConnections: Int?

    @Option(help: "Seconds a connection has to send a request's head before it is closed.")
    var headerTimeout: Double = 10

    @Option(help: "Seconds a request has to send its body, once its head is in, before the connection is closed.")
    var bodyTimeout: Double = 30

    func validate() throws {
        guard domainValidation == "time" || domainValidation == "dns" else { throw ValidationError("--domain-validation must be time or dns") }
        if nameserver != nil && domainValidation != "dns" { throw ValidationError("--nameserver goes with --domain-validation dns") }
        if let nameserver {
            do { _ = try DNSServer(parsing: nameserver) } catch { throw ValidationError("--nameserver: \(error)") }
        }
        if let maxConnections, maxConnections < 1 { throw ValidationError("--max-connections must be at least 1") }
        for (name, value) in [("--header-timeout", headerTimeout), ("--body-timeout", bodyTimeout)] where !(value.isFinite && value > 0 && value <= 3600) {
            throw ValidationError("\(name) must be a number of seconds above 0 and at most 3600")
        }
        if let faults {
            do { _ = try FaultPlan(parsing: faults) } catch let error as FaultPlanError { throw ValidationError("--faults: \(error.message)") }
        }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard LocalServerConfiguration.Seed(rawValue: seed) != nil else { throw ValidationError("--seed must be demo or none") }
        guard operationSeconds >= 0 else { throw ValidationError("--operation-seconds must not be negative") }
        guard (0...1).contains(failureProbability) else { throw ValidationError("--failure-probability must be between 0 and 1") }
        guard (accessKeyId == nil) == (secretAccessKey == nil) else {
            throw ValidationError("--access-key-id and --secret-access-key go together")
        }
        for (name, value) in [("--access-key-id", accessKeyId), ("--secret-access-key", secretAccessKey), ("--session-token", sessionToken)] {
            if let value, value.trimmingWhitespace.isEmpty { throw ValidationError("\(name) must not be empty") }
        }
        guard sessionToken == nil || accessKeyId != nil else {
            throw ValidationError("--session-token needs --access-key-id and --secret-access-key")
        }
        guard accountId.count == 12, accountId.allSatisfy(\.isNumber) else { throw ValidationError("--account-id must be 12 digits") }
        guard accounts <= 1 || credentials != nil else {
            throw ValidationError("--accounts \(accounts) needs --access-key-id and --secret-access-key: each account is known by its own key, derived from them")
        }
        do { _ = try accountList() } catch let error as LocalAccountsError { throw ValidationError("--accounts: \(error.message)") }
        if !throttle.isEmpty {
            do { _ = try ThrottlePlan(parsing: throttle) } catch let error as ThrottlePlanError { throw ValidationError("--throttle: \(error.message)") }
        }
    }

    var credentials: AWSCredentials? {
        guard let accessKeyId, let secretAccessKey else { return nil }
        return AWSCredentials(accessKeyId: accessKeyId, secretAccessKey: secretAccessKey, sessionToken: sessionToken)
    }

    func accountList() throws -> LocalAccounts {
        try LocalAccounts(firstAccountId: accountId, credentials: credentials, count: accounts)
    }

    /// One line per account when there are several: `account ID key KEY secret SECRET [token TOKEN]`.
    static func accountLines(_ accounts: LocalAccounts) -> String {
        guard accounts.entries.count > 1 else { return "" }
        return accounts.entries.map { account in
            var line = "account \(account.accountId)"
            if let credentials = account.credentials {
                line += " key \(credentials.accessKeyId) secret \(credentials.secretAccessKey)"
                if let token = credentials.sessionToken { line += " token \(token)" }
            }
            return line + "\n"
        }.joined()
    }

    /// The resolver of `--domain-validation dns` (nil: validation after a fixed time).
    func validationResolver() throws -> DNSResolver? {
        guard domainValidation == "dns" else { return nil }
        return try nameserver.map { DNSResolver(servers: [try DNSServer(parsing: $0)]) } ?? DNSResolver.system()
    }

    func run() async throws {
        let credentials = self.credentials
        let accountLines = Self.accountLines(try accountList())
        let throttlePlan = throttle.isEmpty ? nil : try ThrottlePlan(parsing: throttle)
        let configuration = LocalServerConfiguration(
            host: host, port: port, statePath: state, seed: LocalServerConfiguration.Seed(rawValue: seed) ?? .none,
            options: LocalOptions(region: region, accountId: accountId, operationSeconds: operationSeconds,
                                  domainValidationSeconds: domainSeconds, failureProbability: failureProbability,
                                  domainValidationResolver: try validationResolver()),
            credentials: credentials, accounts: accounts, throttle: throttlePlan, faults: try faults.map { try FaultPlan(parsing: $0) }, faultSeed: faultSeed,
            accessLogPath: accessLog,
            limits: FrontDoorLimits(maxConnections: maxConnections ?? FrontDoorLimits.defaultMaxConnections(),
                                    headerSeconds: headerTimeout, bodySeconds: bodyTimeout))
        var logger = Logger(label: "runnerdeck.serve")
        logger.logLevel = .warning
        let signed = credentials != nil
        do {
            try await runLocalServer(configuration, logger: logger) { url in
                SystemIO.write("listening on \(url)\n\(accountLines)", toDescriptor: 1)
                if let faults {
                    SystemIO.write("injecting faults: \(faults)\n", toDescriptor: 2)
                }
                if let throttlePlan {
                    SystemIO.write("throttling beyond these requests per second (per account, region and API): \(throttlePlan)\n", toDescriptor: 2)
                }
                if !signed {
                    SystemIO.write("no credentials configured: accepting unsigned requests (loopback only)\n", toDescriptor: 2)
                }
            }
        } catch let error as LocalServerError {
            SystemIO.write("runnerdeck serve: \(error)\n", toDescriptor: 2)
            throw ExitCode(ExitStatus.usage)
        }
    }
}
