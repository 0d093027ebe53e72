import AppRunner
import FoundationEssentials

/// Custom domains: association, DNS validation records, and the status they pass through.
extension LocalAppRunner {
    func domainView(_ domain: DomainRecord, at now: Date) -> CustomDomain {
        let wait = options.domainValidationSeconds
        let elapsed = now.timeIntervalSince(domain.associatedAt)
        let status: CustomDomainAssociationStatus
        var records: [CertificateValidationRecord]? = domain.records
        if domain.disassociatedAt != nil {
            status = .deleting
        } else if domain.domainName.count > 64 {
            status = elapsed < wait * 0.2 ? .creating : .createFailed
            if status == .creating { records = nil }
        } else if elapsed < wait * 0.2 {
            status = .creating
            records = nil
        } else if options.domainValidationResolver != nil {
            // Validated by DNS: pending until the records resolve, then binding for half the wait.
            let since = domain.validatedAt.map { now.timeIntervalSince($0) }
            status = since.map { $0 < wait * 0.5 ? .bindingCertificate : .active } ?? .pendingCertificateDnsValidation
        } else if elapsed < wait {
            status = .pendingCertificateDnsValidation
        } else if elapsed < wait * 1.5 {
            status = .bindingCertificate
        } else {
            status = .active
        }
        let validated = options.domainValidationResolver == nil ? elapsed >= wait : domain.validatedAt != nil
        if validated, domain.domainName.count <= 64 {
            records = records?.map { var record = $0; record.status = .success; return record }
        }
        return CustomDomain(domainName: domain.domainName, enableWWWSubdomain: domain.www, certificateValidationRecords: records, status: status)
    }

    func dnsTarget(_ service: Service) -> String {
        service.serviceUrl ?? "\(service.serviceId).\(options.region).awsapprunner.com"
    }

    func vpcDNSTargets(_ serviceArn: String) -> [VpcDNSTarget] {
        ingresses.values.filter { $0.value.serviceArn == serviceArn && $0.value.status == .available }.map {
            VpcDNSTarget(vpcIngressConnectionArn: $0.value.vpcIngressConnectionArn, vpcId: $0.value.ingressVpcConfiguration?.vpcId,
                         domainName: $0.value.domainName)
        }
    }

    static func validationRecords(for domain: String, www: Bool) -> [CertificateValidationRecord] {
        func record(_ name: String) -> CertificateValidationRecord {
            CertificateValidationRecord(name: "_\(LocalIDs.hex32()).\(name).", type: "CNAME",
                                        value: "_\(LocalIDs.hex32()).\(LocalIDs.lower(10)).acm-validations.aws.", status: .pendingValidation)
        }
        // A wildcard's certificate is validated on its base name (as ACM does), and has no www form (inferred).
        let wildcard = domain.hasPrefix("*.")
        let base = wildcard ? String(domain.dropFirst(2)) : domain
        var records = [record(base), record("2a57j7\(LocalIDs.lowerAlnum(25)).\(base)")]
        if www && !wildcard { records.append(record("www.\(base)")) }
        return records
    }

    public func associateCustomDomain(_ input: AssociateCustomDomainRequest) async throws -> AssociateCustomDomainResponse {
        try await transaction { now in
            let (record, status) = try liveService(input.serviceArn, at: now)
            guard status == .running else { throw invalidState("associated with a custom domain", status) }
            let name = input.domainName.lowercased()
            if record.domains.contains(where: { $0.domainName == name }) {
                throw InvalidRequestException(message: "\(name) is already associated with \(input.serviceArn)")
            }
            if record.domains.count >= 5 {
                throw InvalidRequestException(message: "You can associate up to 5 custom domains with a service.")
            }
            let www = input.enableWWWSubdomain ?? true
            let domain = DomainRecord(domainName: name, www: www, associatedAt: now, disassociatedAt: nil,
                                      records: Self.validationRecords(for: name, www: www))
            services[input.serviceArn]?.domains.append(domain)
            markDirty(.service, input.serviceArn)
            return AssociateCustomDomainResponse(dnsTarget: dnsTarget(record.service), serviceArn: input.serviceArn,
                                                 customDomain: domainView(domain, at: now), vpcDNSTargets: vpcDNSTargets(input.serviceArn))
        }
    }

    public func describeCustomDomains(_ input: DescribeCustomDomainsRequest) async throws -> DescribeCustomDomainsResponse {
        try await transaction { now in
            guard let record = services[input.serviceArn] else { throw notFound(input.serviceArn) }
            let page = try PageToken.page(record.domains.map { domainView($0, at: now) }, maxResults: input.maxResults, nextToken: input.nextToken)
            return DescribeCustomDomainsResponse(dnsTarget: dnsTarget(record.service), serviceArn: input.serviceArn, customDomains: page.items,
                                                 vpcDNSTargets: vpcDNSTargets(input.serviceArn), nextToken: page.next)
        }
    }

    public func disassociateCustomDomain(_ input: DisassociateCustomDomainRequest) async throws -> DisassociateCustomDomainResponse {
        try await transaction { now in
            let (record, status) = try liveService(input.serviceArn, at: now)
            let name = input.domainName.lowercased()
            guard let index = record.domains.firstIndex(where: { $0.domainName == name && $0.disassociatedAt == nil }) else {
                throw ResourceNotFoundException(message: "No custom domain \(input.domainName) found for the provided service")
            }
            guard status == .running else { throw invalidState("disassociated from a custom domain", status) }
            services[input.serviceArn]?.domains[index].disassociatedAt = now
            markDirty(.service, input.serviceArn)
            let domain = services[input.serviceArn]?.domains[index] ?? record.domains[index]
            return DisassociateCustomDomainResponse(dnsTarget: dnsTarget(record.service), serviceArn: input.serviceArn,
                                                    customDomain: domainView(domain, at: now), vpcDNSTargets: vpcDNSTargets(input.serviceArn))
        }
    }
}
