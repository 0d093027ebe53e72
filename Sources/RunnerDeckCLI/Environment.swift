import AWSCore
import AppRunner
import CloudWatch
import CloudWatchLogs
import FoundationEssentials
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a command writes text. The process uses the standard streams; tests capture.
protocol OutputSink: Sendable {
    func write(_ text: String)
}

/// Writes to a file descriptor (stdout or stderr of the process), unbuffered.
struct FileDescriptorSink: OutputSink {
    public let descriptor: Int32

    public init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    public static let standardOutput = FileDescriptorSink(descriptor: 1)
    public static let standardError = FileDescriptorSink(descriptor: 2)

    public func write(_ text: String) {
        do throws(SystemIO.Failure) {
            try SystemIO.write(Array(text.utf8), to: descriptor)
        } catch {
            if descriptor == 1 { OutputFailure.standardOutputFailed(error.code) }
        }
    }

    /// True when the descriptor is a terminal.
    var isTerminal: Bool { isatty(descriptor) == 1 }
}

/// What happens when the process's stdout cannot be written: a closed pipe (`| head` has read enough)
/// ends the command at once and quietly, exit 0; any other error (a full disk, a closed descriptor)
/// ends it with a message on stderr and exit 255, instead of carrying on as if the output had gone out.
enum OutputFailure {
    static func standardOutputFailed(_ error: Int32) -> Never {
        if error != EPIPE {
            let message = "runnerdeck: could not write the output: \(String(cString: strerror(error)))\n"
            SystemIO.write(message, toDescriptor: 2)
        }
        // _exit: other threads may still run; nothing is buffered (output goes through write(2)).
        _exit(error == EPIPE ? ExitStatus.success : ExitStatus.other)
    }
}

/// Collects everything written, for tests and for callers that want the text.
///
final class CapturingSink: OutputSink, Sendable {
    private let buffer = Mutex("")

    public init() {}

    public func write(_ text: String) {
        buffer.withLock { $0 += text }
    }

    /// Everything written so far.
    public var text: String {
        buffer.withLock { $0 }
    }
}

/// Builds the App Runner API a command talks to, from the global options.
typealias AppRunnerAPIFactory = @Sendable (GlobalOptions) async throws -> any AppRunnerAPI
/// Builds the CloudWatch Logs API a command talks to.
typealias LogsAPIFactory = @Sendable (GlobalOptions) async throws -> any CloudWatchLogsAPI
/// Builds the CloudWatch (metrics) API a command talks to.
typealias MetricsAPIFactory = @Sendable (GlobalOptions) async throws -> any CloudWatchAPI

/// Everything a command touches outside its arguments: output streams, whether they are terminals,
/// environment variables, how the App Runner, CloudWatch Logs and CloudWatch APIs are made and how long a `--wait` poll sleeps.
///
/// Commands read ``CLIEnvironment/current``; the process uses ``CLIEnvironment/process``, tests bind
/// their own with `CLIEnvironment.$current.withValue(…)` (or pass it to ``runRunnerDeck(arguments:environment:)``).
struct CLIEnvironment: Sendable {
    public var standardOutput: any OutputSink
    public var standardError: any OutputSink
    var outputIsTerminal: Bool
    var errorIsTerminal: Bool
    public var variables: [String: String]
    /// Replaces the client factory (tests hand in a Local App Runner shared between commands).
    public var makeAPI: AppRunnerAPIFactory?
    /// Replaces the CloudWatch Logs client factory (tests hand in a client of a loopback server).
    public var makeLogsAPI: LogsAPIFactory?
    /// Replaces the CloudWatch client factory.
    public var makeMetricsAPI: MetricsAPIFactory?
    /// Time between two polls while following an operation with `--wait`.
    public var pollInterval: Duration
    /// True when SIGINT during `--wait` should end the command with 130 (the process; not tests).
    var handlesSignals: Bool
    /// Interrupts a `--wait` like SIGINT does (for tests, which must not signal their own process).
    var interrupts: InterruptSource?

    public init(
        standardOutput: any OutputSink,
        standardError: any OutputSink,
        outputIsTerminal: Bool = false,
        errorIsTerminal: Bool = false,
        variables: [String: String] = [:],
        makeAPI: AppRunnerAPIFactory? = nil,
        makeLogsAPI: LogsAPIFactory? = nil,
        makeMetricsAPI: MetricsAPIFactory? = nil,
        pollInterval: Duration = .seconds(2),
        handlesSignals: Bool = false,
        interrupts: InterruptSource? = nil
    ) {
        self.standardOutput = standardOutput
        self.standardError = standardError
        self.outputIsTerminal = outputIsTerminal
        self.errorIsTerminal = errorIsTerminal
        self.variables = variables
        self.makeAPI = makeAPI
        self.makeLogsAPI = makeLogsAPI
        self.makeMetricsAPI = makeMetricsAPI
        self.pollInterval = pollInterval
        self.handlesSignals = handlesSignals
        self.interrupts = interrupts
    }

    /// The process: standard streams, the real environment, the real client factory.
    public static var process: CLIEnvironment {
        let variables = ProcessInfo.processInfo.environment
        var interval = Duration.seconds(2)
        // Undocumented knob for tests against a fast Local App Runner.
        if let text = variables["RUNNERDECK_POLL_INTERVAL_MS"], let ms = Int(text), ms > 0 {
            interval = .milliseconds(ms)
        }
        return CLIEnvironment(
            standardOutput: FileDescriptorSink.standardOutput,
            standardError: FileDescriptorSink.standardError,
            outputIsTerminal: FileDescriptorSink.standardOutput.isTerminal,
            errorIsTerminal: FileDescriptorSink.standardError.isTerminal,
            variables: variables,
            pollInterval: interval,
            handlesSignals: true
        )
    }

    @TaskLocal public static var current: CLIEnvironment = .process

    func out(_ text: String) { standardOutput.write(text) }
    func err(_ text: String) { standardError.write(text) }
}

/// A stand-in for SIGINT: `interrupt()` ends the running `--wait` with exit status 130.
final class InterruptSource: Sendable {
    let stream: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    public init() {
        (stream, continuation) = AsyncStream<Void>.makeStream()
    }

    public func interrupt() {
        continuation.yield()
    }
}
