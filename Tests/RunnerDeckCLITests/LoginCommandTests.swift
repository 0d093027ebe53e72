import Foundation
import Testing
@testable import RunnerDeckCLI

/// `runnerdeck login` in process against the loopback IAM Identity Center.
@Suite(.timeLimit(.minutes(2))) struct LoginCommandTests {
    func run(_ arguments: [String], variables: [String: String]) async -> Run {
        let out = CapturingSink()
        let err = CapturingSink()
        let environment = CLIEnvironment(standardOutput: out, standardError: err, variables: variables)
        let status = await runRunnerDeck(arguments: arguments, environment: environment)
        return Run(status: status, out: out.text, err: err.text)
    }

    @Test func printsTheURLAndCodeThenSaysWhereTheTokenIs() async throws {
        let sso = try await SSOLoopback.start()
        defer { sso.stop() }
        let dir = try TempDir()
        defer { dir.remove() }
        try dir.write("config", """
            [profile dev]
            sso_session = corp
            sso_account_id = 111122223333
            sso_role_name = Developer
            [profile keys]
            aws_access_key_id = AKID
            aws_secret_access_key = secret
            [sso-session corp]
            sso_start_url = https://corp.awsapps.com/start
            sso_region = eu-west-1
            """)
        await sso.state.set(interval: 0)
        await sso.state.script(["authorization_pending"])
        let variables = ["HOME": dir.path, "AWS_CONFIG_FILE": dir.path + "/config", "AWS_SHARED_CREDENTIALS_FILE": dir.path + "/none"]
            .merging(sso.environment) { $1 }
        let done = await run(["--profile", "dev", "login"], variables: variables)
        #expect(done.status == 0, "\(done.err)")
        #expect(done.out.contains("http://127.0.0.1/device") && done.out.contains("WDJB-MJHT"))
        #expect(done.out.contains("Signed in to https://corp.awsapps.com/start (sso-session corp)"))
        #expect(done.out.contains("/.aws/sso/cache/ee0bfd2552fbd840c02cc48b6e823320543c450f.json"))  // sha1("corp")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path + "/.aws/sso/cache")
        #expect(files.count == 2)  // the token and the client registration
        #expect(!files.contains { $0.hasSuffix(".tmp") })

        let notSSO = await run(["login", "--profile", "keys"], variables: variables)
        #expect(notSSO.status == 253)
        #expect(notSSO.err.hasPrefix("runnerdeck: ConfigurationError:") && notSSO.err.contains("sso_start_url"))
    }
}
