import AppRunner
import FoundationEssentials

/// A change an operator makes to a service, from a dashboard key or a CLI command.
///
/// One vocabulary for both: what each action is called, what the service's state allows, and the
/// one call that performs it. The dashboard confirms first and enforces read-only in its store; the
/// CLI prints the response and may follow the operation.
public enum ServiceAction: Sendable, Hashable {
    case pause, resume, deploy, delete
    /// UpdateService with another tag or digest of the same image repository (image-based services).
    case deployImage(String)
    case associate(domain: String, enableWWW: Bool)
    case disassociate(domain: String)

    /// The bare verb (`pause`), as the confirmation and the log word it.
    public var verb: String {
        switch self {
        case .pause: return "pause"
        case .resume: return "resume"
        case .deploy: return "deploy"
        case .delete: return "delete"
        case .deployImage(let image): return "deploy \(image) to"
        case .associate(let domain, _): return "associate \(domain) with"
        case .disassociate(let domain): return "disassociate \(domain) from"
        }
    }

    /// The action with its service named: `pause web`, `associate api.example.com with web`.
    public func phrase(service: String) -> String { "\(verb) \(service)" }

    /// The verb in progress (`Pausing`), for progress lines.
    public var progressive: String {
        switch self {
        case .pause: return "Pausing"
        case .resume: return "Resuming"
        case .deploy: return "Deploying"
        case .delete: return "Deleting"
        case .deployImage(let image): return "Deploying \(image) to"
        case .associate(let domain, _): return "Associating \(domain) with"
        case .disassociate(let domain): return "Disassociating \(domain) from"
        }
    }

    /// True for actions that cannot be undone (asked for by typing the service's name).
    public var isDestructive: Bool { self == .delete }

    /// Whether a service in `status` accepts this action; nil when it does, otherwise why not (in
    /// App Runner's terms), so a UI offers only what the state allows and says why.
    public func refusal(for status: ServiceStatus?) -> String? {
        guard let status else { return nil }
        switch (self, status) {
        case (_, .deleted):
            return "the service is deleted"
        case (.delete, .operationInProgress):
            return nil  // App Runner accepts a delete while an operation runs.
        case (_, .operationInProgress):
            return "an operation is in progress"
        case (.pause, .paused):
            return "the service is already paused"
        case (.resume, .running):
            return "the service is already running"
        case (.resume, .createFailed), (.pause, .createFailed), (.deploy, .createFailed),
             (.associate, .createFailed), (.disassociate, .createFailed):
            return "the service failed to create; only delete applies"
        case (.deploy, .paused), (.deployImage, .paused):
            return "the service is paused; resume it first"
        case (.deployImage, .createFailed), (.deployImage, .deleteFailed):
            return "the service failed to create or delete; only delete applies"
        case (.pause, .deleteFailed), (.resume, .deleteFailed), (.deploy, .deleteFailed):
            return "the service failed to delete; only delete applies"
        default:
            return nil
        }
    }

    /// Performs the action on `serviceArn` through `api`.
    ///
    /// When the answer to an attempt is lost on the way (a reset or cut-off connection) the client
    /// retries, and App Runner refuses the retry because the first attempt's operation is already
    /// running. That refusal is recognised: an operation of this action's type started since the call
    /// began is taken as the answer, so an action that happened is never reported as failed.
    public func perform(on api: any AppRunnerAPI, serviceArn: String, now: @Sendable () -> Date = { Date() }) async throws -> ServiceActionResponse {
        let started = now().addingTimeInterval(-5)
        do {
            return try await send(on: api, serviceArn: serviceArn)
        } catch let refusal as InvalidStateException {
            guard let adopted = try await adoptRunningOperation(on: api, serviceArn: serviceArn, since: started) else { throw refusal }
            return adopted
        }
    }

    /// The operation type App Runner starts for this action.
    var operationType: OperationType? {
        switch self {
        case .pause: return .pauseService
        case .resume: return .resumeService
        case .deploy: return .startDeployment
        case .deployImage: return .updateService
        case .delete: return .deleteService
        case .associate, .disassociate: return nil
        }
    }

    private func adoptRunningOperation(on api: any AppRunnerAPI, serviceArn: String, since: Date) async throws -> ServiceActionResponse? {
        guard let type = operationType else { return nil }
        let newest = try await api.listOperations(ListOperationsRequest(serviceArn: serviceArn, maxResults: 1)).operationSummaryList?.first
        guard let operation = newest, operation.type == type, let id = operation.id,
              let startedAt = operation.startedAt, startedAt >= since else { return nil }
        let service = try await api.describeService(DescribeServiceRequest(serviceArn: serviceArn)).service
        switch self {
        case .pause: return .pause(PauseServiceResponse(service: service, operationId: id))
        case .resume: return .resume(ResumeServiceResponse(service: service, operationId: id))
        case .deploy: return .deploy(StartDeploymentResponse(operationId: id))
        case .deployImage: return .update(UpdateServiceResponse(service: service, operationId: id))
        case .delete: return .delete(DeleteServiceResponse(service: service, operationId: id))
        case .associate, .disassociate: return nil
        }
    }

    private func send(on api: any AppRunnerAPI, serviceArn: String) async throws -> ServiceActionResponse {
        switch self {
        case .pause:
            return .pause(try await api.pauseService(PauseServiceRequest(serviceArn: serviceArn)))
        case .resume:
            return .resume(try await api.resumeService(ResumeServiceRequest(serviceArn: serviceArn)))
        case .deploy:
            return .deploy(try await api.startDeployment(StartDeploymentRequest(serviceArn: serviceArn)))
        case .deployImage(let image):
            // The same source configuration with only the image identifier changed.
            let service = try await api.describeService(DescribeServiceRequest(serviceArn: serviceArn)).service
            guard var source = service.sourceConfiguration.imageRepository else {
                throw ServiceActionError.notImageBased(service.serviceName)
            }
            source.imageIdentifier = image
            var configuration = service.sourceConfiguration
            configuration.imageRepository = source
            return .update(try await api.updateService(UpdateServiceRequest(serviceArn: serviceArn, sourceConfiguration: configuration)))
        case .delete:
            return .delete(try await api.deleteService(DeleteServiceRequest(serviceArn: serviceArn)))
        case .associate(let domain, let www):
            return .associate(try await api.associateCustomDomain(
                AssociateCustomDomainRequest(serviceArn: serviceArn, domainName: domain, enableWWWSubdomain: www)))
        case .disassociate(let domain):
            return .disassociate(try await api.disassociateCustomDomain(
                DisassociateCustomDomainRequest(serviceArn: serviceArn, domainName: domain)))
        }
    }
}

/// What App Runner answered to a ``ServiceAction``.
public enum ServiceActionResponse: Sendable {
    case update(UpdateServiceResponse)
    case pause(PauseServiceResponse)
    case resume(ResumeServiceResponse)
    case deploy(StartDeploymentResponse)
    case delete(DeleteServiceResponse)
    case associate(AssociateCustomDomainResponse)
    case disassociate(DisassociateCustomDomainResponse)

    /// The operation the action started; nil when there was nothing to do (pausing a paused
    /// service) or the action starts none (domains).
    public var operationId: String? {
        switch self {
        case .update(let r): return r.operationId
        case .pause(let r): return r.operationId
        case .resume(let r): return r.operationId
        case .deploy(let r): return r.operationId
        case .delete(let r): return r.operationId
        case .associate, .disassociate: return nil
        }
    }

    /// The service as the answer describes it (StartDeployment returns none).
    public var service: Service? {
        switch self {
        case .update(let r): return r.service
        case .pause(let r): return r.service
        case .resume(let r): return r.service
        case .delete(let r): return r.service
        case .deploy, .associate, .disassociate: return nil
        }
    }

    /// The custom domain as the answer describes it (domain actions only).
    public var customDomain: CustomDomain? {
        switch self {
        case .associate(let r): return r.customDomain
        case .disassociate(let r): return r.customDomain
        default: return nil
        }
    }

    /// The response itself, for printing it as the service sent it.
    public var body: any Encodable & Sendable {
        switch self {
        case .update(let r): return r
        case .pause(let r): return r
        case .resume(let r): return r
        case .deploy(let r): return r
        case .delete(let r): return r
        case .associate(let r): return r
        case .disassociate(let r): return r
        }
    }
}

/// Why an action could not even be asked of App Runner.
enum ServiceActionError: Error, Sendable, CustomStringConvertible {
    case notImageBased(String)

    public var description: String {
        switch self {
        case .notImageBased(let name): return "\(name) deploys from a source code repository, not an image; use deploy"
        }
    }
}
