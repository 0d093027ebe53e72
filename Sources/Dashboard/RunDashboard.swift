import AWSCore
import AppRunner
import CNCurses
import FoundationEssentials
import Logging
import RunnerDeckKit
import Synchronization

/// How `runnerdeck` opens the dashboard.
public struct DashboardOptions: Sendable, Hashable {
    /// Display strings for the header.
    public var profile: String?
    public var region: String?
    public var endpoint: String?
    /// Seconds between refreshes while all is quiet (`--refresh`, default 10).
    public var refreshSeconds: Double
    /// Seconds between refreshes while an operation is in progress (default 2).
    var fastRefreshSeconds: Double
    /// Turns off every changing action (`--read-only`).
    public var readOnly: Bool
    /// No colours (`--no-color`; the `NO_COLOR` environment variable does the same).
    public var noColor: Bool
    /// File the dashboard logs to; nil logs nowhere. stderr goes there too while curses runs.
    public var logFile: String?
    /// Wraps each frame in synchronized-output codes (`ESC[?2026h`…`l`) for terminals that support it.
    var synchronizedOutput: Bool
    /// Local App Runner's demo fleet in process (the header says DEMO).
    public var demo: Bool
    /// Why `:region`/`:profile` cannot apply (demo, a fixed endpoint); nil when they can.
    public var contextFixed: String?
    /// The DNS server the Domains view's check asks (`HOST[:PORT]`); nil: resolv.conf's.
    public var nameserver: String?
    /// No clock and no ticking "refreshed N s ago" in the header (`--no-clock`): an idle dashboard then
    /// writes nothing between refreshes, for the slowest links.
    public var noClock = false

    public init(profile: String? = nil, region: String? = nil, endpoint: String? = nil, refreshSeconds: Double = 10,
                fastRefreshSeconds: Double = 2, readOnly: Bool = false, noColor: Bool = false, logFile: String? = nil,
                synchronizedOutput: Bool = false, demo: Bool = false, contextFixed: String? = nil, nameserver: String? = nil) {
        self.nameserver = nameserver
        self.profile = profile
        self.region = region
        self.endpoint = endpoint
        self.refreshSeconds = refreshSeconds
        self.fastRefreshSeconds = fastRefreshSeconds
        self.readOnly = readOnly
        self.noColor = noColor
        self.logFile = logFile
        self.synchronizedOutput = synchronizedOutput
        self.demo = demo
        self.contextFixed = contextFixed
    }

    var context: DashboardContext { DashboardContext(profile: profile, region: region, endpoint: endpoint, demo: demo) }
}

/// Opens the full-screen dashboard and returns the process exit status when it ends:
/// 0 after `q`, 1 when it could not start (message on stderr), 128+signal after SIGINT/SIGTERM/SIGHUP
/// (the terminal is restored in every case).
///
/// `makeAPI` builds the client for a region and profile; it is called once at start and again for
/// `:region` and `:profile`. `questions` are asked on the status line (an MFA code when a role's
/// credentials need renewing).
public func runDashboard(options: DashboardOptions,
                         makeAPI: @escaping @Sendable (_ region: String?, _ profile: String?) async throws -> any AppRunnerAPI,
                         makeCloudWatch: CloudWatchMaker? = nil, questions: DashboardQuestions? = nil) async -> Int32 {
    setlocale(LC_ALL, "")
    var logSink: FileLogHandler.Sink?
    if let path = options.logFile {
        do { logSink = try FileLogHandler.Sink(path: path) } catch {
            SystemIO.write("runnerdeck: cannot open the log file \(path): \(error)\n", toDescriptor: 2)
            return 1
        }
    }
    let logger: Logger = {
        if let logSink { return Logger(label: "runnerdeck.dashboard") { FileLogHandler(label: $0, sink: logSink) } }
        return Logger(label: "runnerdeck.dashboard") { _ in SwiftLogNoOpLogHandler() }
    }()
    let api: any AppRunnerAPI
    do {
        api = try await makeAPI(options.region, options.profile)
    } catch {
        SystemIO.write("runnerdeck: \(DashboardStore.describe(error))\n", toDescriptor: 2)
        return 1
    }
    let noColor = options.noColor || !(ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty
    let utf8 = rd_locale_is_utf8() != 0
    let mailbox = StateMailbox()
    // Without CloudWatch clients the dashboard still runs; the views say what is not available.
    let cloudWatch = (try? await makeCloudWatch?(options.region, options.profile)) ?? CloudWatchClients()
    let store = DashboardStore(
        api: api,
        cloudWatch: cloudWatch,
        context: options.context,
        configuration: StoreConfiguration(slowInterval: options.refreshSeconds, fastInterval: options.fastRefreshSeconds, readOnly: options.readOnly),
        logger: logger,
        domainChecker: options.nameserver.flatMap { try? DomainChecker(nameserver: $0) } ?? .system(),
        onChange: { state in mailbox.post(state) }
    )
    let settings = UILoop.Settings(options: options, noColor: noColor, glyphs: utf8 ? .unicode : .ascii,
                                   logFD: logSink?.fileDescriptor)
    let storeTask = Task { await store.run() }
    let result: Int32 = await withCheckedContinuation { continuation in
        // A thread of its own: the UI loop blocks in curses and poll(2) for as long as the dashboard is open.
        startThread(name: "runnerdeck-ui") {
            let code = UILoop.run(settings: settings, store: store, mailbox: mailbox, makeAPI: makeAPI, makeCloudWatch: makeCloudWatch,
                                  questions: questions, logger: logger)
            continuation.resume(returning: code)
        }
    }
    storeTask.cancel()
    logger.info("dashboard ended", metadata: ["status": "\(result)"])
    return result
}

/// Hands the newest store state to the UI thread and wakes it through its pipe.
final class StateMailbox: Sendable {
    /// The newest state not yet taken, and the pipe that wakes the UI thread.
    private let slot = Mutex<(latest: DashboardState?, wakeFD: Int32)>((nil, -1))

    func attach(wakeFD fd: Int32) {
        slot.withLock { $0.wakeFD = fd }
    }

    func post(_ state: DashboardState) {
        let (wasEmpty, fd) = slot.withLock { slot in
            let wasEmpty = slot.latest == nil
            slot.latest = state
            return (wasEmpty, slot.wakeFD)
        }
        if wasEmpty, fd >= 0 {
            var byte: UInt8 = UInt8(ascii: "S")
            _ = write(fd, &byte, 1)
        }
    }

    func take() -> DashboardState? {
        slot.withLock { slot in
            let state = slot.latest
            slot.latest = nil
            return state
        }
    }
}
