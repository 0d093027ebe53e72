import AWSCore
import AppRunner
import Dispatch
import FoundationEssentials

/// Figures for the bench executable: render + diff time of a frame of many services and the bytes a
/// refresh writes (measured with ``ANSIByteSink``, i.e. the escape sequences a terminal receives).
public struct DashboardBenchmarkResult: Sendable, Hashable, CustomStringConvertible {
    public var services: Int
    public var width: Int
    public var height: Int
    /// Median and worst milliseconds to render the state into a buffer and diff it against the previous frame.
    var frameMillisMedian: Double
    var frameMillisMax: Double
    var firstPaintBytes: Int
    /// One second later, nothing changed but the clock.
    var idleRefreshBytes: Int
    /// One service changed status (RUNNING → PAUSED) on screen.
    var oneStatusChangeBytes: Int
    /// The selection moved down one row.
    var selectionMoveBytes: Int

    public var description: String {
        String(cFormat: "%d services at %dx%d: frame %.3f ms median (max %.3f ms); bytes: first paint %d, idle refresh %d, one status change %d, selection move %d",
               services, width, height, frameMillisMedian, frameMillisMax, firstPaintBytes, idleRefreshBytes, oneStatusChangeBytes, selectionMoveBytes)
    }
}

public enum DashboardBenchmarks {
    /// A state with `count` running services (every one described), as the store would hold it.
    public static func state(services count: Int, now: Date = Date(timeIntervalSince1970: 1_700_000_000)) -> DashboardState {
        var state = DashboardState(context: DashboardContext(profile: "bench", region: "us-east-1", endpoint: "http://127.0.0.1:8080"), readOnly: false)
        state.services.reserveCapacity(count)
        for i in 0..<count {
            let name = String(cFormat: "service-%04d", i)
            let id = String(cFormat: "%032x", i)
            let arn = "arn:aws:apprunner:us-east-1:123456789012:service/\(name)/\(id)"
            let url = String(cFormat: "svc%07d.us-east-1.awsapprunner.com", i)
            let created = now.addingTimeInterval(-Double(86400 + i * 60))
            let updated = now.addingTimeInterval(-Double(3600 + i * 30))
            let service = Service(
                serviceName: name, serviceId: id, serviceArn: arn, serviceUrl: url, createdAt: created, updatedAt: updated, status: .running,
                sourceConfiguration: SourceConfiguration(imageRepository: ImageRepository(imageIdentifier: "public.ecr.aws/nginx/nginx:1.\(i % 30)", imageRepositoryType: .ecrPublic)),
                instanceConfiguration: InstanceConfiguration(cpu: "1024", memory: "2048"),
                autoScalingConfigurationSummary: AutoScalingConfigurationSummary(autoScalingConfigurationName: "DefaultConfiguration", autoScalingConfigurationRevision: 1, isDefault: true),
                networkConfiguration: NetworkConfiguration()
            )
            let summary = ServiceSummary(serviceName: name, serviceId: id, serviceArn: arn, serviceUrl: url, createdAt: created, updatedAt: updated, status: .running)
            state.services.append(ServiceRow(summary: summary, service: service))
        }
        state.servicesLoaded = true
        state.lastRefresh = now.addingTimeInterval(-2)
        return state
    }

    /// Renders and diffs frames of `services` services at `width`x`height`.
    public static func run(services count: Int = 1000, width: Int = 160, height: Int = 50, iterations: Int = 200) -> DashboardBenchmarkResult {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        let state = state(services: count, now: now)
        let renderer = DashboardRenderer(glyphs: .unicode)
        var ui = UIState()
        var controller = DashboardController(ui: ui)
        controller.reconcile(state: state, height: height)
        ui = controller.ui

        var painter = DiffPainter()
        var sink = ANSIByteSink()
        let first = renderer.render(state: state, ui: ui, now: now, width: width, height: height)
        painter.paint(first, to: &sink)
        let firstBytes = sink.bytes.count

        // Idle refresh one second later: the same state.
        sink.reset()
        painter.paint(renderer.render(state: state, ui: ui, now: now.addingTimeInterval(1), width: width, height: height), to: &sink)
        let idleBytes = sink.bytes.count

        // One status change on a visible row.
        var changed = state
        changed.services[2].summary.status = .paused
        changed.services[2].service?.status = .paused
        sink.reset()
        painter.paint(renderer.render(state: changed, ui: ui, now: now.addingTimeInterval(1), width: width, height: height), to: &sink)
        let statusBytes = sink.bytes.count

        // Selection moves one row down.
        var moved = ui
        moved.selection = 1
        moved.selectedArn = changed.services[1].arn
        sink.reset()
        painter.paint(renderer.render(state: changed, ui: moved, now: now.addingTimeInterval(1), width: width, height: height), to: &sink)
        let moveBytes = sink.bytes.count

        // Frame time: full render (filter + sort of all services) plus diff, alternating two states.
        var times: [Double] = []
        times.reserveCapacity(iterations)
        for i in 0..<max(1, iterations) {
            let start = DispatchTime.now().uptimeNanoseconds
            let frame = renderer.render(state: i % 2 == 0 ? state : changed, ui: ui, now: now.addingTimeInterval(Double(i)), width: width, height: height)
            sink.reset()
            painter.paint(frame, to: &sink)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1_000_000)
        }
        times.sort()
        return DashboardBenchmarkResult(services: count, width: width, height: height,
                                        frameMillisMedian: times[times.count / 2], frameMillisMax: times.last ?? 0,
                                        firstPaintBytes: firstBytes, idleRefreshBytes: idleBytes,
                                        oneStatusChangeBytes: statusBytes, selectionMoveBytes: moveBytes)
    }

    /// Bytes an idle dashboard and one following a deployment write to the terminal in a minute (a
    /// frame a second, refreshes every 10 s idle and every 2 s in progress), with the clock and with
    /// `--no-clock`: what a slow link carries.
    public static func bytesPerMinute(services count: Int = 50, width: Int = 100, height: Int = 30) -> String {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        let renderer = DashboardRenderer(glyphs: .unicode)
        func minute(deploying: Bool, clock: Bool) -> Int {
            var state = state(services: count, now: now)
            if deploying {
                let arn = state.services[0].arn
                state.services[0].summary.status = .operationInProgress
                state.services[0].currentOperation = OperationSummary(id: "op", type: .startDeployment, status: .inProgress, targetArn: arn,
                                                                      startedAt: now.addingTimeInterval(-30))
            }
            var ui = UIState()
            ui.showClock = clock
            var controller = DashboardController(ui: ui)
            controller.reconcile(state: state, height: height)
            var painter = DiffPainter()
            var sink = ANSIByteSink()
            painter.paint(renderer.render(state: state, ui: controller.ui, now: now, width: width, height: height), to: &sink)
            sink.reset()
            var total = 0
            for second in 1...60 {
                let at = now.addingTimeInterval(Double(second))
                if second % (deploying ? 2 : 10) == 0 { state.lastRefresh = at }
                painter.paint(renderer.render(state: state, ui: controller.ui, now: at, width: width, height: height), to: &sink)
                total += sink.bytes.count
                sink.reset()
            }
            return total
        }
        return String(cFormat: "bytes written per minute at %dx%d, %d services: idle %d (with --no-clock %d); a deployment in progress %d (with --no-clock %d)",
                      width, height, count, minute(deploying: false, clock: true), minute(deploying: false, clock: false),
                      minute(deploying: true, clock: true), minute(deploying: true, clock: false))
    }
}
