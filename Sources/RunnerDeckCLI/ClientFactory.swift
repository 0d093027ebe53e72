import AWSCore
import AppRunner
import Foundation

/// Builds the App Runner API for the global options.
public enum ClientFactory {
    /// `--demo` → Local App Runner's demo fleet in process; otherwise AWS (or `--endpoint-url`)
    /// through AWSCore's configuration resolution, signed, with User-Agent `runnerdeck/<version>`.
    public static func makeAPI(_ globals: GlobalOptions, environment: CLIEnvironment) async throws -> any AppRunnerAPI {
        if globals.demo {
            throw CLIError(.failure, "--demo is not available in this build yet")
        }
        throw CLIError(.failure, "the AWS client is not available in this build yet")
    }
}
