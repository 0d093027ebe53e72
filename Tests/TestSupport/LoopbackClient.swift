import AWSCore
import Foundation

/// The real AWS JSON client of a service, pointed at a loopback ``TestServer`` with fixed test credentials.
public enum LoopbackClient {
    public static let credentials = AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    public static let region = "eu-west-1"

    /// Retries without waiting.
    public struct NoSleep: AWSSleeper {
        public init() {}
        public func sleep(seconds: Double) async throws {}
    }

    /// A client of `service` sending to `server`; shut it down when done (async-http-client requires it).
    public static func transport(_ service: AWSServiceInfo, server: TestServer, maxAttempts: Int = 1) -> AWSJSONClient {
        let endpoint = URL(string: server.url) ?? URL(fileURLWithPath: "/")
        return AWSJSONClient(
            service: service, region: region, endpoint: endpoint, credentials: StaticCredentialProvider(credentials),
            userAgent: "runnerdeck/test", retry: AWSRetryStrategy(maxAttempts: maxAttempts, sleeper: NoSleep()), environment: [:]
        )
    }
}
