import AppRunner
import FoundationEssentials

/// Source code connections (GitHub, Bitbucket).
extension LocalAppRunner {
    public func createConnection(_ input: CreateConnectionRequest) async throws -> CreateConnectionResponse {
        try await transaction { now in
            if connections.values.contains(where: { $0.value.connectionName == input.connectionName }) {
                throw InvalidRequestException(message: "Connection with the provided name already exists: \(input.connectionName)")
            }
            let arn = arn("connection/\(input.connectionName)/\(LocalIDs.hex32())")
            let connection = Connection(connectionName: input.connectionName, connectionArn: arn, providerType: input.providerType,
                                        status: .pendingHandshake, createdAt: now)
            connections[arn] = TaggedRecord(value: connection, tags: input.tags ?? [])
            markDirty(.connection, arn)
            return CreateConnectionResponse(connection: connection)
        }
    }

    public func deleteConnection(_ input: DeleteConnectionRequest) async throws -> DeleteConnectionResponse {
        try await transaction { _ in
            guard var connection = connections[input.connectionArn]?.value else { throw notFound(input.connectionArn) }
            connections[input.connectionArn] = nil
            markDirty(.connection, input.connectionArn)
            connection.status = .deleted
            return DeleteConnectionResponse(connection: connection)
        }
    }

    public func listConnections(_ input: ListConnectionsRequest) async throws -> ListConnectionsResponse {
        try await transaction { _ in
            let all = connections.values.map(\.value)
                .filter { input.connectionName == nil || $0.connectionName == input.connectionName }
                .sorted { ($0.createdAt ?? .distantPast, $0.connectionArn ?? "") < ($1.createdAt ?? .distantPast, $1.connectionArn ?? "") }
                .map { ConnectionSummary(connectionName: $0.connectionName, connectionArn: $0.connectionArn, providerType: $0.providerType,
                                         status: $0.status, createdAt: $0.createdAt) }
            let page = try PageToken.page(all, maxResults: input.maxResults, nextToken: input.nextToken)
            return ListConnectionsResponse(connectionSummaryList: page.items, nextToken: page.next)
        }
    }
}
