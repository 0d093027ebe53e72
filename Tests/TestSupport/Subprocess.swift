import Foundation

/// What a finished child process left: its exit status and everything it wrote.
public struct ProcessOutput: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// Runs `arguments` (the first found on PATH via /usr/bin/env) with output captured in files, so a
/// chatty child never blocks on a full pipe. Waits at most `timeout` seconds: past it the child is
/// terminated (then killed) and `WaitTimeout` is thrown.
public func runProcess(_ arguments: [String], timeout: Double = 120) async throws -> ProcessOutput {
    let dir = try TempDir()
    defer { dir.remove() }
    let outPath = try dir.write("stdout", "")
    let errPath = try dir.write("stderr", "")
    guard let out = FileHandle(forWritingAtPath: outPath), let err = FileHandle(forWritingAtPath: errPath) else {
        throw CocoaError(.fileWriteUnknown)
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    process.standardOutput = out
    process.standardError = err
    try process.run()
    do {
        try await waitUntil("`\(arguments.joined(separator: " "))` to exit", timeout: timeout, interval: 0.05) { !process.isRunning }
    } catch {
        process.terminate()
        try? await Task.sleep(nanoseconds: 500_000_000)
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        throw error
    }
    try? out.close()
    try? err.close()
    return ProcessOutput(status: process.terminationStatus,
                         stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
                         stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
}
