import AWSCore
import AppRunner
import ArgumentParser
import DNSClient
import FoundationEssentials
import RunnerDeckKit

/// `runnerdeck domains SERVICE [--check | --export FORMAT] [--domain D]`
struct DomainsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "domains",
        abstract: "List a service's custom domains with every certificate validation record; check them in DNS or export them.",
        discussion: """
            One line per validation record (a domain without records yet gets one line), values never cut. \
            JSON is DescribeCustomDomains' response with all pages merged.

            --check asks the DNS about every record a domain needs (the domain, and www. when enabled, as a \
            CNAME to the DNS target or a VPC DNS target; each validation CNAME) and prints a verdict per record: \
            correct, missing (NXDOMAIN or NODATA), wrong (with what it points to), or shadowed by a CNAME at a \
            name above it; then what to fix first. It exits 1 while any record is not correct. The resolvers \
            are those of /etc/resolv.conf unless --nameserver names one (e.g. the zone's authoritative server).

            --export writes the records ready to paste: zone (BIND zone-file lines), route53 (a \
            ChangeResourceRecordSets change batch of UPSERTs), terraform (aws_route53_record blocks with a \
            zone_id variable) or json. Names and values are exactly as App Runner gave them (a zone file adds \
            the trailing dot where one is missing). At a zone apex, use an ALIAS record instead of the CNAME.

            Examples:
              runnerdeck domains web-api
              runnerdeck domains web-api --output text | cut -f4-6  # name, type, value
              runnerdeck domains web-api --check --nameserver 205.251.192.10
              runnerdeck domains web-api --export route53 --domain shop.example.com \\
                  > batch.json
              aws route53 change-resource-record-sets --hosted-zone-id Z123 \\
                  --change-batch file://batch.json
            """,
        aliases: ["describe-custom-domains"]
    )

    @OptionGroup var globals: GlobalOptions
    @Argument(help: "The service's name or ARN.") var service: String
    @Flag(help: "Check every record in DNS; exit 1 while any is missing, wrong or shadowed.") var check = false
    @Option(help: ArgumentHelp("Print the records as zone, route53, terraform or json.", valueName: "format")) var export: String?
    @Option(help: ArgumentHelp("Only this custom domain.", valueName: "domain")) var domain: String?
    @Option(help: ArgumentHelp("With --check: ask this DNS server instead of resolv.conf's.", valueName: "host[:port]"))
    var nameserver: String?

    func validate() throws {
        if let export, DomainExportFormat(rawValue: export) == nil {
            throw ValidationError("--export must be one of zone, route53, terraform, json")
        }
        if check && export != nil { throw ValidationError("--check and --export go alone") }
        if nameserver != nil && !check { throw ValidationError("--nameserver goes with --check") }
        if let nameserver {
            do { _ = try DNSServer(parsing: nameserver) } catch { throw ValidationError("--nameserver: \(error)") }
        }
    }

    func run() async throws {
        let context = CommandContext(globals: globals)
        let api = try await context.makeAPI()
        let arn = try await ServiceResolver(api: api).resolveArn(service)
        var response = try await Self.describeAll(api: api, arn: arn)
        if let domain {
            let wanted = domain.lowercased().trimming(charactersIn: ".")
            response.customDomains = response.customDomains.filter { $0.domainName.lowercased() == wanted }
            guard !response.customDomains.isEmpty else {
                throw CLIError(.notFound, "No custom domain \(domain) found for \(service)")
            }
        }
        if let export, let format = DomainExportFormat(rawValue: export) {
            let records = response.customDomains.flatMap {
                RequiredRecord.records(for: $0, dnsTarget: response.dnsTarget, vpcDNSTargets: response.vpcDNSTargets)
            }
            context.write(try DomainExport.render(records, as: format))
        } else if check {
            let resolver = try nameserver.map { DNSResolver(servers: [try DNSServer(parsing: $0)]) } ?? DNSResolver.system()
            let checker = DomainChecker(resolver: resolver)
            var results: [DomainCheck] = []
            for domain in response.customDomains {
                results.append(await checker.check(domain, dnsTarget: response.dnsTarget, vpcDNSTargets: response.vpcDNSTargets))
            }
            try DomainCheckOutput(response: response, results: results).write(to: context)
            if !results.allSatisfy(\.allCorrect) { throw ExitCode(ExitStatus.failure) }
        } else {
            try Self.list(response, context: context)
        }
    }

    static func describeAll(api: any AppRunnerAPI, arn: String) async throws -> DescribeCustomDomainsResponse {
        var merged: DescribeCustomDomainsResponse?
        for try await page in api.describeCustomDomainsPaginator(DescribeCustomDomainsRequest(serviceArn: arn)) {
            if var current = merged {
                current.customDomains += page.customDomains
                current.vpcDNSTargets += page.vpcDNSTargets.filter { !current.vpcDNSTargets.contains($0) }
                merged = current
            } else {
                merged = page
            }
        }
        guard var response = merged else {
            throw CLIError(.failure, "DescribeCustomDomains returned no page for \(arn)")
        }
        response.nextToken = nil
        return response
    }

    static func list(_ response: DescribeCustomDomainsResponse, context: CommandContext) throws {
        switch context.format {
        case .json:
            try context.writeJSON(response)
        case .table, .text:
            var rows: [[TableCell]] = []
            for domain in response.customDomains {
                let status = domain.status.wireValue
                let head = [
                    TableCell(domain.domainName),
                    TableCell(status, color: StatusColor.domain(status)),
                    TableCell(domain.enableWWWSubdomain ? "yes" : "no"),
                ]
                let records = domain.certificateValidationRecords ?? []
                if records.isEmpty {
                    rows.append(head + ["", "", "", ""])
                }
                for record in records {
                    let recordStatus = record.status?.wireValue ?? ""
                    rows.append(head + [
                        TableCell(record.name ?? ""), TableCell(record.type ?? ""), TableCell(record.value ?? ""),
                        TableCell(recordStatus, color: StatusColor.domain(recordStatus)),
                    ])
                }
            }
            let listing = Listing(headers: ["Domain", "Status", "WWW", "Record name", "Type", "Value", "Record status"], rows: rows)
            if context.format == .table {
                context.write("DNS target: \(sanitizeForTerminal(response.dnsTarget))\n")
                for target in response.vpcDNSTargets {
                    context.write("VPC DNS target: \(sanitizeForTerminal(target.domainName ?? "")) (VPC \(sanitizeForTerminal(target.vpcId ?? "")))\n")
                }
                if rows.isEmpty {
                    context.write("No custom domains.\n")
                } else {
                    context.write("\n" + listing.table(color: context.color))
                }
            } else {
                context.write(listing.text())
            }
        }
    }
}

/// What `domains --check` prints: a verdict per record (table or text), or JSON.
struct DomainCheckOutput {
    struct Row: Encodable {
        var Role: String
        var Name: String
        var `Type`: String
        var Value: String
        var Verdict: String
        var Detail: String
    }
    struct Domain: Encodable {
        var DomainName: String
        var Status: String
        var Records: [Row]
        var Advice: String
    }
    struct Document: Encodable {
        var DNSTarget: String
        var Domains: [Domain]
        var AllCorrect: Bool
    }

    var response: DescribeCustomDomainsResponse
    var results: [DomainCheck]

    func write(to context: CommandContext) throws {
        let statuses = Dictionary(response.customDomains.map { ($0.domainName, $0.status.wireValue) }, uniquingKeysWith: { a, _ in a })
        if context.format == .json {
            try context.writeJSON(Document(DNSTarget: response.dnsTarget, Domains: results.map { result in
                Domain(DomainName: result.domainName, Status: statuses[result.domainName] ?? "", Records: result.checks.map {
                    Row(Role: $0.record.role.rawValue, Name: $0.record.name, Type: $0.record.type, Value: $0.record.value,
                        Verdict: $0.verdict.word, Detail: $0.verdict.text)
                }, Advice: result.advice)
            }, AllCorrect: results.allSatisfy(\.allCorrect)))
            return
        }
        let unicode = context.format == .table && Self.localeIsUTF8(context.environment.variables)
        var rows: [[TableCell]] = []
        for result in results {
            for check in result.checks {
                let color = ANSIColor(check.verdict.role)
                rows.append([
                    TableCell(result.domainName), TableCell(check.verdict.glyph(unicode: unicode), color: color),
                    TableCell(check.record.role.rawValue), TableCell(check.record.name), TableCell(check.record.type),
                    TableCell(check.record.value), TableCell(context.format == .text ? check.verdict.word : check.verdict.text, color: color),
                ])
            }
        }
        let listing = Listing(headers: ["Domain", "", "Record", "Name", "Type", "Value", "Verdict"], rows: rows)
        guard context.format == .table else { return context.write(listing.text()) }
        if rows.isEmpty { return context.write("No custom domains.\n") }
        context.write(listing.table(color: context.color))
        for result in results {
            context.write("\n\(sanitizeForTerminal(result.domainName)) (\(statuses[result.domainName] ?? "")): \(sanitizeForTerminal(result.advice))")
        }
        context.write("\n")
    }

    static func localeIsUTF8(_ variables: [String: String]) -> Bool {
        let value = [variables["LC_ALL"], variables["LC_CTYPE"], variables["LANG"]].compactMap { $0 }.first { !$0.isEmpty } ?? ""
        return value.lowercased().replacingEvery("-", with: "").contains("utf8")
    }
}
