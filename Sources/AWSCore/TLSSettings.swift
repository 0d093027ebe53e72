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
    /// handshake failure later.
    static func resolve(caBundle: String?, verifyCertificates: Bool, profile: String, config: AWSSharedConfig,
                               environment: [String: String]) throws -> AWSTLSSettings {
        let given = nonEmpty(caBundle) ?? nonEmpty(environment["AWS_CA_BUNDLE"]) ?? config.value("ca_bundle", profile: profile)
        guard let given else { return AWSTLSSettings(verifyCertificates: verifyCertificates) }
        var path = given
        if path == "~" || path.hasPrefix("~/"), let home = nonEmpty(environment["HOME"]) {
            path = home + path.dropFirst()
        }
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMFile(path)
        } catch {
            let reason = FileManager.default.isReadableFile(atPath: path) ? "it holds no PEM certificate" : "the file cannot be read"
            throw AWSConfigurationError.invalidSetting(name: "ca_bundle", value: path, reason: reason)
        }
        guard !certificates.isEmpty else {
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
