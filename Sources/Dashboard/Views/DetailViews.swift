import AWSCore
import AppRunner
import FoundationEssentials
import RunnerDeckKit

extension DashboardRenderer {
    // MARK: Service detail

    /// Columns from which the detail view puts the configuration beside what is happening.
    static let detailTwoColumnWidth = 160

    /// The open service, for watching: what it is doing first (its status, the operation in progress,
    /// the timeline), then its configuration, below on narrow terminals and beside on wide ones.
    func detailLines(state: DashboardState, ui: UIState, now: Date, width: Int) -> [Line] {
        guard let arn = ui.openServiceArn else {
            return [[Span("No service open: select one in Services (1) and press Enter.", Style(.muted))]]
        }
        guard let detail = state.detail, detail.serviceArn == arn, let service = detail.service else {
            let name = state.services.first { $0.arn == arn }?.name ?? arn
            return [[Span("Loading \(name)…", Style(.muted))]]
        }
        guard width >= Self.detailTwoColumnWidth else {
            return watchLines(service, detail, now: now, width: width) + [[]] + configurationLines(service, detail, now: now, width: width)
        }
        let left = (width - 3) * 3 / 5
        return sideBySide(watchLines(service, detail, now: now, width: left), configurationLines(service, detail, now: now, width: width - 3 - left),
                          leftWidth: left)
    }

    /// What the service is doing: name and status, the operation in progress, the timeline.
    func watchLines(_ service: Service, _ detail: ServiceDetailState, now: Date, width: Int) -> [Line] {
        var lines: [Line] = []
        let (statusText, role) = Self.status(service.status)
        var head: Line = [Span(service.serviceName, Style(.normal, bold: true)), Span("  "), Span(statusText, Style(role, bold: true))]
        if let running = detail.operations.first(where: { !$0.isFinal }) {
            let (opText, opStyle) = Self.operationStatus(running.status)
            let age = running.startedAt.map { " " + Format.duration(now.timeIntervalSince($0)) } ?? ""
            head += [Span("  "), Span("\(Self.shortType(running.type)) \(opText)\(age)", opStyle)]
        }
        lines.append(head)
        lines += field("URL", service.serviceUrl.map { "https://\($0)" }, width: width)
        lines += deploymentLogLines(detail, now: now, width: width)
        lines.append(section("Operations (newest first)", width: width))
        lines += timelineLines(detail.operations, now: now, width: width)
        lines += metricsLines(detail, width: width)
        return lines
    }

    /// Lines of the newest operation's deployment log the detail view shows (the newest ones).
    static let deploymentLogShown = 6

    /// The newest operation's deployment log: its newest lines, one row each, cut at the width.
    func deploymentLogLines(_ detail: ServiceDetailState, now: Date, width: Int) -> [Line] {
        let log = detail.deploymentLog
        guard let operationId = log.operationId else { return [] }
        let operation = detail.operations.first { $0.id == operationId }
        let title = "Deployment log" + (operation.map { " (\(Self.shortType($0.type).lowercased()) \(operationId.prefix(8)))" } ?? "")
        var lines: [Line] = [section(title, width: width)]
        if log.lines.isEmpty {
            lines.append([Span("  " + (log.unavailable.map { "not available: \($0)" } ?? "no lines yet"), Style(.muted))])
            return lines
        }
        for line in log.lines.suffix(Self.deploymentLogShown) {
            let text = ErrorText.oneLine(sanitizeForTerminal(line.message))
            let failing = text.contains("failed") || text.contains("Rollback") || text.contains("Rolling back")
            lines.append([Span("  " + Format.clock(line.time) + " ", Style(.muted)),
                          Span(text.truncated(toWidth: max(10, width - 12), ellipsis: glyphs.ellipsis), failing ? Style(.error) : .plain)])
        }
        if let unavailable = log.unavailable {
            lines.append([Span("  (newer lines could not be read: \(unavailable))", Style(.muted))])
        }
        return lines
    }

    /// What the service is: identity, source, instance, health check, scaling, network, tracing, tags.
    func configurationLines(_ service: Service, _ detail: ServiceDetailState, now: Date, width: Int) -> [Line] {
        var lines: [Line] = []
        lines.append(section("Service", width: width))
        lines += field("ARN", service.serviceArn, width: width)
        lines += field("Created", Format.timestamp(service.createdAt) + " UTC (\(Format.age(now.timeIntervalSince(service.createdAt))) ago)", width: width)
        lines += field("Updated", Format.timestamp(service.updatedAt) + " UTC (\(Format.age(now.timeIntervalSince(service.updatedAt))) ago)", width: width)

        lines.append(section("Source", width: width))
        let source = service.sourceConfiguration
        if let image = source.imageRepository {
            lines += field("Image", image.imageIdentifier, width: width)
            lines += field("Repository type", image.imageRepositoryType.rawValue, width: width)
            lines += field("Port", image.imageConfiguration?.port ?? "8080 (default)", width: width)
            lines += field("Start command", image.imageConfiguration?.startCommand, width: width)
            lines += field("Environment (names)", Self.names(image.imageConfiguration?.runtimeEnvironmentVariables), width: width)
            lines += field("Secrets (names)", Self.names(image.imageConfiguration?.runtimeEnvironmentSecrets), width: width)
        } else if let code = source.codeRepository {
            lines += field("Repository", code.repositoryUrl, width: width)
            lines += field("Branch", "\(code.sourceCodeVersion.value) (\(code.sourceCodeVersion.type.rawValue))", width: width)
            lines += field("Directory", code.sourceDirectory ?? "/", width: width)
            if let config = code.codeConfiguration {
                lines += field("Configuration", config.configurationSource == .repository ? "apprunner.yaml in the repository" : "API", width: width)
                if let values = config.codeConfigurationValues {
                    lines += field("Runtime", values.runtime.rawValue, width: width)
                    lines += field("Build command", values.buildCommand, width: width)
                    lines += field("Start command", values.startCommand, width: width)
                    lines += field("Port", values.port ?? "8080 (default)", width: width)
                    lines += field("Environment (names)", Self.names(values.runtimeEnvironmentVariables), width: width)
                    lines += field("Secrets (names)", Self.names(values.runtimeEnvironmentSecrets), width: width)
                }
            }
        }
        lines += field("Auto deployments", source.autoDeploymentsEnabled.map { $0 ? "on" : "off" }, width: width)

        lines.append(section("Instance", width: width))
        lines += field("CPU / memory", "\(Format.cpu(service.instanceConfiguration.cpu)) / \(Format.memory(service.instanceConfiguration.memory))", width: width)
        lines += field("Instance role", service.instanceConfiguration.instanceRoleArn, width: width)
        if let kms = service.encryptionConfiguration?.kmsKey { lines += field("KMS key", kms, width: width) }

        lines.append(section("Health check", width: width))
        if let hc = service.healthCheckConfiguration {
            let proto = hc.protocol?.rawValue ?? "TCP"
            lines += field("Check", proto == "HTTP" ? "HTTP \(hc.path ?? "/")" : proto, width: width)
            lines += field("Interval / timeout", "\(hc.interval ?? 5)s / \(hc.timeout ?? 2)s", width: width)
            lines += field("Thresholds", "healthy \(hc.healthyThreshold ?? 1), unhealthy \(hc.unhealthyThreshold ?? 5)", width: width)
        } else {
            lines += field("Check", "default (TCP)", width: width)
        }

        lines.append(section("Auto scaling", width: width))
        let asc = service.autoScalingConfigurationSummary
        lines += field("Configuration", "\(asc.autoScalingConfigurationName ?? "?") revision \(asc.autoScalingConfigurationRevision.map(String.init) ?? "?")\(asc.isDefault == true ? " (default)" : "")", width: width)
        lines += field("ARN", asc.autoScalingConfigurationArn, width: width)

        lines.append(section("Network", width: width))
        let egress = service.networkConfiguration.egressConfiguration
        lines += field("Egress", egress?.egressType?.rawValue ?? "DEFAULT", width: width)
        if let connector = egress?.vpcConnectorArn { lines += field("VPC connector", connector, width: width) }
        lines += field("Ingress", (service.networkConfiguration.ingressConfiguration?.isPubliclyAccessible ?? true) ? "public" : "private (VPC ingress)", width: width)
        if let ip = service.networkConfiguration.ipAddressType { lines += field("IP address type", ip.rawValue, width: width) }

        lines.append(section("Observability", width: width))
        if let obs = service.observabilityConfiguration {
            lines += field("Tracing", obs.observabilityEnabled ? "on" : "off", width: width)
            if let arn = obs.observabilityConfigurationArn { lines += field("Configuration", arn, width: width) }
        } else {
            lines += field("Tracing", "off", width: width)
        }

        lines.append(section("Tags", width: width))
        if detail.tags.isEmpty {
            lines.append([Span("  (none)", Style(.muted))])
        } else {
            for tag in detail.tags.sorted(by: { ($0.key ?? "") < ($1.key ?? "") }) {
                lines += field(tag.key ?? "?", tag.value ?? "", width: width)
            }
        }

        return lines
    }

    /// Two columns of lines on the same rows, `left` cut or padded to `leftWidth`, a rule between.
    func sideBySide(_ left: [Line], _ right: [Line], leftWidth: Int) -> [Line] {
        (0..<max(left.count, right.count)).map { row in
            var line: Line = []
            var used = 0
            if row < left.count {
                for span in left[row] where used < leftWidth {
                    let text = span.text.displayWidth <= leftWidth - used ? span.text : span.text.truncated(toWidth: leftWidth - used, ellipsis: glyphs.ellipsis)
                    line.append(Span(text, span.style))
                    used += text.displayWidth
                }
            }
            line.append(Span(String(repeating: " ", count: max(0, leftWidth - used)) + " " + glyphs.vline + " ", Style(.muted)))
            if row < right.count { line += right[row] }
            return line
        }
    }

    static func names(_ variables: AWSMap<String>?) -> String { Format.names(variables) ?? "(none)" }

    /// The operation timeline: one row per operation with a bar placing it in time.
    func timelineLines(_ operations: [OperationSummary], now: Date, width: Int) -> [Line] {
        guard !operations.isEmpty else { return [[Span("  (no operations)", Style(.muted))]] }
        let typeW = 7, statusW = 20, startW = 14, endW = 8, durW = 8
        let barW = max(6, width - 2 - typeW - statusW - startW - endW - durW - 6)
        let shown = Array(operations.prefix(50))
        let starts = shown.compactMap(\.startedAt)
        let t0 = starts.min() ?? now
        let span = max(1, now.timeIntervalSince(t0))
        var lines: [Line] = []
        let header = "  " + "TYPE".padded(toWidth: typeW) + " " + "STATUS".padded(toWidth: statusW) + " " + "STARTED".padded(toWidth: startW) + " "
            + "ENDED".padded(toWidth: endW) + " " + "DURATION".padded(toWidth: durW) + " " + "TIME \(glyphs.pointer) now".padded(toWidth: barW)
        lines.append([Span(header, Style(.normal, bold: true, underline: true))])
        for op in shown {
            let (statusText, statusStyle) = Self.operationStatus(op.status)
            let running = !op.isFinal
            let end = op.endedAt ?? (running ? now : (op.updatedAt ?? now))
            let duration = op.startedAt.map { Format.duration(end.timeIntervalSince($0)) } ?? "-"
            let started = op.startedAt.map { String(Format.timestamp($0).dropFirst(5)) } ?? "-"
            let ended = running ? "running" : (op.endedAt.map { Format.clock($0) } ?? "-")
            var bar = Array(repeating: glyphs.barEmpty, count: barW)
            if let s = op.startedAt {
                let a = Int((s.timeIntervalSince(t0) / span * Double(barW - 1)).rounded(.down))
                let b = Int((end.timeIntervalSince(t0) / span * Double(barW - 1)).rounded(.down))
                let lo = min(max(0, a), barW - 1), hi = min(max(lo, b), barW - 1)
                for i in lo...hi { bar[i] = glyphs.barFull }
                if running {
                    // The running operation's bar reaches "now" and its head blinks with the clock.
                    bar[hi] = Int(now.timeIntervalSince1970) % 2 == 0 ? glyphs.pointer : glyphs.barFull
                }
            }
            let rollback = op.status?.isRollback == true
            let barStyle = rollback ? Style(.accent, bold: true) : (running ? Style(.warn, bold: true) : statusStyle)
            var line: Line = [
                Span(rollback ? "! " : "  ", Style(.accent, bold: true)),
                Span(Self.shortType(op.type).padded(toWidth: typeW) + " ", rollback ? Style(.accent, bold: true) : .plain),
                Span(statusText.padded(toWidth: statusW) + " ", statusStyle),
                Span(started.padded(toWidth: startW) + " " + ended.padded(toWidth: endW) + " " + duration.padded(toWidth: durW) + " ", .plain),
            ]
            line.append(Span(bar.joined(), barStyle))
            lines.append(line)
        }
        if operations.count > shown.count {
            lines.append([Span("  … \(operations.count - shown.count) older operations not shown", Style(.muted))])
        }
        if operations.contains(where: { $0.status?.isRollback == true }) {
            lines.append([Span("  ! = rolled back: the deployment failed and the previous version was restored", Style(.accent))])
        }
        return lines
    }

    // MARK: Resources

    func resourceLines(state: DashboardState, now: Date, width: Int) -> [Line] {
        let r = state.resources
        guard r.loaded else { return [[Span(state.lastError == nil ? "Loading resources…" : "Could not load resources; retrying.", Style(.muted))]] }
        var lines: [Line] = []
        func table(_ headers: [(String, Int)], _ rows: [[(String, Style)]]) {
            var head = "  "
            for (title, w) in headers { head += title.padded(toWidth: w) + " " }
            lines.append([Span(head, Style(.normal, bold: true, underline: true))])
            if rows.isEmpty { lines.append([Span("  (none)", Style(.muted))]); return }
            // The last column is never cut: it wraps onto continuation lines under itself.
            let lastStart = 2 + headers.dropLast().reduce(0) { $0 + $1.1 + 1 }
            let lastWidth = max(10, width - lastStart)
            for row in rows {
                var line: Line = [Span("  ")]
                var continuation: [String] = []
                for (i, (text, style)) in row.enumerated() {
                    let w = headers[i].1
                    if i == row.count - 1 {
                        let parts = text.wrapped(toWidth: lastWidth)
                        line.append(Span(parts.first ?? "", style))
                        continuation = Array(parts.dropFirst())
                    } else {
                        line.append(Span(text.padded(toWidth: w, ellipsis: glyphs.ellipsis) + " ", style))
                    }
                }
                lines.append(line)
                for part in continuation {
                    lines.append([Span(String(repeating: " ", count: lastStart) + part, row.last?.1 ?? .plain)])
                }
            }
        }
        lines.append(section("Auto scaling configurations", width: width))
        table([("NAME", 22), ("REV", 4), ("LATEST", 6), ("DEFAULT", 7), ("STATUS", 9), ("USED BY", 20)], r.autoScaling.map { c in
            let used = c.autoScalingConfigurationArn.flatMap { r.autoScalingUsedBy[$0] } ?? []
            return [(c.autoScalingConfigurationName ?? "?", Style(.normal, bold: true)),
                    (c.autoScalingConfigurationRevision.map(String.init) ?? "?", .plain),
                    ("-", .plain),
                    (c.isDefault == true ? "yes" : "no", c.isDefault == true ? Style(.info) : .plain),
                    (c.status?.rawValue.lowercased() ?? "?", c.status?.rawValue.lowercased() == "active" ? Style(.ok) : Style(.muted)),
                    (used.isEmpty ? (c.hasAssociatedService == true ? "yes" : "-") : used.joined(separator: ", "), .plain)]
        }.enumerated().map { index, row in
            // Latest = highest active revision of its name.
            var row = row
            let config = r.autoScaling[index]
            let sameName = r.autoScaling.filter { $0.autoScalingConfigurationName == config.autoScalingConfigurationName && $0.status?.rawValue.lowercased() == "active" }
            let latest = sameName.map { $0.autoScalingConfigurationRevision ?? 0 }.max() == config.autoScalingConfigurationRevision && config.status?.rawValue.lowercased() == "active"
            row[2] = (latest ? "Latest" : "", latest ? Style(.ok) : .plain)
            return row
        })
        lines.append([])
        lines.append(section("Connections", width: width))
        table([("NAME", 24), ("PROVIDER", 10), ("STATUS", 18), ("CREATED", 20)], r.connections.map { c in
            [(c.connectionName ?? "?", Style(.normal, bold: true)), (c.providerType?.rawValue ?? "?", .plain),
             (c.status?.rawValue ?? "?", c.status == .available ? Style(.ok) : Style(.warn)),
             (c.createdAt.map { Format.timestamp($0) } ?? "-", Style(.muted))]
        })
        lines.append([])
        lines.append(section("VPC connectors", width: width))
        table([("NAME", 24), ("REV", 4), ("STATUS", 9), ("SUBNETS / SECURITY GROUPS", 30)], r.vpcConnectors.map { c in
            [(c.vpcConnectorName ?? "?", Style(.normal, bold: true)), (c.vpcConnectorRevision.map(String.init) ?? "?", .plain),
             (c.status?.rawValue ?? "?", c.status?.rawValue == "ACTIVE" ? Style(.ok) : Style(.muted)),
             ((c.subnets ?? []).joined(separator: ",") + " / " + (c.securityGroups ?? []).joined(separator: ","), .plain)]
        })
        lines.append([])
        lines.append(section("VPC ingress connections", width: width))
        table([("NAME", 24), ("SERVICE", 30)], r.vpcIngressConnections.map { c in
            let name = c.vpcIngressConnectionArn.map(ResourceARN.name) ?? "?"
            let service = c.serviceArn.map { arn in state.services.first { $0.arn == arn }?.name ?? ResourceARN.name(arn) } ?? "?"
            return [(name, Style(.normal, bold: true)), (service, .plain)]
        })
        lines.append([])
        lines.append(section("Observability configurations", width: width))
        table([("NAME", 24), ("REV", 4), ("ARN", 40)], r.observability.map { c in
            [(c.observabilityConfigurationName ?? "?", Style(.normal, bold: true)), (c.observabilityConfigurationRevision.map(String.init) ?? "?", .plain),
             (c.observabilityConfigurationArn ?? "?", Style(.muted))]
        })
        return lines
    }

    // MARK: Activity

    func activityLines(state: DashboardState, width: Int) -> [Line] {
        guard !state.activity.isEmpty else { return [[Span("Nothing happened yet. Changes seen while the dashboard runs appear here (newest first).", Style(.muted))]] }
        var lines: [Line] = []
        for entry in state.activity.reversed() {
            let (tag, style): (String, Style) = {
                switch entry.kind {
                case .info: return ("info", Style(.muted))
                case .change: return ("change", Style(.info))
                case .success: return ("ok", Style(.ok))
                case .failure: return ("FAILED", Style(.error, bold: true))
                case .error: return ("ERROR", Style(.error, bold: true))
                }
            }()
            let lead = Format.clock(entry.time) + " " + tag.padded(toWidth: 6) + " "
            let pieces = entry.message.wrapped(toWidth: max(10, width - lead.displayWidth))
            for (i, piece) in pieces.enumerated() {
                lines.append([Span(i == 0 ? lead : String(repeating: " ", count: lead.displayWidth), i == 0 ? style : .plain), Span(piece, entry.kind == .failure || entry.kind == .error ? style : .plain)])
            }
        }
        return lines
    }
}
