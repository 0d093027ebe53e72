import AWSCore
import Foundation

/// The one manual clock of the Swift tests: time moves only when told to. `sleep` records the
/// request and advances time at once; after `blockAfter` sleeps it suspends until its task is
/// cancelled (so a polling loop stops where the test wants).
public final class ManualClock: WallClock, @unchecked Sendable {
    // @unchecked: all mutable state is guarded by `lock`.
    private let lock = NSLock()
    private var current: Date
    private var requested: [Double] = []
    private var blockAfterCount: Int

    public init(_ start: Date = Date(timeIntervalSince1970: 1_700_000_000), blockAfter: Int = .max) {
        current = start
        blockAfterCount = blockAfter
    }

    public func now() -> Date { lock.withLock { current } }

    /// Every `sleep(seconds:)` requested so far, in order (the blocked ones too).
    public var sleeps: [Double] { lock.withLock { requested } }

    /// Sleeps after this many suspend until cancelled instead of advancing time.
    public var blockAfter: Int {
        get { lock.withLock { blockAfterCount } }
        set { lock.withLock { blockAfterCount = newValue } }
    }

    public func advance(by seconds: TimeInterval) {
        lock.withLock { current = current.addingTimeInterval(seconds) }
    }

    public func sleep(seconds: Double) async throws {
        let block: Bool = lock.withLock {
            requested.append(seconds)
            if requested.count > blockAfterCount { return true }
            current = current.addingTimeInterval(seconds)
            return false
        }
        if block {
            // Ends only by cancellation (Task.sleep throws CancellationError); the suite's time limit bounds it.
            while true { try await Task.sleep(nanoseconds: 1_000_000_000) }
        }
        await Task.yield()
    }
}
