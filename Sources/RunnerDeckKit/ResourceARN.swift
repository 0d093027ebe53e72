/// The parts of an App Runner ARN: `arn:PARTITION:apprunner:REGION:ACCOUNT:TYPE/NAME[/ID…]`.
public struct ResourceARN: Sendable, Hashable {
    var partition: String
    public var region: String
    public var account: String
    /// `service`, `autoscalingconfiguration`, `connection`, `vpcconnector`, `vpcingressconnection`, …
    var resourceType: String
    /// The resource's name (the first path element after the type).
    public var name: String
    /// The rest of the path (the service id, a revision, …), empty when there is none.
    public var path: [String]

    /// Nil when `text` is not an ARN with a `TYPE/NAME` resource.
    public init?(_ text: String) {
        let fields = text.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard fields.count == 6, fields[0] == "arn" else { return nil }
        let resource = fields[5].split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard resource.count >= 2, !resource[0].isEmpty, !resource[1].isEmpty else { return nil }
        partition = String(fields[1])
        region = String(fields[3])
        account = String(fields[4])
        resourceType = resource[0]
        name = resource[1]
        path = Array(resource.dropFirst(2))
    }

    /// The resource's name, or the whole text when it is not an ARN (so a display never shows nothing).
    public static func name(_ text: String) -> String {
        ResourceARN(text)?.name ?? text
    }
}
