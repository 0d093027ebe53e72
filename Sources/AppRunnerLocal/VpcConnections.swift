import AppRunner
import FoundationEssentials

/// VPC connectors (outgoing traffic) and VPC ingress connections (private services).
extension LocalAppRunner {
    public func createVpcConnector(_ input: CreateVpcConnectorRequest) async throws -> CreateVpcConnectorResponse {
        try await transaction { now in
            let revisions = connectors.values.filter { $0.value.vpcConnectorName == input.vpcConnectorName && $0.value.status == .active }
            let revision = (revisions.compactMap(\.value.vpcConnectorRevision).max() ?? 0) + 1
            let arn = revisionArn("vpcconnector", name: input.vpcConnectorName, revision: revision)
            let connector = VpcConnector(vpcConnectorName: input.vpcConnectorName, vpcConnectorArn: arn, vpcConnectorRevision: revision,
                                         subnets: input.subnets, securityGroups: input.securityGroups ?? [], status: .active, createdAt: now)
            connectors[arn] = TaggedRecord(value: connector, tags: input.tags ?? [])
            markDirty(.vpcConnector, arn)
            return CreateVpcConnectorResponse(vpcConnector: connector)
        }
    }

    public func describeVpcConnector(_ input: DescribeVpcConnectorRequest) async throws -> DescribeVpcConnectorResponse {
        try await transaction { _ in
            guard let connector = connectors[input.vpcConnectorArn]?.value else { throw notFound(input.vpcConnectorArn) }
            return DescribeVpcConnectorResponse(vpcConnector: connector)
        }
    }

    public func deleteVpcConnector(_ input: DeleteVpcConnectorRequest) async throws -> DeleteVpcConnectorResponse {
        try await transaction { now in
            guard let connector = connectors[input.vpcConnectorArn]?.value, connector.status == .active else { throw notFound(input.vpcConnectorArn) }
            let inUse = services.values.contains {
                $0.service.status != .deleted && $0.service.networkConfiguration.egressConfiguration?.vpcConnectorArn == input.vpcConnectorArn
            }
            if inUse {
                throw InvalidRequestException(message: "You can't delete the VPC connector. It's used by one or more services.")
            }
            connectors[input.vpcConnectorArn]?.value.status = .inactive
            connectors[input.vpcConnectorArn]?.value.deletedAt = now
            markDirty(.vpcConnector, input.vpcConnectorArn)
            return DeleteVpcConnectorResponse(vpcConnector: connectors[input.vpcConnectorArn]?.value ?? connector)
        }
    }

    public func listVpcConnectors(_ input: ListVpcConnectorsRequest) async throws -> ListVpcConnectorsResponse {
        try await transaction { _ in
            let all = connectors.values.map(\.value)
                .sorted { ($0.vpcConnectorName ?? "", $0.vpcConnectorRevision ?? 0) < ($1.vpcConnectorName ?? "", $1.vpcConnectorRevision ?? 0) }
            let page = try PageToken.page(all, maxResults: input.maxResults, nextToken: input.nextToken)
            return ListVpcConnectorsResponse(vpcConnectors: page.items, nextToken: page.next)
        }
    }

    // MARK: - VPC ingress connections

    public func createVpcIngressConnection(_ input: CreateVpcIngressConnectionRequest) async throws -> CreateVpcIngressConnectionResponse {
        try await transaction { now in
            let (record, status) = try liveService(input.serviceArn, at: now)
            guard status != .deleted else { throw invalidState("connected", status) }
            if record.service.networkConfiguration.ingressConfiguration?.isPubliclyAccessible != false {
                throw InvalidRequestException(message: "A VPC ingress connection requires a service that isn't publicly accessible (IngressConfiguration.IsPubliclyAccessible false).")
            }
            let existing = ingresses.values.contains {
                $0.value.serviceArn == input.serviceArn && $0.value.status != .deleted
            }
            if existing {
                throw InvalidStateException(message: "The service already has a VPC ingress connection.")
            }
            let arn = arn("vpcingressconnection/\(input.vpcIngressConnectionName)/\(LocalIDs.hex32())")
            let ingress = VpcIngressConnection(
                vpcIngressConnectionArn: arn, vpcIngressConnectionName: input.vpcIngressConnectionName, serviceArn: input.serviceArn,
                status: .pendingCreation, accountId: options.accountId,
                domainName: "\(LocalIDs.lowerAlnum(10)).\(LocalIDs.lowerAlnum(10)).\(options.region).awsapprunner.com",
                ingressVpcConfiguration: input.ingressVpcConfiguration, createdAt: now)
            ingresses[arn] = TaggedRecord(value: ingress, tags: input.tags ?? [])
            markDirty(.vpcIngress, arn)
            return CreateVpcIngressConnectionResponse(vpcIngressConnection: ingress)
        }
    }

    public func describeVpcIngressConnection(_ input: DescribeVpcIngressConnectionRequest) async throws -> DescribeVpcIngressConnectionResponse {
        try await transaction { _ in
            guard let ingress = ingresses[input.vpcIngressConnectionArn]?.value else { throw notFound(input.vpcIngressConnectionArn) }
            return DescribeVpcIngressConnectionResponse(vpcIngressConnection: ingress)
        }
    }

    public func updateVpcIngressConnection(_ input: UpdateVpcIngressConnectionRequest) async throws -> UpdateVpcIngressConnectionResponse {
        try await transaction { now in
            guard let ingress = ingresses[input.vpcIngressConnectionArn]?.value, ingress.status != .deleted else {
                throw notFound(input.vpcIngressConnectionArn)
            }
            guard ingress.status == .available || ingress.status == .failedUpdate else {
                throw InvalidStateException(message: "VPC ingress connection cannot be updated in the current state: \(ingress.status?.rawValue ?? "").")
            }
            ingresses[input.vpcIngressConnectionArn]?.value.ingressVpcConfiguration = input.ingressVpcConfiguration
            ingresses[input.vpcIngressConnectionArn]?.value.status = .pendingUpdate
            // The update takes operationSeconds from now (not from CreatedAt).
            ingresses[input.vpcIngressConnectionArn]?.changedAt = now
            markDirty(.vpcIngress, input.vpcIngressConnectionArn)
            return UpdateVpcIngressConnectionResponse(vpcIngressConnection: ingresses[input.vpcIngressConnectionArn]?.value ?? ingress)
        }
    }

    public func deleteVpcIngressConnection(_ input: DeleteVpcIngressConnectionRequest) async throws -> DeleteVpcIngressConnectionResponse {
        try await transaction { now in
            guard let ingress = ingresses[input.vpcIngressConnectionArn]?.value, ingress.status != .deleted else {
                throw notFound(input.vpcIngressConnectionArn)
            }
            guard [.available, .failedCreation, .failedUpdate, .failedDeletion].contains(ingress.status) else {
                throw InvalidStateException(message: "VPC ingress connection cannot be deleted in the current state: \(ingress.status?.rawValue ?? "").")
            }
            ingresses[input.vpcIngressConnectionArn]?.value.status = .pendingDeletion
            ingresses[input.vpcIngressConnectionArn]?.value.deletedAt = now
            ingresses[input.vpcIngressConnectionArn]?.changedAt = now
            markDirty(.vpcIngress, input.vpcIngressConnectionArn)
            return DeleteVpcIngressConnectionResponse(vpcIngressConnection: ingresses[input.vpcIngressConnectionArn]?.value ?? ingress)
        }
    }

    public func listVpcIngressConnections(_ input: ListVpcIngressConnectionsRequest) async throws -> ListVpcIngressConnectionsResponse {
        try await transaction { _ in
            let all = ingresses.values.map(\.value)
                .filter { $0.status != .deleted }
                .filter { input.filter?.serviceArn == nil || $0.serviceArn == input.filter?.serviceArn }
                .filter { input.filter?.vpcEndpointId == nil || $0.ingressVpcConfiguration?.vpcEndpointId == input.filter?.vpcEndpointId }
                .sorted { ($0.createdAt ?? .distantPast, $0.vpcIngressConnectionArn ?? "") < ($1.createdAt ?? .distantPast, $1.vpcIngressConnectionArn ?? "") }
                .map { VpcIngressConnectionSummary(vpcIngressConnectionArn: $0.vpcIngressConnectionArn, serviceArn: $0.serviceArn) }
            let page = try PageToken.page(all, maxResults: input.maxResults, nextToken: input.nextToken)
            return ListVpcIngressConnectionsResponse(vpcIngressConnectionSummaryList: page.items, nextToken: page.next)
        }
    }
}
