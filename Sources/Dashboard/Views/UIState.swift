import AWSCore
import RunnerDeckKit
import AppRunner
import FoundationEssentials

/// Sort orders of the Services view (`s` cycles).
enum ServiceSort: String, CaseIterable, Sendable, Hashable {
    case name, status, updated, created

    public var next: ServiceSort {
        let all = Self.allCases
        let index = all.firstIndex(of: self) ?? 0
        return all[(index + 1) % all.count]
    }
}

/// What the status line is asking for.
enum Prompt: Sendable, Hashable {
    /// "Pause service 'web'? [y/N]" — anything but y/Y is No.
    case confirm(ServiceAction, serviceArn: String, serviceName: String)
    /// Delete: the service name must be typed exactly.
    case typeName(ServiceAction, serviceArn: String, serviceName: String, typed: String)
    /// A line of text: the filter, a `:` command or a domain to associate.
    case input(InputKind, text: String)
}

extension Prompt {
    /// Confirmations of a change (y/N, or the typed name).
    var isConfirmation: Bool {
        switch self {
        case .confirm, .typeName: return true
        case .input: return false
        }
    }
}

enum InputKind: Sendable, Hashable {
    case filter
    case command
    case domain(serviceArn: String, serviceName: String)
    /// The image to deploy (prefilled with the running one; Tab cycles through images seen before).
    case image(serviceArn: String, serviceName: String)
    /// Text to search for in the Logs view.
    case logSearch
    /// A time to jump to in the Logs view.
    case logTime
    /// A question of ``DashboardQuestions`` (an MFA code); what is typed shows as `*`.
    case secret(question: String, id: Int)
}

/// Requests from the UI to the store or the loop.
enum Effect: Sendable, Hashable {
    case quit
    case refresh
    case redraw
    case focusChanged
    case perform(ServiceAction, serviceArn: String, serviceName: String)
    case switchRegion(String)
    case switchProfile(String)
    /// Put `text` on the clipboard (OSC 52); `what` names it for the status line.
    case copy(String, what: String)
    /// The answer to question `id` of ``DashboardQuestions``; nil cancels it.
    case answer(id: Int, text: String?)
    /// Check the open service's domains in DNS now.
    case checkDomains(serviceArn: String)
    /// Write a domain's records to a zone file.
    case exportDomain(serviceArn: String, domain: String)
}

/// Everything about the screen that is not App Runner state: view, selection, filter, sort, prompt.
/// Kept across refreshes; the selection follows the selected service's ARN.
struct UIState: Sendable, Hashable {
    public var view: ViewKind = .services
    public var history: [ViewKind] = []
    var selectedArn: String?
    var selection = 0
    public var top = 0
    /// Scroll offsets of text views (detail, domains, resources, activity, help).
    var scroll: [ViewKind: Int] = [:]
    var helpScroll = 0
    var domainSelection = 0
    public var filter = ""
    public var sort: ServiceSort = .name
    public var prompt: Prompt?
    var showHelp = false
    /// Local message (e.g. "read-only"); the store's status message shows otherwise.
    public var message: String?
    public var readOnly: Bool
    /// After this many seconds without a successful refresh the header says STALE.
    var staleAfter: Double
    /// The header shows the clock and how long ago the last refresh was (off with `--no-clock`).
    var showClock = true

    /// Why `:region` and `:profile` cannot apply (the demo fleet or a fixed `--endpoint-url` serve
    /// one place); nil when they can.
    public var contextFixed: String?

    public init(readOnly: Bool = false, staleAfter: Double = 30, contextFixed: String? = nil) {
        self.readOnly = readOnly
        self.staleAfter = staleAfter
        self.contextFixed = contextFixed
    }

    /// The open service: the one chosen with Enter, or the selected row.
    var openServiceArn: String?
    /// The Logs view: what it reads and where it stands.
    var logs = LogsUI()
}

/// Where the Logs view stands. Lines are addressed by sequence number (the first line read is 0), so a
/// position stays on its line while the oldest lines leave the bounded buffer.
struct LogsUI: Sendable, Hashable {
    /// What is read (nil before the view was first opened).
    var target: LogsTarget?
    /// Shows the newest lines as they come, like `tail -f`; scrolling up stops it.
    var follow = true
    /// The sequence number of the first line shown when not following.
    var top = 0
    /// Long lines wrap (true) or are cut at the width.
    var wrap = false
    /// The search text; empty for none.
    var search = ""
    /// The sequence number of the current match.
    var match: Int?
    /// A jump waiting for its lines: once they are read, the view goes to the first line at or after it.
    var jumpTo: Date?
}

extension ServiceRow {
    /// The filter `!` sets: services that need an operator's eye.
    static let attentionFilter = "status:attention"

    /// The filter matches the name (substring, case-insensitive), or the status: `status:failed`,
    /// `status:paused`, `status:progress`, `status:rollback`, `status:attention`; a bare status word
    /// (`/paused`, `/failed`) matches names and statuses both.
    func matches(_ filter: String) -> Bool {
        if filter.isEmpty { return true }
        let lower = filter.lowercased()
        if lower.hasPrefix("status:") { return hasStatus(String(lower.dropFirst("status:".count))) }
        return name.containsCaseInsensitive(filter, ignoringDiacritics: true) || hasStatus(lower)
    }

    func hasStatus(_ word: String) -> Bool {
        let word = word.trimmingWhitespace
        guard !word.isEmpty else { return true }
        switch word {
        case "attention":
            return status == .operationInProgress || status == .createFailed || status == .deleteFailed || lastOperationWentWrong != nil
        case "failed", "fail":
            return status == .createFailed || status == .deleteFailed || lastOperationWentWrong != nil
        case "rollback", "rolledback", "rolled-back":
            return currentOperation?.status?.isRollback == true || lastOperationWentWrong?.status?.isRollback == true
        case "progress", "in-progress", "inprogress", "busy":
            return status == .operationInProgress
        default:
            let words = StatusWords.service(status)
            return words.raw.lowercased() == word || words.short.lowercased() == word
        }
    }
}

/// Filtering and sorting of the Services view (shared by the renderer and the controller).
enum ServiceList {
    public static func visible(_ services: [ServiceRow], filter: String, sort: ServiceSort) -> [ServiceRow] {
        let rows = filter.isEmpty ? services : services.filter { $0.matches(filter) }
        switch sort {
        case .name:
            // Decorate once: a case-insensitive key per row, not a locale-aware compare per comparison
            // (ICU's compare made a 1,000-service frame several times slower).
            return rows.map { (key: $0.name.lowercased(), row: $0) }
                .sorted { $0.key != $1.key ? $0.key < $1.key : $0.row.name < $1.row.name }
                .map(\.row)
        case .status:
            return rows.map { (rank: rank($0.status), key: $0.name.lowercased(), row: $0) }
                .sorted { ($0.rank, $0.key) < ($1.rank, $1.key) }
                .map(\.row)
        case .updated:
            return rows.sorted { ($0.summary.updatedAt ?? .distantPast, $1.name) > ($1.summary.updatedAt ?? .distantPast, $0.name) }
        case .created:
            return rows.sorted { ($0.summary.createdAt ?? .distantPast, $1.name) > ($1.summary.createdAt ?? .distantPast, $0.name) }
        }
    }

    /// How many services the filter lets through (no sorting needed).
    public static func count(_ services: [ServiceRow], filter: String) -> Int {
        filter.isEmpty ? services.count : services.reduce(0) { $0 + ($1.matches(filter) ? 1 : 0) }
    }

    /// Problems first, then work in progress, then the quiet ones.
    static func rank(_ status: ServiceStatus?) -> Int {
        switch status {
        case .createFailed, .deleteFailed: return 0
        case .operationInProgress: return 1
        case .paused: return 2
        case .running: return 3
        case .deleted: return 4
        default: return 5
        }
    }
}
