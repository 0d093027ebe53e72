import AWSCore
import AppRunner
import FoundationEssentials

extension LocalAppRunner {
    /// The embedded demo behind `runnerdeck --demo`: in memory, seeded, lifecycles ticking.
    /// Deployments fail now and then (`failureProbability`), and roll back.
    public static func demo(clock: any WallClock = SystemClock(), operationSeconds: Double = 6, failureProbability: Double = 0.1) async throws -> LocalAppRunner {
        let plane = try LocalAppRunner(options: LocalOptions(operationSeconds: operationSeconds, domainValidationSeconds: max(60, operationSeconds * 40), failureProbability: failureProbability), clock: clock)
        try await plane.seedDemoFleetIfEmpty()
        await plane.startTicker()
        return plane
    }

    /// Seeds a fleet that shows everything the dashboard can: services in every state, operation
    /// histories, a deployment that failed and rolled back, domains awaiting validation, and resources.
    /// Does nothing when services already exist (a persisted state).
    func seedDemoFleetIfEmpty() async throws {
        guard services.isEmpty else { return }
        let now = clock.now()
        let seconds = options.operationSeconds
        func image(_ name: String, _ id: String, port: String = "8080") -> SourceConfiguration {
            SourceConfiguration(imageRepository: ImageRepository(
                imageIdentifier: id, imageConfiguration: ImageConfiguration(runtimeEnvironmentVariables: ["LOG_LEVEL": "info", "REGION": options.region], port: port),
                imageRepositoryType: id.hasPrefix("public.") ? .ecrPublic : .ecr), autoDeploymentsEnabled: false)
        }
        func code(_ repo: String, runtime: Runtime, build: String, start: String) -> SourceConfiguration {
            SourceConfiguration(codeRepository: CodeRepository(
                repositoryUrl: repo, sourceCodeVersion: SourceCodeVersion(type: .branch, value: "main"),
                codeConfiguration: CodeConfiguration(configurationSource: .api, codeConfigurationValues: CodeConfigurationValues(
                    runtime: runtime, buildCommand: build, startCommand: start, port: "8080",
                    runtimeEnvironmentVariables: ["NODE_ENV": "production"], runtimeEnvironmentSecrets: ["DB_PASSWORD": "arn:aws:secretsmanager:\(options.region):\(options.accountId):secret:db-password"]))),
                autoDeploymentsEnabled: true,
                authenticationConfiguration: AuthenticationConfiguration(connectionArn: nil))
        }

        // Resources first, so services can use them.
        let connection = try await createConnection(CreateConnectionRequest(connectionName: "github-acme", providerType: .github))
        let scaling = try await createAutoScalingConfiguration(CreateAutoScalingConfigurationRequest(
            autoScalingConfigurationName: "high-traffic", maxConcurrency: 50, minSize: 2, maxSize: 10, tags: [Tag(key: "team", value: "web")]))
        _ = try await createAutoScalingConfiguration(CreateAutoScalingConfigurationRequest(
            autoScalingConfigurationName: "high-traffic", maxConcurrency: 80, minSize: 3, maxSize: 20))
        let connector = try await createVpcConnector(CreateVpcConnectorRequest(
            vpcConnectorName: "private-db", subnets: ["subnet-0a1b2c3d", "subnet-4e5f6a7b"], securityGroups: ["sg-0123abcd"]))
        let observability = try await createObservabilityConfiguration(CreateObservabilityConfigurationRequest(
            observabilityConfigurationName: "xray-tracing", traceConfiguration: TraceConfiguration(vendor: .awsxray)))

        struct Plan {
            var name: String
            var source: SourceConfiguration
            var instance: InstanceConfiguration? = nil
            var network: NetworkConfiguration? = nil
            var observability: ServiceObservabilityConfiguration? = nil
            var scaling: String? = nil
            var tags: [Tag] = []
        }
        let connectionArn = connection.connection.connectionArn
        var apiSource = code("https://github.com/acme/orders-api", runtime: .nodejs18, build: "npm ci && npm run build", start: "node dist/server.js")
        apiSource.authenticationConfiguration = AuthenticationConfiguration(connectionArn: connectionArn)
        let plans: [Plan] = [
            Plan(name: "storefront-web", source: image("storefront", "public.ecr.aws/aws-containers/hello-app-runner:latest"),
                 instance: InstanceConfiguration(cpu: "1 vCPU", memory: "2 GB"), scaling: scaling.autoScalingConfiguration.autoScalingConfigurationArn,
                 tags: [Tag(key: "team", value: "web"), Tag(key: "env", value: "prod")]),
            Plan(name: "orders-api", source: apiSource, instance: InstanceConfiguration(cpu: "2 vCPU", memory: "4 GB"),
                 observability: ServiceObservabilityConfiguration(observabilityEnabled: true, observabilityConfigurationArn: observability.observabilityConfiguration.observabilityConfigurationArn),
                 tags: [Tag(key: "team", value: "orders")]),
            Plan(name: "payments-worker", source: image("payments", "\(options.accountId).dkr.ecr.\(options.region).amazonaws.com/payments-worker:v2.14.1"),
                 network: NetworkConfiguration(egressConfiguration: EgressConfiguration(egressType: .vpc, vpcConnectorArn: connector.vpcConnector.vpcConnectorArn))),
            Plan(name: "search-api", source: code("https://github.com/acme/search", runtime: .python311, build: "pip install -r requirements.txt", start: "gunicorn app:app")),
            Plan(name: "admin-portal", source: image("admin", "\(options.accountId).dkr.ecr.\(options.region).amazonaws.com/admin-portal:2026.11.20")),
            Plan(name: "reports-batch", source: image("reports", "public.ecr.aws/nginx/nginx:1.27")),
            Plan(name: "legacy-billing", source: code("https://github.com/acme/billing", runtime: .corretto11, build: "./gradlew build", start: "java -jar build/libs/app.jar")),
            Plan(name: "image-resizer", source: image("resizer", "public.ecr.aws/aws-containers/hello-app-runner:resizer")),
            Plan(name: "notifications", source: code("https://github.com/acme/notify", runtime: .go1, build: "go build -o app", start: "./app")),
            Plan(name: "beta-checkout", source: image("checkout", "\(options.accountId).dkr.ecr.\(options.region).amazonaws.com/checkout:beta"),
                 tags: [Tag(key: LocalFailureTags.failCreate, value: "true")]),
            Plan(name: "old-landing-page", source: image("landing", "public.ecr.aws/nginx/nginx:1.25")),
            Plan(name: "inventory-sync", source: code("https://github.com/acme/inventory", runtime: .dotnet6, build: "dotnet publish", start: "dotnet Inventory.dll")),
            Plan(name: "internal-ledger", source: image("ledger", "\(options.accountId).dkr.ecr.\(options.region).amazonaws.com/ledger:3.2.0"),
                 instance: InstanceConfiguration(cpu: "0.5 vCPU", memory: "1 GB"),
                 network: NetworkConfiguration(ingressConfiguration: IngressConfiguration(isPubliclyAccessible: false))),
        ]
        var arns: [String: String] = [:]
        for plan in plans {
            let created = try await createService(CreateServiceRequest(
                serviceName: plan.name, sourceConfiguration: plan.source, instanceConfiguration: plan.instance, tags: plan.tags,
                autoScalingConfigurationArn: plan.scaling, networkConfiguration: plan.network, observabilityConfiguration: plan.observability))
            arns[plan.name] = created.service.serviceArn
        }
        // Back-date history: everything was created a day ago, and has finished creating.
        try await backdate(by: 86_400 + seconds * 4, now: now)
        await tick()

        func arn(_ name: String) -> String { arns[name] ?? "" }
        // The private service is reached through a VPC ingress connection (AVAILABLE once backdated below).
        _ = try await createVpcIngressConnection(CreateVpcIngressConnectionRequest(
            serviceArn: arn("internal-ledger"), vpcIngressConnectionName: "ledger-from-corp-vpc",
            ingressVpcConfiguration: IngressVpcConfiguration(vpcId: "vpc-0c0ffee0", vpcEndpointId: "vpce-0f00dfeed0001"),
            tags: [Tag(key: "team", value: "finance")]))
        // A deployment that failed and rolled back, two hours ago.
        try await failNextDeployment(of: arn("orders-api"))
        _ = try await startDeployment(StartDeploymentRequest(serviceArn: arn("orders-api")))
        try await backdate(by: 7_200, now: now)
        // Successful deployments in the past.
        _ = try await startDeployment(StartDeploymentRequest(serviceArn: arn("storefront-web")))
        _ = try await startDeployment(StartDeploymentRequest(serviceArn: arn("search-api")))
        try await backdate(by: 3_600, now: now)
        // Paused services, a deleted one.
        _ = try await pauseService(PauseServiceRequest(serviceArn: arn("reports-batch")))
        _ = try await pauseService(PauseServiceRequest(serviceArn: arn("legacy-billing")))
        _ = try await deleteService(DeleteServiceRequest(serviceArn: arn("old-landing-page")))
        try await backdate(by: 1_800, now: now)
        // Domains: one active, one awaiting validation (records shown), one just created.
        _ = try await associateCustomDomain(AssociateCustomDomainRequest(serviceArn: arn("storefront-web"), domainName: "shop.example.com"))
        try await backdate(by: options.domainValidationSeconds * 2, now: now)
        _ = try await associateCustomDomain(AssociateCustomDomainRequest(serviceArn: arn("storefront-web"), domainName: "www-beta.example.com", enableWWWSubdomain: false))
        _ = try await associateCustomDomain(AssociateCustomDomainRequest(serviceArn: arn("orders-api"), domainName: "api.example.com"))
        try await backdate(by: options.domainValidationSeconds * 0.4, now: now)
        // Under way right now: a deployment, a pause, a resume, and one more create.
        _ = try await startDeployment(StartDeploymentRequest(serviceArn: arn("image-resizer")))
        _ = try await pauseService(PauseServiceRequest(serviceArn: arn("notifications")))
        _ = try await resumeService(ResumeServiceRequest(serviceArn: arn("reports-batch")))
        _ = try await createService(CreateServiceRequest(
            serviceName: "feature-flags", sourceConfiguration: image("flags", "public.ecr.aws/aws-containers/hello-app-runner:flags")))
        await tick()
    }

    /// Moves every stored time back by `seconds` (demo history only).
    func backdate(by seconds: Double, now: Date) async throws {
        try await transaction { _ in
            for (arn, record) in services {
                var moved = record
                moved.service.createdAt = record.service.createdAt.addingTimeInterval(-seconds)
                moved.service.updatedAt = record.service.updatedAt.addingTimeInterval(-seconds)
                moved.service.deletedAt = record.service.deletedAt?.addingTimeInterval(-seconds)
                moved.pending?.createdAt = record.service.createdAt.addingTimeInterval(-seconds)
                moved.domains = record.domains.map { domain in
                    var domain = domain
                    domain.associatedAt = domain.associatedAt.addingTimeInterval(-seconds)
                    domain.disassociatedAt = domain.disassociatedAt?.addingTimeInterval(-seconds)
                    return domain
                }
                services[arn] = moved
                markDirty(.service, arn)
            }
            for (arn, ingress) in ingresses {
                ingresses[arn]?.value.createdAt = ingress.value.createdAt?.addingTimeInterval(-seconds)
                ingresses[arn]?.value.deletedAt = ingress.value.deletedAt?.addingTimeInterval(-seconds)
                ingresses[arn]?.changedAt = ingress.changedAt?.addingTimeInterval(-seconds)
                markDirty(.vpcIngress, arn)
            }
            for (id, operation) in operations {
                operations[id]?.startedAt = operation.startedAt.addingTimeInterval(-seconds)
                markDirty(.operation, id)
            }
            advance(now)
        }
        // The deployment logs and service events written so far move with their operations (this partition's only).
        try await store.shiftLogEvents(back: Int64((seconds * 1000).rounded()), groups: services.values.map { ServiceLogGroups.service($0.service) })
    }
}
