import AWSCore
import AppRunner
@testable import AppRunnerLocal
@testable import Dashboard
@testable import RunnerDeckKit
import Foundation
import Testing

/// Opens the real dashboard on Local App Runner (real clock) through the recording wrapper, for trying
/// the UI by hand in a terminal:
/// `RUNNERDECK_MANUAL_DASHBOARD=1 .build/debug/RunnerDeckPackageTests.xctest --testing-library swift-testing --filter manualDashboard`
/// Skipped unless that variable is set.
@Test(.enabled(if: ProcessInfo.processInfo.environment["RUNNERDECK_MANUAL_DASHBOARD"] != nil), .timeLimit(.minutes(60)))
func manualDashboard() async throws {
    let double = RecordingAppRunner(try LocalAppRunner(options: LocalOptions(operationSeconds: 6)))
    for i in 0..<40 { try await double.addService(String(format: "svc-%02d-web", i), env: ["DATABASE_URL": "postgres://secret"]) }
    let code = await runDashboard(options: DashboardOptions(profile: "test", region: "us-east-1", endpoint: "Local App Runner (in process)", refreshSeconds: 3, logFile: "/tmp/runnerdeck-manual.log")) { _, _ in
        double.client
    }
    #expect(code == 0)
}
