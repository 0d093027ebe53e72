@testable import Dashboard
import Foundation
import Testing

/// Questions asked on the status line (an MFA code while the dashboard runs).
@Suite(.timeLimit(.minutes(1))) struct QuestionTests {
    @Test func theAnswerIsTypedMaskedAndEscCancels() {
        let state = sampleState()
        var controller = DashboardController(ui: UIState())
        controller.reconcile(state: state, height: 24)
        controller.ui.prompt = .input(.secret(question: "MFA code for arn:aws:iam::1:mfa/me", id: 7), text: "")
        for digit in "4242" { _ = controller.handle(.char(digit), state: state, height: 24) }
        let screen = render(state, controller.ui, width: 100, height: 24)
        #expect(screen.line(22).contains("MFA code for arn:aws:iam::1:mfa/me (Enter, Esc cancels): ****_"))
        #expect(!(0..<24).contains { screen.line($0).contains("4242") })
        #expect(controller.handle(.enter, state: state, height: 24) == [.answer(id: 7, text: "4242")])
        #expect(controller.ui.prompt == nil)
        controller.ui.prompt = .input(.secret(question: "again", id: 8), text: "12")
        #expect(controller.handle(.escape, state: state, height: 24) == [.answer(id: 8, text: nil)])
    }

    @Test func askWaitsForTheUIAndNeedsARunningDashboard() async throws {
        let questions = DashboardQuestions()
        await #expect(throws: DashboardQuestions.Cancelled.self) { try await questions.ask("no dashboard") }
        var fds: [Int32] = [-1, -1]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
        questions.attach(wakeFD: fds[1])
        var byte: UInt8 = 0
        func woken() async throws -> Bool {
            var got = false
            try await waitUntil("the UI thread's wake-up byte", timeout: 10) {
                got = read(fds[0], &byte, 1) == 1
                return got
            }
            return got
        }
        let asked = Task { try await questions.ask("MFA code") }
        #expect(try await woken() && byte == UInt8(ascii: "Q"))  // the UI thread is woken
        let shown = try #require(questions.next())
        #expect(shown.question == "MFA code" && questions.next() == nil)
        questions.answer(shown.id, "123456")
        #expect(try await asked.value == "123456")
        let dropped = Task { try await questions.ask("second") }
        #expect(try await woken())
        questions.attach(wakeFD: -1)  // the dashboard ends: open questions are cancelled
        await #expect(throws: DashboardQuestions.Cancelled.self) { try await dropped.value }
    }
}
