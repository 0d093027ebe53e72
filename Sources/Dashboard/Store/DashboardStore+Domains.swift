import AWSCore
import AppRunner
import FoundationEssentials
import RunnerDeckKit

/// The Domains view's DNS check and export. The check runs in a task of its own (the DNS client's
/// sockets are NIO's, never the UI thread's), so a slow resolver delays neither the refreshes nor the
/// screen; its verdicts land in ``ServiceDetailState/domainChecks``. It runs when the view first shows
/// a service's domains, on `v`, and by itself every minute while a domain waits for validation.
extension DashboardStore {
    static let domainRecheckInterval: TimeInterval = 60

    /// After a refresh of the Domains view: checks when this service's domains were never checked,
    /// or a minute after the last check while any domain is still pending.
    func checkDomainsIfDue(serviceArn: String) {
        guard let detail = state.detail, detail.serviceArn == serviceArn, detail.loaded, !detail.domains.isEmpty else { return }
        if let checked = detail.domainsCheckedAt {
            let pending = detail.domains.contains { $0.status == .pendingCertificateDnsValidation || $0.status == .creating }
            guard pending, clock.now().timeIntervalSince(checked) >= Self.domainRecheckInterval else { return }
        }
        startDomainCheck(serviceArn: serviceArn)
    }

    /// `v`: checks now (unless a check is already running).
    func checkDomains(serviceArn: String) {
        guard state.detail?.serviceArn == serviceArn, state.detail?.loaded == true else { return }
        startDomainCheck(serviceArn: serviceArn)
    }

    private func startDomainCheck(serviceArn: String) {
        guard domainCheckTask == nil, let detail = state.detail else { return }
        state.detail?.domainsChecking = true
        publish()
        let checker = domainChecker
        let generation = state.generation
        let (domains, target, vpc) = (detail.domains, detail.dnsTarget ?? "", detail.vpcDNSTargets)
        domainCheckTask = Task {
            var results: [String: DomainCheck] = [:]
            for domain in domains {
                results[domain.domainName] = await checker.check(domain, dnsTarget: target, vpcDNSTargets: vpc)
            }
            self.finishDomainCheck(serviceArn: serviceArn, generation: generation, results: results)
        }
    }

    private func finishDomainCheck(serviceArn: String, generation: Int, results: [String: DomainCheck]) {
        domainCheckTask = nil
        guard generation == state.generation, state.detail?.serviceArn == serviceArn else { return publish() }
        state.detail?.domainChecks = results
        state.detail?.domainsCheckedAt = clock.now()
        state.detail?.domainsChecking = false
        let failing = results.values.filter { !$0.allCorrect }.count
        note(.info, failing == 0 ? "DNS check: every record of \(results.count) domain(s) resolves as App Runner expects"
                                 : "DNS check: \(failing) of \(results.count) domain(s) have records to fix")
    }

    /// `e`: writes `domain`'s records as zone-file lines to `<exportDirectory>/<domain>.zone` and says where.
    func exportDomain(serviceArn: String, domain: String) {
        guard let detail = state.detail, detail.serviceArn == serviceArn,
              let custom = detail.domains.first(where: { $0.domainName == domain }) else { return }
        let records = RequiredRecord.records(for: custom, dnsTarget: detail.dnsTarget ?? "", vpcDNSTargets: detail.vpcDNSTargets)
        let file = domain.replacingEvery("*", with: "wildcard").replacingEvery("/", with: "_") + ".zone"
        let path = URL(fileURLWithPath: exportDirectory).appendingPathComponent(file).path
        do {
            try Data(try DomainExport.render(records, as: .zone).utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
            note(.info, "wrote \(records.count) records of \(domain) to \(path)", status: true)
        } catch {
            note(.error, "could not write \(path): \(ErrorText(error))", status: true)
        }
    }
}
