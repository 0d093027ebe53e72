import AsyncHTTPClient
import FoundationEssentials
import NIOConcurrencyHelpers
import NIOSSL

/// How a client checks the server's TLS certificate: the system's trust store, a PEM bundle instead
/// (`--ca-bundle`, `AWS_CA_BUNDLE`, the profile's `ca_bundle`), or not at all (`--no-verify-ssl`).
public struct AWSTLSSettings: Sendable, Hashable {
    /// A PEM file of the certificates to trust instead of the system's.
    public var caBundle: String?
    /// False with `--no-verify-ssl`: any certificate is accepted.
    public var verifyCertificates: Bool

    public init(caBundle: String? = nil, verifyCertificates: Bool = true) {
        self.caBundle = caBundle
        self.verifyCertificates = verifyCertificates
    }

    /// `caBundle` (`--ca-bundle`) → `AWS_CA_BUNDLE` → the profile's `ca_bundle`; `~` expanded. A bundle
    /// that cannot be read or holds no PEM certificate is a configuration error now rather than a
    /// handshake failure later (the certificates themselves are parsed by TLS, on the first https call).
    static func resolve(caBundle: String?, verifyCertificates: Bool, profile: String, config: AWSSharedConfig,
                               environment: [String: String]) throws -> AWSTLSSettings {
        let given = nonEmpty(caBundle) ?? nonEmpty(environment["AWS_CA_BUNDLE"]) ?? config.value("ca_bundle", profile: profile)
        guard let given else { return AWSTLSSettings(verifyCertificates: verifyCertificates) }
        var path = given
        if path == "~" || path.hasPrefix("~/"), let home = nonEmpty(environment["HOME"]) {
            path = home + path.dropFirst()
        }
        // Read and looked at, not parsed: parsing every certificate of a system bundle costs a command
        // milliseconds and megabytes, and a plain http:// endpoint never needs them. TLS parses the file
        // when the first https connection is made.
        guard let contents = try? SystemIO.readFile(path) else {
            throw AWSConfigurationError.invalidSetting(name: "ca_bundle", value: path, reason: "the file cannot be read")
        }
        guard contents.firstRange(of: Data("-----BEGIN CERTIFICATE-----".utf8)) != nil else {
            throw AWSConfigurationError.invalidSetting(name: "ca_bundle", value: path, reason: "it holds no PEM certificate")
        }
        return AWSTLSSettings(caBundle: path, verifyCertificates: verifyCertificates)
    }

    /// The client TLS configuration; nil for the library's default (system trust, verified).
    var configuration: TLSConfiguration? {
        guard caBundle != nil || !verifyCertificates else { return nil }
        var tls = TLSConfiguration.makeClientConfiguration()
        if let caBundle { tls.trustRoots = .file(caBundle) }
        if !verifyCertificates { tls.certificateVerification = .none }
        return tls
    }
}

extension AWSCredentialHTTPClient {
    private static let byTLS = NIOLockedValueBox<[AWSTLSSettings: HTTPClient]>([:])

    /// The HTTP client credential sources (STS...) use with `tls`: ``shared`` for the default settings,
    /// otherwise one made on first use with the same timeouts and kept for the process (as ``shared`` is).
    public static func client(for tls: AWSTLSSettings) -> HTTPClient {
        guard let tlsConfiguration = tls.configuration else { return shared }
        return byTLS.withLockedValue { clients in
            if let client = clients[tls] { return client }
            let client = make(tlsConfiguration: tlsConfiguration)
            clients[tls] = client
            return client
        }
    }
}

/// Sends requests without a signature and resolves no credentials (`--no-sign-request`).
public struct AnonymousCredentialProvider: AWSCredentialProvider {
    public init() {}

    public func credentials() async throws -> AWSCredentials {
        throw AWSCredentialsError.failed(provider: "none", reason: "requests are not signed (--no-sign-request)")
    }
}
