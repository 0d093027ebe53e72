import AWSCore
import AppRunner
import FoundationEssentials
import RunnerDeckKit

/// Turns keys into UI state changes and effects. Pure: no I/O, no curses, so it is tested directly.
struct DashboardController: Sendable {
    var ui: UIState
    let registry: KeyRegistry

    public init(ui: UIState, registry: KeyRegistry = .standard) {
        self.ui = ui
        self.registry = registry
    }

    /// Rows of the services table on a screen of `height` rows.
    public static func pageSize(height: Int) -> Int { max(1, Layout.contentHeight(height) - 1) }

    /// Keeps the selection on the same service across refreshes and clamps scroll positions.
    mutating func reconcile(state: DashboardState, height: Int) {
        let list = ServiceList.visible(state.services, filter: ui.filter, sort: ui.sort)
        if let arn = ui.selectedArn, let index = list.firstIndex(where: { $0.arn == arn }) {
            ui.selection = index
        }
        ui.selection = min(max(0, ui.selection), max(0, list.count - 1))
        ui.selectedArn = list.isEmpty ? nil : list[ui.selection].arn
        let page = Self.pageSize(height: height)
        if ui.selection < ui.top { ui.top = ui.selection }
        if ui.selection >= ui.top + page { ui.top = ui.selection - page + 1 }
        ui.top = max(0, min(ui.top, max(0, list.count - page)))
        if let count = state.detail?.domains.count { ui.domainSelection = min(max(0, ui.domainSelection), max(0, count - 1)) }
        reconcileLogs(state: state)
    }

    /// The ARNs of the rows on screen (the store describes these).
    func visibleArns(state: DashboardState, height: Int) -> [String] {
        guard ui.view == .services else { return [] }
        let list = ServiceList.visible(state.services, filter: ui.filter, sort: ui.sort)
        let page = Self.pageSize(height: height)
        guard ui.top < list.count else { return [] }
        return list[ui.top..<min(list.count, ui.top + page)].map(\.arn)
    }

    func focus(state: DashboardState, height: Int) -> StoreFocus {
        StoreFocus(view: ui.showHelp ? .services : ui.view, serviceArn: ui.openServiceArn, visibleServiceArns: visibleArns(state: state, height: height),
                   logs: ui.view == .logs && !ui.showHelp ? ui.logs.target : nil, logsFollow: ui.logs.follow)
    }

    /// The service an action applies to: the open one in detail/domains, the selected row otherwise.
    func target(state: DashboardState) -> (arn: String, name: String)? {
        if ui.view == .detail || ui.view == .domains, let arn = ui.openServiceArn {
            let name = state.detail?.service?.serviceName ?? state.services.first { $0.arn == arn }?.name ?? ResourceARN.name(arn)
            return (arn, name)
        }
        // The selection is kept by ARN (reconcile), so no filter-and-sort of every row is needed here:
        // the renderer asks for this on every frame to pick the footer's hints.
        if let arn = ui.selectedArn, let row = state.services.first(where: { $0.arn == arn }), row.matches(ui.filter) {
            return (row.arn, row.name)
        }
        let list = ServiceList.visible(state.services, filter: ui.filter, sort: ui.sort)
        guard ui.selection < list.count else { return nil }
        return (list[ui.selection].arn, list[ui.selection].name)
    }

    /// The state of the service an action would apply to.
    func targetStatus(state: DashboardState) -> ServiceStatus? {
        guard let arn = target(state: state)?.arn else { return nil }
        if state.detail?.serviceArn == arn, let status = state.detail?.service?.status { return status }
        return state.services.first { $0.arn == arn }?.status
    }

    /// Handles one key; returns what the loop should do. While the terminal is smaller than the
    /// dashboard needs, nothing on screen shows a prompt or a selection, so only `q` (quit) and Esc
    /// (cancel an open prompt) do anything.
    public mutating func handle(_ key: Key, state: DashboardState, height: Int, width: Int = Layout.minWidth, now: Date = Date()) -> [Effect] {
        if key == .resize { return [.redraw] }
        if Layout.tooSmall(width: width, height: height) {
            if key == .escape, ui.prompt != nil {
                ui.prompt = nil
                ui.message = "cancelled"
                return [.redraw]
            }
            if key == .char("q"), ui.prompt == nil { return [.quit] }
            return []
        }
        if let prompt = ui.prompt { return handlePrompt(prompt, key: key, state: state, now: now, height: height) }
        ui.message = nil
        if ui.showHelp {
            switch key {
            case .escape, .char("?"): ui.showHelp = false; return [.focusChanged]
            case .char("q"): return [.quit]
            case .down, .char("j"): ui.helpScroll += 1
            case .up, .char("k"): ui.helpScroll = max(0, ui.helpScroll - 1)
            default: break
            }
            return [.redraw]
        }
        guard let action = registry.action(for: key, in: ui.view) else { return [] }
        if ui.readOnly && registry.changes(action) {
            ui.message = "read-only: \(registry.binding(for: action)?.label ?? action.rawValue) is turned off"
            return [.redraw]
        }
        let page = Self.pageSize(height: height)
        let list = ServiceList.visible(state.services, filter: ui.filter, sort: ui.sort)
        switch action {
        case .up, .down, .pageUp, .pageDown, .top, .bottom:
            if ui.view == .logs { return moveLogs(action, state: state, height: height) }
            move(action, list: list, page: page, state: state)
            return [.focusChanged]
        case .open:
            guard ui.view == .services, ui.selection < list.count else { return [] }
            open(list[ui.selection].arn)
            switchView(.detail)
            return [.focusChanged]
        case .back:
            if ui.view == .services, !ui.filter.isEmpty {
                ui.filter = ""
                return [.focusChanged]
            }
            if ui.view == .logs, !ui.logs.search.isEmpty {
                ui.logs.search = ""
                ui.logs.match = nil
                return [.redraw]
            }
            if let previous = ui.history.popLast() { ui.view = previous } else { ui.view = .services }
            return [.focusChanged]
        case .nextView:
            let next = ViewKind(rawValue: ui.view.rawValue % ViewKind.allCases.count + 1) ?? .services
            switchView(next)
            return [.focusChanged]
        case .viewServices: switchView(.services); return [.focusChanged]
        case .viewDetail, .viewDomains:
            if ui.openServiceArn == nil || ui.view == .services, let selected = ui.selectedArn { open(selected) }
            switchView(action == .viewDetail ? .detail : .domains)
            return [.focusChanged]
        case .viewResources: switchView(.resources); return [.focusChanged]
        case .viewActivity: switchView(.activity); return [.focusChanged]
        case .viewLogs, .logs, .applicationLogs, .logSource, .follow, .search, .nextMatch, .previousMatch, .jumpToTime, .wrap:
            return handleLogs(action, state: state, height: height)
        case .filter:
            ui.prompt = .input(.filter, text: ui.filter)
            return [.redraw]
        case .attention:
            ui.filter = ui.filter == ServiceRow.attentionFilter ? "" : ServiceRow.attentionFilter
            ui.selection = 0
            ui.top = 0
            return [.focusChanged]
        case .sort:
            ui.sort = ui.sort.next
            ui.selection = 0
            ui.top = 0
            if let arn = ui.selectedArn, let index = ServiceList.visible(state.services, filter: ui.filter, sort: ui.sort).firstIndex(where: { $0.arn == arn }) {
                ui.selection = index
            }
            return [.focusChanged]
        case .pause, .resume, .deploy, .delete:
            guard let target = target(state: state), let change = action.serviceAction else { ui.message = "no service selected"; return [.redraw] }
            // Say at once what the state does not allow ("already paused"), without asking first. An
            // operation in progress is left to App Runner to refuse: the row may be a refresh behind an
            // operation that just ended.
            let status = targetStatus(state: state)
            if status != .operationInProgress, let refusal = change.refusal(for: status) {
                ui.message = "\(target.name): cannot \(change.verb): \(refusal)"
                return [.redraw]
            }
            ui.prompt = change.isDestructive
                ? .typeName(change, serviceArn: target.arn, serviceName: target.name, typed: "")
                : .confirm(change, serviceArn: target.arn, serviceName: target.name)
            return [.redraw]
        case .deployImage:
            guard let target = target(state: state) else { ui.message = "no service selected"; return [.redraw] }
            let status = targetStatus(state: state)
            if status != .operationInProgress, let refusal = ServiceAction.deploy.refusal(for: status) {
                ui.message = "\(target.name): cannot deploy: \(refusal)"
                return [.redraw]
            }
            let service = state.detail?.serviceArn == target.arn ? state.detail?.service : state.services.first { $0.arn == target.arn }?.service
            guard let image = service?.sourceConfiguration.imageRepository?.imageIdentifier else {
                ui.message = service == nil ? "\(target.name): not loaded yet" : "\(target.name) deploys from source code, not an image: use d"
                return [.redraw]
            }
            ui.prompt = .input(.image(serviceArn: target.arn, serviceName: target.name), text: image)
            return [.redraw]
        case .associate:
            guard let target = target(state: state) else { ui.message = "no service open"; return [.redraw] }
            ui.prompt = .input(.domain(serviceArn: target.arn, serviceName: target.name), text: "")
            return [.redraw]
        case .disassociate:
            guard let target = target(state: state) else { ui.message = "no service open"; return [.redraw] }
            let domains = state.detail?.serviceArn == target.arn ? state.detail?.domains ?? [] : []
            guard !domains.isEmpty else { ui.message = "no custom domain to disassociate"; return [.redraw] }
            let domain = domains[min(ui.domainSelection, domains.count - 1)].domainName
            ui.prompt = .confirm(.disassociate(domain: domain), serviceArn: target.arn, serviceName: target.name)
            return [.redraw]
        case .copy:
            guard let target = target(state: state) else { ui.message = "nothing selected to copy"; return [.redraw] }
            if ui.view == .domains {
                let domains = state.detail?.serviceArn == target.arn ? state.detail?.domains ?? [] : []
                guard !domains.isEmpty else { ui.message = "no custom domain to copy"; return [.redraw] }
                let domain = domains[min(ui.domainSelection, domains.count - 1)]
                let records = RequiredRecord.records(for: domain, dnsTarget: state.detail?.dnsTarget ?? "", vpcDNSTargets: state.detail?.vpcDNSTargets ?? [])
                let text = (try? DomainExport.render(records, as: .zone)) ?? ""
                return [.copy(text, what: "the DNS records of \(domain.domainName)")]
            }
            return [.copy(target.arn, what: "the ARN of \(target.name)")]
        case .checkDNS:
            guard let target = target(state: state), state.detail?.serviceArn == target.arn, state.detail?.loaded == true else {
                ui.message = "no service open"
                return [.redraw]
            }
            guard !(state.detail?.domains.isEmpty ?? true) else { ui.message = "no custom domain to check"; return [.redraw] }
            ui.message = "checking the DNS records…"
            return [.checkDomains(serviceArn: target.arn), .redraw]
        case .exportRecords:
            guard let target = target(state: state) else { ui.message = "no service open"; return [.redraw] }
            let domains = state.detail?.serviceArn == target.arn ? state.detail?.domains ?? [] : []
            guard !domains.isEmpty else { ui.message = "no custom domain to export"; return [.redraw] }
            return [.exportDomain(serviceArn: target.arn, domain: domains[min(ui.domainSelection, domains.count - 1)].domainName)]
        case .refresh:
            return [.refresh, .redraw]
        case .command:
            ui.prompt = .input(.command, text: "")
            return [.redraw]
        case .help:
            ui.showHelp = true
            ui.helpScroll = 0
            return [.redraw]
        case .quit:
            return [.quit]
        }
    }

    /// Opens a service in the detail and domains views: another service starts at its top (its name
    /// and ARN on screen), the same one keeps where the user was.
    mutating func open(_ arn: String) {
        guard arn != ui.openServiceArn else { return }
        ui.openServiceArn = arn
        ui.scroll[.detail] = 0
        ui.scroll[.domains] = 0
        ui.domainSelection = 0
    }

    mutating func switchView(_ view: ViewKind) {
        guard view != ui.view else { return }
        ui.history.append(ui.view)
        if ui.history.count > 20 { ui.history.removeFirst() }
        ui.view = view
    }

    mutating func move(_ action: DashboardAction, list: [ServiceRow], page: Int, state: DashboardState) {
        switch ui.view {
        case .services:
            var index = ui.selection
            switch action {
            case .up: index -= 1
            case .down: index += 1
            case .pageUp: index -= page
            case .pageDown: index += page
            case .top: index = 0
            case .bottom: index = list.count - 1
            default: break
            }
            ui.selection = min(max(0, index), max(0, list.count - 1))
            ui.selectedArn = list.isEmpty ? nil : list[ui.selection].arn
            if ui.selection < ui.top { ui.top = ui.selection }
            if ui.selection >= ui.top + page { ui.top = ui.selection - page + 1 }
        case .domains:
            let count = state.detail?.domains.count ?? 0
            var index = ui.domainSelection
            switch action {
            case .up: index -= 1
            case .down: index += 1
            case .top: index = 0
            case .bottom: index = count - 1
            case .pageUp: ui.scroll[.domains] = max(0, (ui.scroll[.domains] ?? 0) - page)
            case .pageDown: ui.scroll[.domains] = (ui.scroll[.domains] ?? 0) + page
            default: break
            }
            ui.domainSelection = min(max(0, index), max(0, count - 1))
        default:
            var offset = ui.scroll[ui.view] ?? 0
            switch action {
            case .up: offset -= 1
            case .down: offset += 1
            case .pageUp: offset -= page
            case .pageDown: offset += page
            case .top: offset = 0
            case .bottom: offset = 100_000
            default: break
            }
            ui.scroll[ui.view] = max(0, offset)
        }
    }

    mutating func handlePrompt(_ prompt: Prompt, key: Key, state: DashboardState, now: Date = Date(), height: Int = Layout.minHeight) -> [Effect] {
        switch prompt {
        case .confirm(let change, let arn, let name):
            ui.prompt = nil
            if key == .char("y") || key == .char("Y") {
                return [.perform(change, serviceArn: arn, serviceName: name)]
            }
            ui.message = "cancelled: \(change.phrase(service: name))"
            return [.redraw]
        case .typeName(let change, let arn, let name, let typed):
            switch key {
            case .escape:
                ui.prompt = nil
                ui.message = "cancelled: \(change.phrase(service: name))"
            case .enter:
                ui.prompt = nil
                if typed == name { return [.perform(change, serviceArn: arn, serviceName: name)] }
                ui.message = "cancelled: the name typed does not match '\(name)'"
            case .backspace, .delete:
                ui.prompt = .typeName(change, serviceArn: arn, serviceName: name, typed: String(typed.dropLast()))
            case .char(let c):
                ui.prompt = .typeName(change, serviceArn: arn, serviceName: name, typed: String((typed + String(c)).prefix(64)))
            default: break
            }
            return [.redraw]
        case .input(let kind, let text):
            switch key {
            case .escape:
                ui.prompt = nil
                if case .secret(_, let id) = kind { return [.answer(id: id, text: nil)] }
                return [.redraw]
            case .enter:
                ui.prompt = nil
                return submit(kind, text: text.trimmingWhitespace, state: state, now: now, height: height)
            case .backspace, .delete:
                ui.prompt = .input(kind, text: String(text.dropLast()))
            case .char(let c):
                ui.prompt = .input(kind, text: String((text + String(c)).prefix(200)))
            case .tab:
                guard case .image(let arn, _) = kind else { return [] }
                // Newest first: the running image, then the ones before it, then around again.
                let seen = Array((state.imagesSeen[arn] ?? []).reversed())
                guard !seen.isEmpty else { ui.message = "no earlier image seen in this session"; return [.redraw] }
                let next = seen.firstIndex(of: text).map { (seen.index(after: $0)) % seen.count } ?? 0
                ui.prompt = .input(kind, text: seen[next])
            default: return []
            }
            if kind == .filter, case .input(_, let live)? = ui.prompt {
                ui.filter = live  // filter as you type
                ui.selection = 0
                ui.top = 0
                return [.focusChanged]
            }
            return [.redraw]
        }
    }

    mutating func submit(_ kind: InputKind, text: String, state: DashboardState, now: Date = Date(), height: Int = Layout.minHeight) -> [Effect] {
        switch kind {
        case .filter:
            ui.filter = text
            ui.selection = 0
            ui.top = 0
            return [.focusChanged]
        case .logSearch, .logTime:
            return submitLogs(kind, text: text, state: state, now: now, height: height)
        case .secret(_, let id):
            return [.answer(id: id, text: text.isEmpty ? nil : text)]
        case .image(let arn, let name):
            guard !text.isEmpty, !text.contains(" ") else { ui.message = "cancelled: no image given"; return [.redraw] }
            ui.prompt = .confirm(.deployImage(text), serviceArn: arn, serviceName: name)
            return [.redraw]
        case .domain(let arn, let name):
            guard !text.isEmpty else { ui.message = "cancelled: no domain given"; return [.redraw] }
            ui.prompt = .confirm(.associate(domain: text.lowercased(), enableWWW: !text.hasPrefix("*.")), serviceArn: arn, serviceName: name)
            return [.redraw]
        case .command:
            let words = text.split(separator: " ").map(String.init)
            switch words.first {
            case "q", "q!", "quit": return [.quit]
            case "region" where words.count == 2, "profile" where words.count == 2:
                if let fixed = ui.contextFixed {
                    ui.message = ":\(words[0]) does not apply: \(fixed)"
                    return [.redraw]
                }
                if words[0] == "profile" {
                    if words[1] == (state.context.profile ?? "default") {
                        ui.message = "already on profile \(words[1])"
                        return [.redraw]
                    }
                    return [.switchProfile(words[1])]
                }
                switch AppRunnerRegions.check(words[1]) {
                case .malformed(let why):
                    ui.message = why
                    return [.redraw]
                case .unknown(let why):
                    ui.message = why
                    return [.switchRegion(words[1])]
                case .known:
                    return [.switchRegion(words[1])]
                }
            case nil: return [.redraw]
            default:
                ui.message = "unknown command ':\(text)' (try :region NAME, :profile NAME, :q)"
                return [.redraw]
            }
        }
    }
}
