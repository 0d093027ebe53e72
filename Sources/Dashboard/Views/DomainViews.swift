import AppRunner
import FoundationEssentials
import RunnerDeckKit

/// The Domains view: each custom domain with its records, the DNS check's verdict beside each, and
/// one line on what to fix first.
extension DashboardRenderer {
    // MARK: Custom domains

    /// Lines and the index of the selected domain's first line.
    func domainLines(state: DashboardState, ui: UIState, width: Int) -> ([Line], Int?) {
        guard let arn = ui.openServiceArn else {
            return ([[Span("No service open: select one in Services (1) and press Enter, then 3.", Style(.muted))]], nil)
        }
        guard let detail = state.detail, detail.serviceArn == arn, detail.loaded else {
            return ([[Span("Loading custom domains…", Style(.muted))]], nil)
        }
        var lines: [Line] = []
        lines += field("DNS target", detail.dnsTarget, width: width, indent: 0, labelWidth: 12, style: Style(.normal, bold: true))
        for target in detail.vpcDNSTargets {
            lines += field("VPC target", "\(target.domainName ?? "?") (VPC \(target.vpcId ?? "?"))", width: width, indent: 0, labelWidth: 12)
        }
        for part in "Point each domain at the DNS target with a CNAME (or ALIAS at the apex), and add every validation record below.".wrapped(toWidth: max(20, width - 1)) {
            lines.append([Span(part, Style(.muted))])
        }
        if detail.domains.isEmpty {
            lines.append([])
            lines.append([Span("No custom domains. Press a to associate one.", Style(.muted))])
            return (lines, nil)
        }
        var anchor: Int?
        let selected = min(max(0, ui.domainSelection), detail.domains.count - 1)
        for (i, domain) in detail.domains.enumerated() {
            lines.append([])
            if i == selected { anchor = lines.count }
            let (statusText, statusStyle) = Self.domainStatus(domain.status)
            var head: Line = [
                Span(i == selected ? glyphs.pointer + " " : "  ", Style(.normal, bold: true)),
                Span(domain.domainName, Style(.normal, bold: true, reverse: i == selected)),
                Span("  "), Span(statusText, statusStyle),
                Span("  www: \(domain.enableWWWSubdomain ? "yes" : "no")", Style(.muted)),
            ]
            if domain.status == .pendingCertificateDnsValidation { head.append(Span("  (add the records below)", Style(.warn))) }
            lines.append(head)
            let check = detail.domainChecks[domain.domainName]
            func verdict(_ name: String?, _ role: RequiredRecord.Role) -> RecordVerdict? {
                check?.checks.first { $0.record.role == role && $0.record.name == name }?.verdict
            }
            for target in RequiredRecord.records(for: domain, dnsTarget: detail.dnsTarget ?? "").filter({ $0.role == .target }) {
                let found = verdict(target.name, .target)
                lines += withVerdict(verdictSpans(found) + [Span("target  ", Style(.muted)), Span("CNAME ", Style(.normal, bold: true)),
                                                           Span(target.name), Span(glyphs == .ascii ? " -> DNS target" : " → DNS target", Style(.muted))],
                                     found, width: width)
            }
            let records = domain.certificateValidationRecords ?? []
            if records.isEmpty {
                lines.append([Span("    no validation records yet", Style(.muted))])
            }
            for (n, record) in records.enumerated() {
                let status = record.status?.rawValue ?? "?"
                let role: ColorRole = record.status == .success ? .ok : (record.status == .failed ? .error : .warn)
                let found = verdict(record.name, .validation)
                lines += withVerdict(verdictSpans(found) + [Span("record \(n + 1)  ", Style(.muted)), Span(record.type ?? "?", Style(.normal, bold: true)),
                                                           Span("  "), Span(status, Style(role))], found, width: width)
                lines += field("name", record.name, width: width, indent: 6, labelWidth: 5)
                lines += field("value", record.value, width: width, indent: 6, labelWidth: 5)
            }
            if let check {
                let role = check.checks.first { !$0.verdict.isCorrect }?.verdict.role ?? .ok
                for part in check.advice.wrapped(toWidth: max(20, width - 3)).prefix(6) {
                    lines.append([Span("  "), Span(part, Style(role, bold: true))])
                }
            } else {
                lines.append([Span(detail.domainsChecking ? "  checking the records in DNS" + glyphs.ellipsis : "  not checked in DNS yet (v checks)", Style(.muted))])
            }
        }
        return (lines, anchor)
    }

    /// The mark before a record: ✓ / ✗ / ! (ASCII ok / x / !), blank before the first check.
    func verdictSpans(_ verdict: RecordVerdict?) -> Line {
        guard let verdict else { return [Span("     ")] }
        return [Span("  "), Span(verdict.glyph(unicode: glyphs != .ascii).padded(toWidth: 2), Style(verdict.role, bold: true)), Span(" ")]
    }

    /// `line` with the verdict in words after it (`missing (NXDOMAIN)`) when it is not simply correct:
    /// on the same line when it fits, else on the next, cut with an ellipsis.
    func withVerdict(_ line: Line, _ verdict: RecordVerdict?, width: Int) -> [Line] {
        guard let verdict, !verdict.isCorrect else { return [line] }
        let used = line.map(\.text.displayWidth).reduce(0, +)
        if used + 2 + verdict.text.displayWidth <= width { return [line + [Span("  " + verdict.text, Style(verdict.role))]] }
        return [line, [Span("      "), Span(verdict.text.truncated(toWidth: max(10, width - 7), ellipsis: glyphs.ellipsis), Style(verdict.role))]]
    }

    static func domainStatus(_ status: CustomDomainAssociationStatus) -> (String, Style) {
        let text = status.rawValue.uppercased()
        switch status {
        case .active: return (text, Style(.ok))
        case .createFailed, .deleteFailed: return (text, Style(.error, bold: true))
        case .pendingCertificateDnsValidation, .creating, .bindingCertificate: return (text, Style(.warn))
        case .deleting: return (text, Style(.muted))
        case .unknown: return (text, .plain)
        }
    }
}
