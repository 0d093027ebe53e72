import RunnerDeckKit

/// A key as the UI loop decodes it from curses.
public enum Key: Hashable, Sendable {
    case char(Character)
    case ctrl(Character)
    case up, down, left, right, pageUp, pageDown, home, end
    case enter, escape, tab, backTab, backspace, delete
    case resize
    case function(Int)
}

/// The dashboard's views; the number is the key that opens it.
enum ViewKind: Int, CaseIterable, Sendable, Hashable {
    case services = 1
    case detail = 2
    case domains = 3
    case resources = 4
    case activity = 5
    case logs = 6

    public var title: String {
        switch self {
        case .services: return "Services"
        case .detail: return "Detail"
        case .domains: return "Domains"
        case .resources: return "Resources"
        case .activity: return "Activity"
        case .logs: return "Logs"
        }
    }
}

/// Everything a key can do.
enum DashboardAction: String, CaseIterable, Sendable, Hashable {
    case up, down, pageUp, pageDown, top, bottom
    case open, back, nextView
    case viewServices, viewDetail, viewDomains, viewResources, viewActivity, viewLogs
    case filter, attention, sort
    case logs, applicationLogs, logSource, follow, search, nextMatch, previousMatch, jumpToTime, wrap
    case pause, resume, deploy, deployImage, delete, associate, disassociate
    case copy
    case checkDNS, exportRecords
    case refresh, command, help, quit
}

extension DashboardAction {
    /// The service action a key starts, for the ones that change a service's state.
    var serviceAction: ServiceAction? {
        switch self {
        case .pause: return .pause
        case .resume: return .resume
        case .deploy: return .deploy
        case .deployImage: return .deployImage("")
        case .delete: return .delete
        default: return nil
        }
    }
}

/// One row of the key registry: the keys, what they do, where, and whether they change anything.
struct KeyBinding: Sendable, Hashable {
    public var keys: [Key]
    /// How the keys are written in hints and help (`"p"`, `"↑/k"`).
    var keyLabel: String
    public var action: DashboardAction
    /// Short label for the footer.
    public var label: String
    /// One line for the `?` help view.
    public var help: String
    /// True when the action changes something in App Runner (refused under `--read-only`,
    /// always confirmed first).
    public var changes: Bool
    /// Views where it applies; empty means everywhere.
    public var views: Set<ViewKind>
    /// Shown in the footer (movement keys are only in the help).
    public var hint: Bool
}

/// The one table of keys: it drives the footer hints, the help view and read-only enforcement.
struct KeyRegistry: Sendable {
    let bindings: [KeyBinding]

    public init(bindings: [KeyBinding]) { self.bindings = bindings }

    /// The action of `key` in `view`, or nil.
    public func action(for key: Key, in view: ViewKind) -> DashboardAction? {
        bindings.first { $0.keys.contains(key) && ($0.views.isEmpty || $0.views.contains(view)) }?.action
    }

    public func binding(for action: DashboardAction) -> KeyBinding? {
        bindings.first { $0.action == action }
    }

    /// True when `action` changes something (so it is confirmed, and refused when read-only).
    public func changes(_ action: DashboardAction) -> Bool {
        binding(for: action)?.changes ?? false
    }

    /// Bindings that apply in `view`; changing ones are left out when `readOnly`.
    public func applicable(in view: ViewKind, readOnly: Bool) -> [KeyBinding] {
        bindings.filter { ($0.views.isEmpty || $0.views.contains(view)) && !(readOnly && $0.changes) }
    }

    /// Footer hints for `view`, most specific first; `allowed` drops actions the target's state refuses.
    func hints(in view: ViewKind, readOnly: Bool, allowed: (DashboardAction) -> Bool = { _ in true }) -> [(key: String, label: String)] {
        let rows = applicable(in: view, readOnly: readOnly).filter { $0.hint && allowed($0.action) }
        let specific = rows.filter { !$0.views.isEmpty }
        let general = rows.filter { $0.views.isEmpty }
        return (specific + general).map { ($0.keyLabel, $0.label) }
    }

    public static let standard: KeyRegistry = {
        let serviceViews: Set<ViewKind> = [.services, .detail, .domains]
        func b(_ keys: [Key], _ label: String, _ action: DashboardAction, _ short: String, _ help: String,
               changes: Bool = false, views: Set<ViewKind> = [], hint: Bool = true) -> KeyBinding {
            KeyBinding(keys: keys, keyLabel: label, action: action, label: short, help: help, changes: changes, views: views, hint: hint)
        }
        return KeyRegistry(bindings: [
            b([.up, .char("k")], "↑/k", .up, "up", "Move the selection up", hint: false),
            b([.down, .char("j")], "↓/j", .down, "down", "Move the selection down", hint: false),
            b([.pageUp], "PgUp", .pageUp, "page up", "Move one page up", hint: false),
            b([.pageDown], "PgDn", .pageDown, "page down", "Move one page down", hint: false),
            b([.char("g"), .home], "g", .top, "top", "Go to the first row", hint: false),
            b([.char("G"), .end], "G", .bottom, "bottom", "Go to the last row", hint: false),
            b([.enter], "Enter", .open, "open", "Open the selected service's detail", views: [.services]),
            b([.escape], "Esc", .back, "back", "Back to the previous view (or clear the filter)", hint: false),
            b([.tab], "Tab", .nextView, "view", "Next view", hint: false),
            b([.char("1")], "1", .viewServices, "services", "Services view", hint: false),
            b([.char("2")], "2", .viewDetail, "detail", "Detail of the selected service", hint: false),
            b([.char("3")], "3", .viewDomains, "domains", "Custom domains of the selected service", hint: false),
            b([.char("4")], "4", .viewResources, "resources", "Resources: auto scaling, connections, VPC, observability", hint: false),
            b([.char("5")], "5", .viewActivity, "activity", "Activity log", hint: false),
            b([.char("6")], "6", .viewLogs, "logs", "Logs of the open service (the last ones viewed)", hint: false),
            b([.char("l")], "l", .logs, "logs", "Logs view: the newest operation's deployment log (o steps through the others)", views: [.services, .detail]),
            b([.char("L")], "L", .applicationLogs, "app logs", "Logs view: the application's logs (stdout/stderr of every instance)", views: [.services, .detail], hint: false),
            b([.char("o")], "o", .logSource, "source", "Next log source: each operation's deployment log (newest first), all service events, application", views: [.logs]),
            b([.char("f")], "f", .follow, "follow", "Follow new lines like tail -f (scrolling up stops following)", views: [.logs]),
            b([.char("/")], "/", .search, "search", "Search the lines held (case-insensitive); matches are highlighted", views: [.logs]),
            b([.char("n")], "n", .nextMatch, "next", "Next match (newer)", views: [.logs]),
            b([.char("N")], "N", .previousMatch, "prev", "Previous match (older)", views: [.logs], hint: false),
            b([.char("t")], "t", .jumpToTime, "time", "Jump to a time: HH:MM[:SS] UTC, a span back (10m) or an ISO 8601 time", views: [.logs]),
            b([.char("w")], "w", .wrap, "wrap", "Wrap long lines (again: cut them)", views: [.logs]),
            b([.char("/")], "/", .filter, "filter", "Filter services by name, or by status: /status:failed, /paused, /status:rollback", views: [.services]),
            b([.char("!")], "!", .attention, "attention", "Show only services in progress, failed or rolled back (again: all)", views: [.services]),
            b([.char("s")], "s", .sort, "sort", "Cycle the sort column", views: [.services]),
            b([.char("v")], "v", .checkDNS, "check DNS", "Check every record of the domains in DNS now (it also runs by itself every minute while a domain is pending)", views: [.domains]),
            b([.char("e")], "e", .exportRecords, "export", "Write the selected domain's DNS records to a zone file in the current directory, and say where", views: [.domains]),
            b([.char("p")], "p", .pause, "pause", "Pause the service (asks first)", changes: true, views: serviceViews),
            b([.char("r")], "r", .resume, "resume", "Resume the service (asks first)", changes: true, views: serviceViews),
            b([.char("d")], "d", .deploy, "deploy", "Start a deployment (asks first)", changes: true, views: serviceViews),
            b([.char("i")], "i", .deployImage, "image", "Deploy another tag or digest of the image (prefilled; Tab: images seen before; asks first)", changes: true, views: serviceViews),
            b([.char("D")], "D", .delete, "delete", "Delete the service (type its name to confirm)", changes: true, views: serviceViews),
            b([.char("a")], "a", .associate, "add domain", "Associate a custom domain (asks first)", changes: true, views: [.detail, .domains]),
            b([.char("x")], "x", .disassociate, "remove domain", "Disassociate the selected custom domain (asks first)", changes: true, views: [.domains]),
            b([.char("c")], "c", .copy, "copy", "Copy the selected value to the clipboard (OSC 52): the ARN, or a domain's DNS records", views: [.services, .detail, .domains]),
            b([.ctrl("l")], "^L", .refresh, "refresh", "Refresh now and redraw"),
            b([.char(":")], ":", .command, "cmd", "Command: :region R, :profile P, :q", hint: false),
            b([.char("?")], "?", .help, "help", "Show this help"),
            b([.char("q")], "q", .quit, "quit", "Quit"),
        ])
    }()
}
