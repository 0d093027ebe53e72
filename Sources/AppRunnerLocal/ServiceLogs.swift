import AppRunner
import FoundationEssentials

/// App Runner's log groups of a service, as CloudWatch Logs names them.
enum ServiceLogGroups {
    static let prefix = "/aws/apprunner/"

    static func service(_ service: Service) -> String { "\(prefix)\(service.serviceName)/\(service.serviceId)/service" }
    static func application(_ service: Service) -> String { "\(prefix)\(service.serviceName)/\(service.serviceId)/application" }

    /// The stream of service events (status changes, operations started and ended).
    static let eventsStream = "events"
    /// The stream of one operation's deployment log.
    static func deploymentStream(_ operationId: String) -> String { "deployment/\(operationId)" }
}

/// The deployment log of one operation, in App Runner's wording (see the README, "Local App Runner logs and
/// metrics"): each line at the fraction of the operation's duration at which the step happens.
struct DeploymentScript {
    struct Line {
        var at: Double
        var stream: String
        var message: String
    }

    let operation: OperationRecord
    /// The configuration the operation deploys (an update's pending one).
    let service: Service

    static func healthTarget(_ service: Service) -> String {
        let check = service.healthCheckConfiguration
        let port = service.sourceConfiguration.imageRepository?.imageConfiguration?.port
            ?? service.sourceConfiguration.codeRepository?.codeConfiguration?.codeConfigurationValues?.port ?? "8080"
        let proto = check?.protocol?.rawValue ?? "TCP"
        if proto == "HTTP" { return "protocol `HTTP` [Path: '\(check?.path ?? "/")'], [Port: '\(port)']" }
        return "protocol `\(proto)` [Port: '\(port)']"
    }

    var lines: [Line] {
        let events = ServiceLogGroups.eventsStream
        let deployment = ServiceLogGroups.deploymentStream(operation.id)
        let id = operation.id
        func event(_ at: Double, _ text: String) -> Line { Line(at: at, stream: events, message: "[AppRunner] " + text) }
        func step(_ at: Double, _ text: String) -> Line { Line(at: at, stream: deployment, message: "[AppRunner] " + text) }
        let words: (String, String, String)
        switch operation.type {
        case .createService: words = ("Service creation started.", "Service creation completed successfully.", "Service creation failed.")
        case .updateService: words = ("Service update started.", "Service update completed successfully.", "Service update failed.")
        case .startDeployment:
            words = ("Deployment with ID : \(id) started. Triggering event : MANUAL_DEPLOYMENT",
                                            "Service update completed successfully.", "Service update failed.")
        case .pauseService: words = ("Service pause started.", "Service pause completed successfully.", "Service pause failed.")
        case .resumeService: words = ("Service resume started.", "Service resume completed successfully.", "Service resume failed.")
        case .deleteService: words = ("Service deletion started.", "Service deletion completed successfully.", "Service deletion failed.")
        default: words = ("Operation \(id) started.", "Operation \(id) completed successfully.", "Operation \(id) failed.")
        }
        let (started, completed, failed) = words
        var result = [event(0, started), event(0, "Service status is set to OPERATION_IN_PROGRESS.")]
        switch operation.type {
        case .pauseService:
            result += [event(1, completed), event(1, "Service status is set to PAUSED.")]
            return result
        case .deleteService:
            result += [event(1, completed), event(1, "Service status is set to DELETED.")]
            return result
        default:
            break
        }
        result += deploySteps(step: step)
        let target = Self.healthTarget(service)
        if !operation.fails {
            result += [step(0.9, "Health check is successful on \(target). Routing traffic to application."),
                       step(1, "Successfully routed incoming traffic to application."),
                       event(1, completed), event(1, "Service status is set to RUNNING.")]
            return result
        }
        result += [step(0.9, "Health check failed on \(target). Check your configured port number. For more information, see the application logs."),
                   step(1, "Deployment with ID : \(id) failed. Failure reason : Health check failed.")]
        if operation.type == .createService {
            result += [event(1, failed), event(1, "Service status is set to CREATE_FAILED.")]
            return result
        }
        result += [step(1, "Rollback started. Rolling back to the previous successful deployment."),
                   event(1, "Deployment with ID : \(id) failed. Rolling back to the previous successful deployment."),
                   step(1.5, "Performing health check on \(target) for the previous deployment."),
                   step(2, "Rollback completed successfully. Incoming traffic is routed to the previous deployment."),
                   event(2, failed), event(2, "Service status is set to RUNNING.")]
        return result
    }

    private func deploySteps(step: (Double, String) -> Line) -> [Line] {
        var result: [Line] = []
        let source = service.sourceConfiguration
        if let image = source.imageRepository {
            let registry = image.imageRepositoryType == .ecrPublic ? "ECR Public" : "ECR"
            result.append(step(0.1, "Pulling image \(image.imageIdentifier) from \(registry) repository."))
            result.append(step(0.3, "Successfully pulled your application image from \(registry)."))
        } else if let code = source.codeRepository {
            result.append(step(0.1, "Pulling source code from \(code.repositoryUrl) (\(code.sourceCodeVersion.value))."))
            result.append(step(0.3, "Successfully built your application from source code."))
        }
        let access = service.networkConfiguration.ingressConfiguration?.isPubliclyAccessible == false ? "privately" : "publicly"
        result.append(step(0.4, "Provisioning instances and deploying image for \(access) accessible service."))
        result.append(step(0.6, "Performing health check on \(Self.healthTarget(service))."))
        return result
    }
}

extension LocalAppRunner {
    /// Schedules `operation`'s deployment log and service events (stored with the call's write).
    func scheduleLog(of operation: OperationRecord) {
        guard let record = services[operation.serviceArn] else { return }
        let deployed = operation.type == .updateService ? (record.pending ?? record.service) : record.service
        let group = ServiceLogGroups.service(record.service)
        let start = Self.milliseconds(operation.startedAt)
        for line in DeploymentScript(operation: operation, service: deployed).lines {
            pendingLogs.append(StoredLogEvent(group: group, stream: line.stream,
                                              timestamp: start + Int64((line.at * operation.duration * 1000).rounded()),
                                              message: line.message))
        }
    }

    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded(.down)) }
}
