import AWSCore
import AppRunner
import Dashboard
import RunnerDeckKit
import Foundation
import Testing

/// Opens the real dashboard on the test double, for trying the UI by hand in a terminal:
/// `RUNNERDECK_MANUAL_DASHBOARD=1 .build/debug/RunnerDeckPackageTests.xctest --testing-library swift-testing --filter manualDashboard`
/// Skipped unless that variable is set.
@Test(.enabled(if: ProcessInfo.processInfo.environment["RUNNERDECK_MANUAL_DASHBOARD"] != nil), .timeLimit(.minutes(60)))
func manualDashboard() async throws {
    let fake = FakeAppRunner(clock: SystemClock())
    for i in 0..<40 { await fake.addService(String(format: "svc-%02d-web", i), env: ["DATABASE_URL": "postgres://secret"]) }
    let code = await runDashboard(options: DashboardOptions(profile: "test", region: "us-east-1", endpoint: "test double", refreshSeconds: 3, logFile: "/tmp/runnerdeck-manual.log")) { _, _ in
        fake
    }
    #expect(code == 0)
}
