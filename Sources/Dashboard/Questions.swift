import Foundation

/// Questions from outside the UI (a credential provider that needs an MFA code) asked on the
/// dashboard's status line while it owns the terminal, the answer typed there masked. ``ask(_:)``
/// waits for the answer; Esc, Ctrl-Z or the end of the dashboard cancel it
/// (``DashboardQuestions/Cancelled``). Without a running dashboard nothing can be asked.
public final class DashboardQuestions: @unchecked Sendable {
    // @unchecked: every stored property is touched only while holding `lock`.
    public struct Cancelled: Error, Sendable, CustomStringConvertible {
        public var description: String { "not answered (cancelled, or the dashboard is not running)" }
    }

    private let lock = NSLock()
    private var wakeFD: Int32 = -1
    private var pending: [(id: Int, question: String, continuation: CheckedContinuation<String, any Error>)] = []
    private var shown: Set<Int> = []
    private var lastId = 0

    public init() {}

    /// Asks `question` on the status line and returns what was typed.
    public func ask(_ question: String) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            lock.lock()
            guard wakeFD >= 0 else {
                lock.unlock()
                continuation.resume(throwing: Cancelled())
                return
            }
            lastId += 1
            pending.append((lastId, question, continuation))
            let fd = wakeFD
            lock.unlock()
            var byte = UInt8(ascii: "Q")
            _ = write(fd, &byte, 1)
        }
    }

    /// The UI thread: where to wake it; -1 when the dashboard ends (every open question is cancelled).
    func attach(wakeFD fd: Int32) {
        lock.lock()
        wakeFD = fd
        let cancelled = fd < 0 ? pending : []
        if fd < 0 {
            pending = []
            shown = []
        }
        lock.unlock()
        for entry in cancelled { entry.continuation.resume(throwing: Cancelled()) }
    }

    /// The oldest question not on screen yet (it is on screen from now on).
    func next() -> (id: Int, question: String)? {
        lock.lock()
        defer { lock.unlock() }
        guard let entry = pending.first(where: { !shown.contains($0.id) }) else { return nil }
        shown.insert(entry.id)
        return (entry.id, entry.question)
    }

    /// Answers question `id`; nil cancels it. Unknown (already answered) ids are ignored.
    func answer(_ id: Int, _ text: String?) {
        lock.lock()
        guard let index = pending.firstIndex(where: { $0.id == id }) else {
            lock.unlock()
            return
        }
        let entry = pending.remove(at: index)
        shown.remove(id)
        lock.unlock()
        if let text { entry.continuation.resume(returning: text) } else { entry.continuation.resume(throwing: Cancelled()) }
    }
}
