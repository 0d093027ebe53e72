import AsyncHTTPClient
import Foundation

/// Short names for the credential types, as used in the team's briefs.
public typealias CachedCredentialProvider = AWSCachedCredentialProvider
public typealias CredentialChain = AWSCredentialProviderChain

extension AWSCredentialProviderChain {
    /// The provider a client should use: `explicit` credentials when given, else the AWS CLI's chain
    /// (``standard(profile:environment:httpClient:)``), either way behind an ``AWSCachedCredentialProvider``
    /// (temporary credentials refreshed 5 minutes before they expire, one refresh shared by concurrent callers).
    public static func defaultChain(profile: String?, explicit: AWSCredentials?, environment: [String: String],
                                    httpClient: HTTPClient = AWSCredentialHTTPClient.shared) -> any AWSCredentialProvider {
        if let explicit {
            return AWSCachedCredentialProvider(StaticCredentialProvider(explicit))
        }
        return AWSCachedCredentialProvider(standard(profile: profile, environment: environment, httpClient: httpClient))
    }
}

extension AWSSharedConfig {
    /// A profile's settings, the credentials file's winning over the config file's; empty when the
    /// profile is in neither file.
    public func profile(named name: String) -> [String: String] {
        profile(name) ?? [:]
    }
}
