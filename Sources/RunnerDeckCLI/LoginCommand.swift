import AWSCore
import ArgumentParser
import FoundationEssentials
import RunnerDeckKit

/// `runnerdeck login`: sign in to IAM Identity Center with a device code (no browser needed), writing
/// the token where `aws sso login` does, so both tools share one sign-in.
struct LoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Sign in to IAM Identity Center (SSO) with a device code, as 'aws sso login --use-device-code' does.",
        discussion: """
            Prints a URL and a code: open the URL on any device (a laptop, a phone), enter the code and \
            approve. The token is cached in ~/.aws/sso/cache, where the AWS CLI reads it too; it is \
            refreshed without asking while its refresh token lasts.

            Examples:
              runnerdeck login --profile dev          # sso_session or sso_start_url in it
              runnerdeck login --sso-session my-sso   # a [sso-session my-sso] section
            """
    )

    @OptionGroup var globals: GlobalOptions

    @Option(name: .customLong("sso-session"), help: ArgumentHelp("Sign in to this [sso-session NAME] of the config file instead of the profile's.", valueName: "name"))
    var ssoSession: String?

    func run() async throws {
        let environment = CLIEnvironment.current
        let login: SSODeviceLogin
        do {
            login = try SSODeviceLogin(profile: globals.profile, ssoSession: ssoSession, environment: environment.variables)
        } catch let error as AWSConfigurationError {
            throw CLIError(.configuration, error.description)
        }
        let output = environment.standardOutput
        let result = try await login.run { prompt in
            var text = "To sign in to \(login.settings.startURL), open this URL on any device:\n\n  \(prompt.verificationURI)\n\nand enter the code:\n\n  \(prompt.userCode)\n"
            if let complete = prompt.verificationURIComplete {
                text += "\nor open this URL, which fills the code in:\n\n  \(complete)\n"
            }
            output.write(text + "\nWaiting for approval…\n")
        }
        output.write("Signed in to \(result.startURL)\(result.sessionName.map { " (sso-session \($0))" } ?? ""); the token is valid until \(Format.timestamp(result.expiresAt)) UTC and cached in \(result.cachePath)\n")
    }
}
