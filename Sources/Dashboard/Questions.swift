import AWSCore
import FoundationEssentials
import Synchronization

/// Questions from outside the UI (a credential provider that needs an MFA code) asked on the
/// dashboard's status line while it owns the terminal, the answer typed there masked. ``ask(_:)``
/// waits for the answer; Esc, Ctrl-Z or the end of the dashboard cancel it
/// (``DashboardQuestions/Cancelled``). Without a running dashboard nothing can be asked.
public final class DashboardQuestions: Sendable {
    public struct Cancelled: Error, Sendable, CustomStringConvertible {
        public var description: String { "not answered (cancelled, or the dashboard is not running)" }
    }

    private struct State {
        var wakeFD: Int32 = -1
        var pending: [(id: Int, question: String, continuation: CheckedContinuation<String, any Error>)] = []
        var shown: Set<Int> = []
        var lastId = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// Asks `question` on the status line and returns what was typed.
    public func ask(_ question: String) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            let fd: Int32? = state.withLock { state in
                guard state.wakeFD >= 0 else { return nil }
                state.lastId += 1
                state.pending.append((state.lastId, question, continuation))
                return state.wakeFD
            }
            guard let fd else {
                continuation.resume(throwing: Cancelled())
                return
            }
            try? SystemIO.write([UInt8(ascii: "Q")], to: fd)
        }
    }

    /// The UI thread: where to wake it; -1 when the dashboard ends (every open question is cancelled).
    func attach(wakeFD fd: Int32) {
        let cancelled = state.withLock { state -> [CheckedContinuation<String, any Error>] in
            state.wakeFD = fd
            guard fd < 0 else { return [] }
            let cancelled = state.pending.map(\.continuation)
            state.pending = []
            state.shown = []
            return cancelled
        }
        for continuation in cancelled { continuation.resume(throwing: Cancelled()) }
    }

    /// The oldest question not on screen yet (it is on screen from now on).
    func next() -> (id: Int, question: String)? {
        state.withLock { state in
            guard let entry = state.pending.first(where: { !state.shown.contains($0.id) }) else { return nil }
            state.shown.insert(entry.id)
            return (entry.id, entry.question)
        }
    }

    /// Answers question `id`; nil cancels it. Unknown (already answered) ids are ignored.
    func answer(_ id: Int, _ text: String?) {
        let entry = state.withLock { state -> (id: Int, question: String, continuation: CheckedContinuation<String, any Error>)? in
            guard let index = state.pending.firstIndex(where: { $0.id == id }) else { return nil }
            state.shown.remove(id)
            return state.pending.remove(at: index)
        }
        guard let entry else { return }
        if let text { entry.continuation.resume(returning: text) } else { entry.continuation.resume(throwing: Cancelled()) }
    }
}
