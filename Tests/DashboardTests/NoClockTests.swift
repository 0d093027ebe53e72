@testable import Dashboard
import AppRunner
import Foundation
import Testing

/// Issue 17: `--no-clock` for slow links: an idle dashboard's frame does not change by itself.
@Suite struct NoClockTests {
    @Test func withoutTheClockAnIdleFrameStaysTheSame() {
        var state = sampleState()
        state.services = state.services.filter { $0.status == .running || $0.status == .paused }  // nothing in progress
        var ui = UIState()
        let renderer = DashboardRenderer()
        let ticking = (renderer.render(state: state, ui: ui, now: t0, width: 100, height: 30).text,
                       renderer.render(state: state, ui: ui, now: t0.addingTimeInterval(1), width: 100, height: 30).text)
        #expect(ticking.0 != ticking.1)
        ui.showClock = false
        let still = (renderer.render(state: state, ui: ui, now: t0, width: 100, height: 30).text,
                     renderer.render(state: state, ui: ui, now: t0.addingTimeInterval(1), width: 100, height: 30).text)
        #expect(still.0 == still.1, "\(zip(still.0.split(separator: "\n"), still.1.split(separator: "\n")).filter { $0 != $1 })")
        #expect(still.0.contains("refreshed") && !still.0.contains(" ago"))
    }
}
