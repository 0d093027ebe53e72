import AWSCore
import Dashboard
import Dispatch
import FoundationEssentials
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the code of a role's MFA device (`mfa_serial`) comes from: `--mfa-code`, else the terminal
/// (`/dev/tty`, so it works with stdout and stderr redirected), asked as the AWS CLI asks. Once
/// ``closePrompts(askingOn:)`` is called the dashboard owns the terminal: later codes (a role's
/// credentials running out) are asked on its status line, or, without one, the error says how to enter
/// a code in another terminal, whose credentials are then read from the CLI's cache.
final class MFAPrompt: Sendable {
    /// Whether prompts are closed, and where questions go once they are.
    private let state = Mutex<(closed: Bool, questions: DashboardQuestions?)>((false, nil))

    func closePrompts(askingOn questions: DashboardQuestions? = nil) {
        state.withLock { $0 = (true, questions) }
    }

    /// The provider for a command with these options.
    func provider(code: String?, profile: String) -> MFACodeProvider {
        { [self] serial in
            let (closed, questions) = state.withLock { $0 }
            if closed, let questions {
                do {
                    return try await questions.ask("MFA code for \(serial) (profile \(profile))")
                } catch {
                    throw AWSCredentialsError.failed(provider: "profile \(profile) (MFA)", reason: "no MFA code was entered for \(serial); the dashboard asks again at the next refresh (or enter one with any command in another terminal)")
                }
            }
            if closed {
                throw AWSCredentialsError.failed(provider: "profile \(profile) (MFA)", reason: "the role needs a new MFA code (\(serial)); run 'runnerdeck services --profile \(profile)' in another terminal to enter one, the dashboard then uses the cached credentials")
            }
            if let code { return code }
            return try await Self.ask("Enter MFA code for \(serial): ", serial: serial, profile: profile)
        }
    }

    /// Turns echo off on the terminal `descriptor` (the code is not shown, as `getpass` does) and returns
    /// what turns it back on. Ctrl-C meanwhile restores the terminal first, then ends the process as
    /// SIGINT would have.
    static func hideInput(_ descriptor: Int32) -> () -> Void {
        var saved = termios()
        guard tcgetattr(descriptor, &saved) == 0 else { return {} }
        var quiet = saved
        quiet.c_lflag &= ~tcflag_t(ECHO)
        TerminalEcho.arm(descriptor: descriptor, saved: saved)
        let previous = signal(SIGINT, { _ in TerminalEcho.restoreAndDie() })
        _ = tcsetattr(descriptor, TCSAFLUSH, &quiet)
        return {
            signal(SIGINT, previous)
            var state = saved
            _ = tcsetattr(descriptor, TCSANOW, &state)
            _ = write(descriptor, "\n", 1)
            TerminalEcho.disarm()
        }
    }

    /// Writes `prompt` to the terminal and reads one line there (not echoed), off the cooperative pool.
    static func ask(_ prompt: String, serial: String, profile: String) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                let descriptor = open("/dev/tty", O_RDWR | O_NOCTTY)
                guard descriptor >= 0 else {
                    continuation.resume(throwing: AWSCredentialsError.failed(provider: "profile \(profile) (MFA)", reason: "an MFA code is needed for \(serial) and there is no terminal to ask on; pass --mfa-code"))
                    return
                }
                defer { close(descriptor) }
                // Echo off first, then the prompt (as getpass does): turning echo off discards what was
                // typed before (TCSAFLUSH), so it must happen before anyone sees the prompt and types.
                let restore = hideInput(descriptor)
                defer { restore() }
                _ = prompt.withCString { write(descriptor, $0, strlen($0)) }
                var line: [UInt8] = []
                var byte: UInt8 = 0
                while line.count < 256 {
                    let count = read(descriptor, &byte, 1)
                    if count < 0, errno == EINTR { continue }
                    if count <= 0 || byte == UInt8(ascii: "\n") { break }
                    line.append(byte)
                }
                let code = String(decoding: line, as: UTF8.self).trimming(.whitespacesAndNewlines)
                guard !code.isEmpty else {
                    continuation.resume(throwing: AWSCredentialsError.failed(provider: "profile \(profile) (MFA)", reason: "no MFA code was entered for \(serial)"))
                    return
                }
                continuation.resume(returning: code)
            }
        }
    }
}

/// What the SIGINT handler of ``MFAPrompt/hideInput(_:)`` needs: a signal handler cannot capture, so
/// the terminal and its settings live here while the prompt is open (set before the handler is
/// installed, cleared after it is removed; the handler only reads them and calls async-signal-safe
/// functions).
enum TerminalEcho {
    nonisolated(unsafe) static var descriptor: Int32 = -1
    nonisolated(unsafe) static var saved = termios()

    static func arm(descriptor fd: Int32, saved settings: termios) {
        saved = settings
        descriptor = fd
    }

    static func disarm() { descriptor = -1 }

    static func restoreAndDie() {
        if descriptor >= 0 {
            _ = tcsetattr(descriptor, TCSANOW, &saved)
            _ = write(descriptor, "\n", 1)
        }
        signal(SIGINT, SIG_DFL)
        raise(SIGINT)
    }
}
