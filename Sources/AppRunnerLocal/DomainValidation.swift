import AWSCore
import AppRunner
import DNSClient
import FoundationEssentials
import Logging

/// `--domain-validation dns`: a custom domain in `pending_certificate_dns_validation` is validated
/// once every one of its validation CNAMEs resolves to its value through ``LocalOptions/domainValidationResolver``
/// (the DNS client the checker uses), asked about once a second; binding then takes half the wait.
extension LocalAppRunner {
    struct AwaitingDomain: Sendable {
        var serviceArn: String
        var domainName: String
        var records: [CertificateValidationRecord]
    }

    /// Domains that show their records and wait for them in DNS.
    func domainsAwaitingDNS() -> [AwaitingDomain] {
        let now = clock.now()
        return services.flatMap { arn, record in
            record.domains.filter { domainView($0, at: now).status == .pendingCertificateDnsValidation }
                .map { AwaitingDomain(serviceArn: arn, domainName: $0.domainName, records: $0.records) }
        }
    }

    /// One pass: asks the DNS about every waiting domain, and marks those whose records all resolve.
    public func validateDomainsInDNS() async {
        guard let resolver = options.domainValidationResolver else { return }
        for domain in domainsAwaitingDNS() where await Self.resolves(domain.records, resolver: resolver) {
            do {
                try await transaction { now in
                    guard let index = services[domain.serviceArn]?.domains.firstIndex(where: {
                        $0.domainName == domain.domainName && $0.disassociatedAt == nil && $0.validatedAt == nil
                    }) else { return }
                    services[domain.serviceArn]?.domains[index].validatedAt = now
                    markDirty(.service, domain.serviceArn)
                }
            } catch {
                logger.error("could not store the validation of \(domain.domainName): \(error)")
            }
        }
    }

    /// True when every record answers its CNAME value (the answer's own name, any case, dot or not).
    static func resolves(_ records: [CertificateValidationRecord], resolver: DNSResolver) async -> Bool {
        for record in records {
            guard let name = record.name, let value = record.value,
                  case .records(let values)? = try? await resolver.resolve(name, .cname).outcome,
                  values.contains(where: { DNSName.normalize($0) == DNSName.normalize(value) }) else { return false }
        }
        return true
    }

    /// Runs ``validateDomainsInDNS()`` every `interval` seconds until ``stopTicker()``.
    func startDNSValidation(interval: Double = 1) {
        dnsValidator?.cancel()
        guard options.domainValidationResolver != nil else { return }
        dnsValidator = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: UInt64(max(0.05, interval) * 1_000_000_000))
                guard let self else { return }
                await self.validateDomainsInDNS()
            }
        }
    }
}
