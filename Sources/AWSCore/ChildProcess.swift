import Dispatch
import FoundationEssentials
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs a shell command with `posix_spawn` (in place of Foundation's `Process`, which pulls in ICU):
/// stdin from /dev/null, stdout and stderr collected, signals at their defaults in the child.
enum ChildProcess {
    struct Outcome: Sendable {
        /// The exit status, or the number of the signal that ended the command (as `Process` reports it).
        var status: Int32
        var output: Data
        var errorOutput: Data
    }

    /// Runs `/bin/sh -c command` with `environment` as its whole environment.
    static func shell(_ command: String, environment: [String: String]) async throws(SystemIO.Failure) -> Outcome {
        var outputPipe: [Int32] = [-1, -1]
        var errorPipe: [Int32] = [-1, -1]
        guard pipe(&outputPipe) == 0 else { throw SystemIO.Failure("pipe") }
        guard pipe(&errorPipe) == 0 else {
            let failure = SystemIO.Failure("pipe")
            close(outputPipe[0]); close(outputPipe[1])
            throw failure
        }
        // Not inherited by the child (it gets them as 1 and 2) nor by others spawned meanwhile.
        for descriptor in outputPipe + errorPipe { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        let spawned = spawn(["/bin/sh", "-c", command], environment: environment, output: outputPipe[1], errorOutput: errorPipe[1])
        close(outputPipe[1])
        close(errorPipe[1])
        let (readOutput, readError) = (outputPipe[0], errorPipe[0])
        let pid: pid_t
        switch spawned {
        case .success(let spawnedPid):
            pid = spawnedPid
        case .failure(let failure):
            close(readOutput)
            close(readError)
            throw failure
        }
        // Read both pipes off the cooperative pool: a blocking read must not hold a Swift concurrency thread.
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                let group = DispatchGroup()
                let errorData = Mutex(Data())
                group.enter()
                DispatchQueue.global().async {
                    let data = (try? SystemIO.readToEnd(readError)) ?? Data()
                    close(readError)
                    errorData.withLock { $0 = data }
                    group.leave()
                }
                let outputData = (try? SystemIO.readToEnd(readOutput)) ?? Data()
                close(readOutput)
                group.wait()
                let status = waitForExit(pid)
                continuation.resume(returning: Outcome(status: status, output: outputData, errorOutput: errorData.withLock { $0 }))
            }
        }
    }

    private static func spawn(_ arguments: [String], environment: [String: String], output: Int32, errorOutput: Int32) -> Result<pid_t, SystemIO.Failure> {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, output, 1)
        posix_spawn_file_actions_adddup2(&actions, errorOutput, 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigfillset(&defaults)
        sigdelset(&defaults, SIGKILL)
        sigdelset(&defaults, SIGSTOP)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid = pid_t()
        let result = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, envp)
        return result == 0 ? .success(pid) : .failure(SystemIO.Failure("posix_spawn", code: result))
    }

    /// The exit status of `pid`, or the signal that ended it.
    private static func waitForExit(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { return -1 }
        }
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : signal
    }
}
