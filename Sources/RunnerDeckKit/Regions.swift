/// The regions App Runner runs in, as botocore's endpoint data lists them (`apprunner` in
/// `endpoints.json`, partition `aws`), and what to say of a region name an operator typed.
public enum AppRunnerRegions {
    public static let known: [String] = [
        "ap-northeast-1", "ap-south-1", "ap-southeast-1", "ap-southeast-2", "eu-central-1", "eu-west-1",
        "eu-west-2", "eu-west-3", "us-east-1", "us-east-2", "us-west-2",
    ]

    public enum Verdict: Sendable, Hashable {
        case known
        /// Shaped like a region, but App Runner is not known to run there (it may be new).
        case unknown(String)
        /// Not a region name at all.
        case malformed(String)
    }

    public static func check(_ name: String) -> Verdict {
        if known.contains(name) { return .known }
        // AWS partitions' region shapes: `us-east-1`, `us-gov-west-1`, `cn-north-1`, `eu-isoe-west-1`.
        let parts = name.split(separator: "-", omittingEmptySubsequences: false)
        let wellFormed = parts.count >= 3 && parts.count <= 4
            && parts.dropLast().allSatisfy { !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isLowercase } }
            && (parts.last.map { !$0.isEmpty && $0.allSatisfy(\.isNumber) } ?? false)
        guard wellFormed else {
            return .malformed("'\(name)' is not a region name (they look like us-east-1)")
        }
        return .unknown("App Runner is not known to run in \(name) (it runs in \(known.joined(separator: ", ")))")
    }
}
