import AppRunner

/// What a status means, mapped by each front end to its colours (the dashboard to curses pairs, the
/// CLI to ANSI colours). Meaning is never carried by colour alone: the status is always written too.
public enum ColorRole: UInt8, CaseIterable, Sendable, Hashable {
    case normal = 0
    case ok, warn, error, info, accent, muted, title
}

/// A status as words and a colour role, the one mapping the dashboard and the CLI share.
public struct StatusWord: Sendable, Hashable {
    /// The value as App Runner sends it (`OPERATION_IN_PROGRESS`): the CLI prints this.
    public var raw: String
    /// The short form for narrow columns (`IN PROGRESS`).
    public var short: String
    public var role: ColorRole
    /// Worth drawing attention to (bold) beyond the colour.
    public var emphasis: Bool

    public init(raw: String, short: String? = nil, role: ColorRole, emphasis: Bool = false) {
        self.raw = raw
        self.short = short ?? raw
        self.role = role
        self.emphasis = emphasis
    }
}

public enum StatusWords {
    public static func service(_ status: ServiceStatus?) -> StatusWord {
        switch status {
        case .running?: return StatusWord(raw: "RUNNING", role: .ok)
        case .paused?: return StatusWord(raw: "PAUSED", role: .info)
        case .operationInProgress?: return StatusWord(raw: "OPERATION_IN_PROGRESS", short: "IN PROGRESS", role: .warn)
        case .createFailed?: return StatusWord(raw: "CREATE_FAILED", short: "CREATE FAILED", role: .error)
        case .deleteFailed?: return StatusWord(raw: "DELETE_FAILED", short: "DELETE FAILED", role: .error)
        case .deleted?: return StatusWord(raw: "DELETED", role: .muted)
        case .unknown(let raw)?: return StatusWord(raw: raw, role: .normal)
        case nil: return StatusWord(raw: "?", role: .muted)
        }
    }

    public static func operation(_ status: OperationStatus?) -> StatusWord {
        switch status {
        case .succeeded?: return StatusWord(raw: "SUCCEEDED", role: .ok)
        case .failed?: return StatusWord(raw: "FAILED", role: .error, emphasis: true)
        case .inProgress?: return StatusWord(raw: "IN_PROGRESS", role: .warn, emphasis: true)
        case .pending?: return StatusWord(raw: "PENDING", role: .warn)
        case .rollbackInProgress?: return StatusWord(raw: "ROLLBACK_IN_PROGRESS", short: "ROLLBACK", role: .accent, emphasis: true)
        case .rollbackSucceeded?: return StatusWord(raw: "ROLLBACK_SUCCEEDED", short: "ROLLED BACK", role: .accent, emphasis: true)
        case .rollbackFailed?: return StatusWord(raw: "ROLLBACK_FAILED", short: "ROLLBACK FAIL", role: .error, emphasis: true)
        case .unknown(let raw)?: return StatusWord(raw: raw, role: .normal)
        case nil: return StatusWord(raw: "?", role: .muted)
        }
    }

    /// Custom domain statuses (sent in lower case by App Runner).
    public static func domain(_ raw: String) -> StatusWord {
        switch raw.lowercased() {
        case "active", "success": return StatusWord(raw: raw, role: .ok)
        case "create_failed", "delete_failed", "failed": return StatusWord(raw: raw, role: .error, emphasis: true)
        default: return StatusWord(raw: raw, role: .warn)
        }
    }

    /// `DEPLOY`, `PAUSE`, …: an operation type as a short column value.
    public static func operationType(_ type: OperationType?) -> String {
        switch type {
        case .startDeployment?: return "DEPLOY"
        case .createService?: return "CREATE"
        case .pauseService?: return "PAUSE"
        case .resumeService?: return "RESUME"
        case .deleteService?: return "DELETE"
        case .updateService?: return "UPDATE"
        case .unknown(let raw)?: return raw
        case nil: return "?"
        }
    }
}
