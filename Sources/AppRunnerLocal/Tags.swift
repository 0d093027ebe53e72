import AppRunner
import FoundationEssentials

/// Tags of every taggable resource.
extension LocalAppRunner {
    func tags(of arn: String) throws -> [Tag] {
        if services[arn] != nil { return serviceTags[arn] ?? [] }
        if let record = scalings[arn] { return record.tags }
        if let record = connections[arn] { return record.tags }
        if let record = connectors[arn] { return record.tags }
        if let record = ingresses[arn] { return record.tags }
        if let record = observabilities[arn] { return record.tags }
        throw notFound(arn)
    }

    func setTags(_ tags: [Tag], of arn: String) {
        if services[arn] != nil {
            serviceTags[arn] = tags
            markDirty(.serviceTags, arn)
        } else if scalings[arn] != nil {
            scalings[arn]?.tags = tags
            markDirty(.autoScaling, arn)
        } else if connections[arn] != nil {
            connections[arn]?.tags = tags
            markDirty(.connection, arn)
        } else if connectors[arn] != nil {
            connectors[arn]?.tags = tags
            markDirty(.vpcConnector, arn)
        } else if ingresses[arn] != nil {
            ingresses[arn]?.tags = tags
            markDirty(.vpcIngress, arn)
        } else if observabilities[arn] != nil {
            observabilities[arn]?.tags = tags
            markDirty(.observability, arn)
        }
    }

    public func tagResource(_ input: TagResourceRequest) async throws -> TagResourceResponse {
        try await transaction { _ in
            var tags = try tags(of: input.resourceArn)
            for tag in input.tags {
                if let index = tags.firstIndex(where: { $0.key == tag.key }) { tags[index] = tag } else { tags.append(tag) }
            }
            if tags.count > 50 {
                throw InvalidRequestException(message: "A resource can have at most 50 tags.")
            }
            setTags(tags, of: input.resourceArn)
            return TagResourceResponse()
        }
    }

    public func untagResource(_ input: UntagResourceRequest) async throws -> UntagResourceResponse {
        try await transaction { _ in
            let tags = try tags(of: input.resourceArn).filter { tag in !input.tagKeys.contains { $0 == tag.key } }
            setTags(tags, of: input.resourceArn)
            return UntagResourceResponse()
        }
    }

    public func listTagsForResource(_ input: ListTagsForResourceRequest) async throws -> ListTagsForResourceResponse {
        try await transaction { _ in
            ListTagsForResourceResponse(tags: try tags(of: input.resourceArn))
        }
    }
}
