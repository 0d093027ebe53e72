import Foundation
import Testing

@testable import AWSCore

/// Where the CA bundle comes from, and what a bad one says; requests without a signature.
@Suite(.timeLimit(.minutes(2))) struct TLSSettingsTests {
    /// A self-signed certificate made by openssl for the test.
    func certificate(in dir: TempDir) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                             "-keyout", dir.path + "/key.pem", "-out", dir.path + "/cert.pem"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return dir.path + "/cert.pem"
    }

    @Test func bundlePrecedenceAndErrors() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let cert = try certificate(in: dir)
        try dir.write("config", "[default]\nca_bundle = ~/cert.pem\n[profile broken]\nca_bundle = \(dir.path)/key.pem\n")
        let env = ["HOME": dir.path, "AWS_CONFIG_FILE": dir.path + "/config"]
        let config = try AWSSharedConfig.load(environment: env)
        func bundle(_ option: String?, _ env: [String: String], profile: String = "default") throws -> String? {
            try AWSTLSSettings.resolve(caBundle: option, verifyCertificates: true, profile: profile, config: config, environment: env).caBundle
        }
        #expect(try bundle(nil, env) == cert)  // the profile's, ~ expanded
        #expect(try bundle(nil, env.merging(["AWS_CA_BUNDLE": cert]) { $1 }, profile: "broken") == cert)
        #expect(try bundle(cert, env, profile: "broken") == cert)
        #expect(throws: AWSConfigurationError.invalidSetting(name: "ca_bundle", value: dir.path + "/key.pem", reason: "it holds no PEM certificate")) {
            try bundle(nil, env, profile: "broken")
        }
        #expect(throws: AWSConfigurationError.invalidSetting(name: "ca_bundle", value: dir.path + "/none.pem", reason: "the file cannot be read")) {
            try bundle(dir.path + "/none.pem", env)
        }
        #expect(try AWSTLSSettings.resolve(caBundle: nil, verifyCertificates: true, profile: "none", config: config, environment: [:]).configuration == nil)
        #expect(try AWSTLSSettings.resolve(caBundle: nil, verifyCertificates: false, profile: "none", config: config, environment: [:]).configuration != nil)
    }

    @Test func unsignedConfigurationResolvesNoCredentials() async throws {
        let configuration = try AWSClientConfiguration.resolve(service: appRunnerInfo, region: "us-east-1", signRequests: false,
                                                               environment: ["AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"])
        #expect(configuration.credentialProvider is AnonymousCredentialProvider)
        await #expect(throws: AWSCredentialsError.self) { try await configuration.credentialProvider.credentials() }
    }
}
