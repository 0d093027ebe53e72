import FoundationEssentials

/// A service as CloudWatch names it: its name and its id (the last component of its ARN). The log
/// group names and the metrics' dimensions (`ServiceName`, `ServiceID`) are made of these two.
public struct ServiceIdentity: Sendable, Hashable {
    public var serviceName: String
    public var serviceId: String

    public init(serviceName: String, serviceId: String) {
        self.serviceName = serviceName
        self.serviceId = serviceId
    }

    /// From a service ARN (`arn:aws:apprunner:REGION:ACCOUNT:service/NAME/ID`); nil when `serviceArn`
    /// is not a service ARN with an id.
    public init?(serviceArn: String) {
        guard let arn = ResourceARN(serviceArn), let id = arn.path.last, !id.isEmpty else { return nil }
        self.init(serviceName: arn.name, serviceId: id)
    }
}

/// App Runner's CloudWatch Logs groups of one service:
/// `/aws/apprunner/<service name>/<service id>/service` (service events, and one stream per deployment:
/// `deployment/<operation id>`) and `/aws/apprunner/<service name>/<service id>/application` (one stream
/// per instance).
public struct ServiceLogGroups: Sendable, Hashable {
    /// Which of the two groups.
    public enum Kind: String, Sendable, CaseIterable {
        /// Service events and deployment logs (`…/service`).
        case service
        /// What the application writes to stdout and stderr (`…/application`).
        case application
    }

    public var identity: ServiceIdentity
    public var serviceName: String { identity.serviceName }
    public var serviceId: String { identity.serviceId }

    public init(_ identity: ServiceIdentity) {
        self.identity = identity
    }

    public init(serviceName: String, serviceId: String) {
        self.init(ServiceIdentity(serviceName: serviceName, serviceId: serviceId))
    }

    /// From a service ARN; nil when it is not a service ARN with an id.
    public init?(serviceArn: String) {
        guard let identity = ServiceIdentity(serviceArn: serviceArn) else { return nil }
        self.init(identity)
    }

    /// `/aws/apprunner/<name>/<id>/service`
    public var service: String { group(.service) }
    /// `/aws/apprunner/<name>/<id>/application`
    public var application: String { group(.application) }

    /// The group of `kind`.
    public func group(_ kind: Kind) -> String {
        "/aws/apprunner/\(serviceName)/\(serviceId)/\(kind.rawValue)"
    }

    /// The stream of the service group that holds one operation's deployment log: `deployment/<operation id>`.
    public static func deploymentStream(operationId: String) -> String {
        "deployment/\(operationId)"
    }

    /// The stream of the service group with the service's own events: `events`.
    public static let eventsStream = "events"
}
