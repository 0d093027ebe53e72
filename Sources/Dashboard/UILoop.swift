import AWSCore
import AppRunner
import CNCurses
import FoundationEssentials
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The one thread that touches ncurses: it `poll()`s stdin and a wake-up pipe (store results,
/// SIGWINCH, quit signals), handles keys, renders and paints. The poll timeout is the clock tick.
enum UILoop {
    struct Settings: Sendable {
        var options: DashboardOptions
        var noColor: Bool
        var glyphs: Glyphs
        var logFD: Int32?
    }

    static func run(settings: Settings, store: DashboardStore, mailbox: StateMailbox,
                    makeAPI: @escaping @Sendable (_ region: String?, _ profile: String?) async throws -> any AppRunnerAPI,
                    makeCloudWatch: CloudWatchMaker? = nil, questions: DashboardQuestions? = nil, logger: Logger) -> Int32 {
        var pipeFDs: [Int32] = [-1, -1]
        guard pipe(&pipeFDs) == 0 else {
            SystemIO.write("runnerdeck: cannot create the wake-up pipe\n", toDescriptor: 2)
            return 1
        }
        for fd in pipeFDs { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        defer { close(pipeFDs[0]); close(pipeFDs[1]) }
        SignalBridge.install(wakeFD: pipeFDs[1])
        defer { SignalBridge.uninstall() }

        let terminal: CursesTerminal
        do {
            terminal = try CursesTerminal(noColor: settings.noColor)
        } catch {
            SystemIO.write("\(error)\n", toDescriptor: 2)
            return 1
        }
        // Nothing may write to the terminal behind curses' back: stderr goes to the log meanwhile.
        let devNull = open("/dev/null", O_WRONLY)
        SignalBridge.redirectStderr(to: settings.logFD ?? devNull)
        defer {
            terminal.end()
            SignalBridge.redirectStderr(to: nil)
            if devNull >= 0 { close(devNull) }
        }
        mailbox.attach(wakeFD: pipeFDs[1])
        defer { mailbox.attach(wakeFD: -1) }
        questions?.attach(wakeFD: pipeFDs[1])
        defer { questions?.attach(wakeFD: -1) }
        /// The question of `questions` on the status line, if any.
        var asking: Int?
        let events = StoreEvents(store: store, makeAPI: makeAPI, makeCloudWatch: makeCloudWatch)
        defer { events.finish() }
        logger.info("dashboard started", metadata: ["utf8": "\(settings.glyphs == .unicode)", "colors": "\(terminal.depth)"])

        let options = settings.options
        var controller = DashboardController(ui: UIState(readOnly: options.readOnly, staleAfter: max(30, 3 * options.refreshSeconds),
                                                         contextFixed: options.contextFixed))
        controller.ui.showClock = !options.noClock
        if let note = terminal.fallbackNote {
            logger.notice("\(note)")
            controller.ui.message = note
        }
        var state = DashboardState(context: options.context, readOnly: options.readOnly)
        let renderer = DashboardRenderer(glyphs: settings.glyphs)
        var painter = DiffPainter()
        var lastFocus: StoreFocus?
        var clearNext = true
        var lastPainted: (second: Int, frame: ScreenBuffer?) = (-1, nil)

        while true {
            let now = Date()
            let fraction = now.timeIntervalSince1970 - now.timeIntervalSince1970.rounded(.down)
            let timeout = Int32(max(10, min(1000, (1 - fraction) * 1000 + 5)))
            var pollFDs = [pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0),
                           pollfd(fd: pipeFDs[0], events: Int16(POLLIN), revents: 0)]
            _ = poll(&pollFDs, 2, timeout)

            var buffer = [UInt8](repeating: 0, count: 64)
            var resized = false
            var suspend = false
            while true {
                let n = read(pipeFDs[0], &buffer, buffer.count)
                if n <= 0 { break }
                if buffer[0..<n].contains(UInt8(ascii: "W")) { resized = true }
                if buffer[0..<n].contains(UInt8(ascii: "Z")) { suspend = true }
            }
            if suspend {
                logger.info("suspended (Ctrl-Z)")
                terminal.suspend()
                logger.info("continued")
                controller.ui.prompt = nil  // nothing typed before the stop may answer a prompt after it
                clearNext = true
            }
            let signal = SignalBridge.quitSignal()
            if signal != 0 {
                logger.info("quit on signal", metadata: ["signal": "\(signal)"])
                return 128 + signal
            }
            if resized {
                terminal.resizeFromKernel()
                clearNext = true
            }
            if let newState = mailbox.take() { state = newState }
            var size = terminal.size()
            keys: for key in terminal.readKeys() {
                if key == .resize { clearNext = true; continue }
                let hadConfirmation = controller.ui.prompt?.isConfirmation ?? false
                for effect in controller.handle(key, state: state, height: size.height, width: size.width) {
                    switch effect {
                    case .quit:
                        logger.info("quit")
                        return 0
                    case .refresh:
                        clearNext = true
                        events.send(.refresh)
                    case .redraw, .focusChanged:
                        break
                    case .copy(let text, let what):
                        terminal.copyToClipboard(text)
                        controller.ui.message = "copied \(what) (OSC 52; in tmux this needs set-clipboard on)"
                    case .perform(let change, let arn, let name):
                        events.send(.perform(change, serviceArn: arn, serviceName: name))
                    case .checkDomains(let arn):
                        events.send(.checkDomains(serviceArn: arn))
                    case .exportDomain(let arn, let domain):
                        events.send(.exportDomain(serviceArn: arn, domain: domain))
                    case .switchRegion(let region):
                        events.send(.switchContext(region: region, profile: state.context.profile, endpoint: state.context.endpoint, demo: state.context.demo))
                        controller.ui.openServiceArn = nil
                        controller.ui.view = .services
                        controller.ui.selectedArn = nil
                    case .answer(let id, let text):
                        questions?.answer(id, text)
                        asking = nil
                    case .switchProfile(let profile):
                        events.send(.switchContext(region: state.context.region, profile: profile, endpoint: state.context.endpoint, demo: state.context.demo))
                        controller.ui.openServiceArn = nil
                        controller.ui.view = .services
                        controller.ui.selectedArn = nil
                    }
                }
                // Keys typed ahead (`dydydy`) must not answer a confirmation they never saw.
                if !hadConfirmation, controller.ui.prompt?.isConfirmation == true {
                    terminal.discardInput()
                    break keys
                }
            }
            // A question dismissed another way (Ctrl-Z, Esc while too small) is cancelled; the next one
            // waits until no other prompt is open, and nothing typed before it may answer it.
            if let id = asking, controller.ui.prompt.map({ if case .input(.secret(_, id), _) = $0 { return false } else { return true } }) ?? true {
                questions?.answer(id, nil)
                asking = nil
            }
            if asking == nil, controller.ui.prompt == nil, let question = questions?.next() {
                terminal.discardInput()
                controller.ui.prompt = .input(.secret(question: question.question, id: question.id), text: "")
                asking = question.id
            }
            size = terminal.size()
            controller.reconcile(state: state, height: size.height)
            let focus = controller.focus(state: state, height: size.height)
            if focus != lastFocus {
                lastFocus = focus
                events.send(.focus(focus))
            }
            let paintTime = Date()
            let frame = renderer.render(state: state, ui: controller.ui, now: paintTime, width: size.width, height: size.height)
            let second = Int(paintTime.timeIntervalSince1970)
            if clearNext || frame != lastPainted.frame {
                terminal.paint(frame, painter: &painter, clearFirst: clearNext, synchronizedOutput: options.synchronizedOutput)
                clearNext = false
                lastPainted = (second, frame)
            }
        }
    }
}
