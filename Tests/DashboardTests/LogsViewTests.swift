import AppRunner
@testable import AppRunnerLocal
@testable import Dashboard
@testable import RunnerDeckKit
import Foundation
import Testing

/// Issue 10: the Logs view: open, step through sources, follow (scrolling up stops it), search with
/// n/N, jump to a time, wrap, a bounded buffer; and the store reads only while the view is on screen.
@Suite(.timeLimit(.minutes(3))) struct LogsViewTests {
    let web = sampleService("web-frontend")

    /// A state holding `count` lines `line 0`… one second apart from t0, for `source` of web-frontend.
    func state(lines count: Int, source: LogSource = .deployment(operationId: "op-1"), capacity: Int = LogsViewState.capacity,
               message: (Int) -> String = { "line \($0)" }) -> (DashboardState, LogsTarget) {
        var state = DashboardState(context: DashboardContext(region: "us-east-1"), readOnly: false)
        let operation = OperationSummary(id: "op-1", type: .startDeployment, status: .inProgress, targetArn: web.serviceArn, startedAt: t0)
        state.services = [row(web, operation: operation)]
        state.servicesLoaded = true
        let target = LogsTarget(serviceArn: web.serviceArn, serviceName: web.serviceName, source: source)
        var logs = LogsViewState(target: target, start: t0, capacity: capacity)
        logs.lines.append(contentsOf: (0..<count).map { LogsViewState.Line(time: t0.addingTimeInterval(Double($0)), stream: "events", message: message($0)) })
        logs.polledAt = t0
        state.logs = logs
        return (state, target)
    }

    /// A controller in the Logs view on `target`.
    func controller(_ target: LogsTarget) -> DashboardController {
        var ui = UIState()
        ui.view = .logs
        ui.openServiceArn = target.serviceArn
        ui.logs.target = target
        return DashboardController(ui: ui)
    }

    func screen(_ state: DashboardState, _ controller: DashboardController, width: Int = 80, height: Int = 24, glyphs: Glyphs = .unicode) -> [String] {
        DashboardRenderer(glyphs: glyphs).render(state: state, ui: controller.ui, now: t0.addingTimeInterval(200), width: width, height: height)
            .text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    @Test func lOpensTheNewestOperationsDeploymentLogAndOStepsThroughTheSources() {
        let (state, _) = state(lines: 0)
        var controller = DashboardController(ui: UIState())
        controller.reconcile(state: state, height: 24)
        _ = controller.handle(.char("l"), state: state, height: 24)
        #expect(controller.ui.view == .logs)
        let target = LogsTarget(serviceArn: web.serviceArn, serviceName: "web-frontend", source: .deployment(operationId: "op-1"))
        #expect(controller.ui.logs.target == target)
        #expect(controller.focus(state: state, height: 24).logs == target)
        _ = controller.handle(.char("o"), state: state, height: 24)
        #expect(controller.ui.logs.target?.source == .service)
        _ = controller.handle(.char("o"), state: state, height: 24)
        #expect(controller.ui.logs.target?.source == .application)
        _ = controller.handle(.char("o"), state: state, height: 24)
        #expect(controller.ui.logs.target?.source == .deployment(operationId: "op-1"))
        // Away from the view nothing is read.
        _ = controller.handle(.char("1"), state: state, height: 24)
        #expect(controller.focus(state: state, height: 24).logs == nil)
        _ = controller.handle(.char("L"), state: state, height: 24)
        #expect(controller.ui.logs.target?.source == .application)
    }

    @Test func followingShowsTheNewestLinesAndScrollingUpStopsIt() {
        let (state, target) = state(lines: 100)
        var controller = controller(target)
        var rows = screen(state, controller)
        // 24 rows: header, tabs, title, 19 lines, status, footer.
        #expect(rows[2].contains("deployment log of") && rows[2].contains("FOLLOWING"))
        #expect(rows[21].contains("line 99"))
        #expect(rows[3].contains("line 81"))
        _ = controller.handle(.up, state: state, height: 24)
        #expect(controller.ui.logs.follow == false)
        #expect(controller.focus(state: state, height: 24).logsFollow == false)
        rows = screen(state, controller)
        #expect(rows[3].contains("line 80"))
        #expect(rows[2].contains("PAUSED +1 newer"))
        // New lines do not move a paused view.
        var more = state
        more.logs?.lines.append(LogsViewState.Line(time: t0.addingTimeInterval(100), stream: "events", message: "line 100"))
        controller.reconcile(state: more, height: 24)
        #expect(screen(more, controller)[3].contains("line 80"))
        _ = controller.handle(.char("G"), state: more, height: 24)
        #expect(controller.ui.logs.follow)
        #expect(screen(more, controller)[21].contains("line 100"))
        _ = controller.handle(.char("g"), state: more, height: 24)
        #expect(screen(more, controller)[3].contains("line 0 ") || screen(more, controller)[3].hasSuffix("line 0"))
    }

    @Test func searchFindsTheNewestMatchThenNAndShiftNStepThroughThem() {
        let (state, target) = state(lines: 100)
        var controller = controller(target)
        _ = controller.handle(.char("/"), state: state, height: 24)
        for character in "LINE 5" { _ = controller.handle(.char(character), state: state, height: 24) }
        _ = controller.handle(.enter, state: state, height: 24)
        #expect(controller.ui.logs.match == 59)
        #expect(controller.ui.logs.follow == false)
        let rows = screen(state, controller)
        #expect(rows.contains { $0.hasPrefix("▶") && $0.contains("line 59") })
        #expect(rows[2].contains("11 match(es)"))  // line 5 and 50…59
        _ = controller.handle(.char("n"), state: state, height: 24)
        #expect(controller.ui.message == "no newer match for 'LINE 5'")
        _ = controller.handle(.char("N"), state: state, height: 24)
        #expect(controller.ui.logs.match == 58)
        for _ in 0..<9 { _ = controller.handle(.char("N"), state: state, height: 24) }
        #expect(controller.ui.logs.match == 5)
        // Esc clears the search before it leaves the view.
        _ = controller.handle(.escape, state: state, height: 24)
        #expect(controller.ui.logs.search.isEmpty && controller.ui.view == .logs)
    }

    @Test func searchHighlightsEveryMatchCaseInsensitively() {
        let search = LogSearch("Err")
        #expect(search.matches("an ERROR here"))
        let text = "error, Error and ERR"
        #expect(search.ranges(in: text).map { String(text[$0]) } == ["err", "Err", "ERR"])
        let unicode = LogSearch("ÉTÉ")
        #expect(unicode.matches("un été chaud"))
        let renderer = DashboardRenderer()
        let line = renderer.highlighted("x error y", search: search, base: .plain, current: false)
        #expect(line.map(\.text) == ["x ", "err", "or y"])
        #expect(line[1].style.reverse)
    }

    @Test func jumpToATimeWithinTheLinesHeldOrReadsFromThereWhenOlder() {
        let (state, target) = state(lines: 100)
        var controller = controller(target)
        let now = t0.addingTimeInterval(200)
        _ = controller.handle(.char("t"), state: state, height: 24, now: now)
        for character in Format.clock(t0.addingTimeInterval(30)) { _ = controller.handle(.char(character), state: state, height: 24, now: now) }
        _ = controller.handle(.enter, state: state, height: 24, now: now)
        #expect(controller.ui.logs.follow == false)
        #expect(controller.ui.logs.top == 30)
        // An hour back is older than the lines held: the view reads again from there.
        _ = controller.handle(.char("t"), state: state, height: 24, now: now)
        for character in "1h" { _ = controller.handle(.char(character), state: state, height: 24, now: now) }
        _ = controller.handle(.enter, state: state, height: 24, now: now)
        let earlier = now.addingTimeInterval(-3600)
        #expect(controller.ui.logs.target?.from == earlier)
        #expect(controller.focus(state: state, height: 24).logs?.from == earlier)
        // Once the store has read from there, the view lands on the first line at or after it.
        var reread = state
        var logs = LogsViewState(target: LogsTarget(serviceArn: target.serviceArn, serviceName: target.serviceName, source: target.source, from: earlier), start: earlier)
        logs.lines.append(contentsOf: (0..<50).map { LogsViewState.Line(time: earlier.addingTimeInterval(Double($0 * 60)), stream: "events", message: "old \($0)") })
        reread.logs = logs
        controller.reconcile(state: reread, height: 24)
        #expect(controller.ui.logs.jumpTo == nil)
        #expect(screen(reread, controller)[3].contains("old 0"))
        // Nonsense and the future are refused in words.
        _ = controller.handle(.char("t"), state: state, height: 24, now: now)
        for character in "soon" { _ = controller.handle(.char(character), state: state, height: 24, now: now) }
        _ = controller.handle(.enter, state: state, height: 24, now: now)
        #expect(controller.ui.message?.hasPrefix("not a time: 'soon'") == true)
    }

    @Test func wrapShowsLongLinesWhole() {
        let long = String(repeating: "abcdefghij ", count: 20)
        let (state, target) = state(lines: 3, message: { $0 == 2 ? long + "END" : "line \($0)" })
        var controller = controller(target)
        #expect(!screen(state, controller).joined().contains("END"))
        _ = controller.handle(.char("w"), state: state, height: 24)
        let rows = screen(state, controller)
        #expect(rows.contains { $0.contains("END") })
        #expect(rows.filter { $0.contains("abcdefghij") }.count >= 3)
        #expect(rows[2].contains("wrap"))
    }

    @Test func theBufferIsBoundedAndAPausedPositionMovesWithTheOldestLine() {
        let (state, target) = state(lines: 10, capacity: 5)
        #expect(state.logs?.lines.count == 5)
        #expect(state.logs?.firstSeq == 5)
        var controller = controller(target)
        _ = controller.handle(.char("g"), state: state, height: 24)
        #expect(controller.ui.logs.top == 5)
        var later = state
        later.logs?.lines.append(contentsOf: (10..<13).map { LogsViewState.Line(time: t0.addingTimeInterval(Double($0)), stream: "events", message: "line \($0)") })
        controller.reconcile(state: later, height: 24)
        #expect(controller.ui.logs.top == 8)
        #expect(screen(later, controller)[3].contains("line 8"))
    }

    @Test func asciiTerminalsGetASCIIMarkers() {
        let (state, target) = state(lines: 20)
        var controller = controller(target)
        _ = controller.handle(.char("/"), state: state, height: 24)
        _ = controller.handle(.char("7"), state: state, height: 24)
        _ = controller.handle(.enter, state: state, height: 24)
        let rows = screen(state, controller, glyphs: .ascii)
        #expect(rows.contains { $0.hasPrefix(">") && $0.contains("line 17") })
        #expect(rows.allSatisfy { $0.unicodeScalars.allSatisfy(\.isASCII) })
    }

    // MARK: The store

    /// Local App Runner in process with one service being created and a store on it, on one manual clock.
    func localStore() async throws -> (ManualClock, LocalAppRunner, DashboardStore, String) {
        try await StoreLocalTests().setUp()
    }

    /// The store reads the Logs view's source only while the view is on screen: fast while following,
    /// slowly while paused, not at all elsewhere; each line once.
    @Test func theStoreReadsTheLogsViewOnlyWhileItIsOnScreen() async throws {
        let (clock, local, store, arn) = try await localStore()
        clock.advance(by: 11)
        let deploy = try await local.startDeployment(StartDeploymentRequest(serviceArn: arn)).operationId
        clock.advance(by: 1.5)
        clock.blockAfter = clock.sleeps.count  // the logs loop polls once, then waits until cancelled
        let target = LogsTarget(serviceArn: arn, serviceName: "local-web", source: .deployment(operationId: deploy), from: clock.now().addingTimeInterval(-5))
        await store.setFocus(StoreFocus(view: .logs, serviceArn: arn, logs: target, logsFollow: true))
        try await waitUntil("the first poll and its wait") { clock.sleeps.count > clock.blockAfter }
        #expect(clock.sleeps.last == 2)  // following: the fast interval
        let first = await store.state.logs?.lines.elements.map(\.message) ?? []
        #expect(first.first?.hasPrefix("[AppRunner] Pulling image public.ecr.aws/nginx/nginx:latest") == true)
        clock.advance(by: 10)
        await store.pollLogs(target)
        let done = await store.state.logs?.lines.elements.map(\.message) ?? []
        #expect(done.last == "[AppRunner] Successfully routed incoming traffic to application.")
        #expect(Set(done).count == done.count)
        #expect(await store.state.logs?.calls == 2)
        // Paused: polled at the slow interval.
        await store.setFocus(StoreFocus(view: .logs, serviceArn: arn, logs: target, logsFollow: false))
        #expect(await store.logsDelay() == 10)
        // Elsewhere: the loop ends and nothing more is read.
        await store.setFocus(StoreFocus(view: .services))
        #expect(await store.logsTask == nil)
        #expect(await store.state.logs?.calls == 2)
    }

    /// The API budget of an open detail view: an ended operation's log is read until it is complete,
    /// then not again; tags are read with the first load, not with every refresh.
    @Test func anOpenDetailStopsReadingAnEndedOperationsLog() async throws {
        let (clock, local, store, arn) = try await localStore()
        clock.advance(by: 11)
        await store.setFocus(StoreFocus(view: .detail, serviceArn: arn))
        await store.refresh()
        let tagsRead = await store.tagsReadAt?.at
        #expect(tagsRead != nil)
        clock.advance(by: 31)
        await store.refresh()  // well after the creation ended: this read completes its log
        let complete = try #require(await store.deploymentTail?.totalCalls)
        #expect(await store.state.detail?.deploymentLog.lines.last?.message == "[AppRunner] Successfully routed incoming traffic to application.")
        for _ in 0..<5 {
            clock.advance(by: 10)
            await store.refresh()
        }
        #expect(await store.deploymentTail?.totalCalls == complete)
        #expect(await store.tagsReadAt?.at == tagsRead)  // 81 s later: not yet due
        // A new operation is read again.
        _ = try await local.startDeployment(StartDeploymentRequest(serviceArn: arn))
        clock.advance(by: 2)
        await store.refresh()
        #expect(await store.state.detail?.deploymentLog.lines.first?.message.hasPrefix("[AppRunner] Pulling image") == true)
    }
}
