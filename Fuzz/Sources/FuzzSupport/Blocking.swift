import Foundation

/// Runs `work` to completion on the concurrency pool and waits for it on the calling (fuzzer) thread.
/// libFuzzer calls its entry point synchronously; the code under test is async.
public func runBlocking<T: Sendable>(_ work: @escaping @Sendable () async -> T) -> T {
    let box = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    Task.detached {
        box.set(await work())
        done.signal()
    }
    done.wait()
    guard let value = box.get() else { preconditionFailure("runBlocking: the task ended without a value") }
    return value
}

private final class ResultBox<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: T?
    func set(_ newValue: T) { lock.withLock { value = newValue } }
    func get() -> T? { lock.withLock { value } }
}

/// Splits a fuzz input: the first byte picks one of `count` choices, the rest is the payload.
public func split(_ data: Data, choices count: Int) -> (choice: Int, payload: Data)? {
    guard let first = data.first, count > 0 else { return nil }
    return (Int(first) % count, Data(data.dropFirst()))
}
