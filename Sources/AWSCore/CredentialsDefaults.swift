import AsyncHTTPClient
import FoundationEssentials

extension AWSCredentialProviderChain {
    /// The provider a client should use: `explicit` credentials when given, else the AWS CLI's chain
    /// (``standard(profile:environment:httpClient:)``), either way behind an ``AWSCachedCredentialProvider``
    /// (temporary credentials refreshed 5 minutes before they expire, one refresh shared by concurrent callers).
    static func defaultChain(profile: String?, explicit: AWSCredentials?, environment: [String: String],
                                    httpClient: HTTPClient = AWSCredentialHTTPClient.shared, mfaCode: MFACodeProvider? = nil) -> any AWSCredentialProvider {
        if let explicit {
            return AWSCachedCredentialProvider(StaticCredentialProvider(explicit))
        }
        return AWSCachedCredentialProvider(standard(profile: profile, environment: environment, httpClient: httpClient, mfaCode: mfaCode))
    }
}
