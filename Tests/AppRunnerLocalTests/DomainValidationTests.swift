import AppRunner
import DNSClient
import Foundation
import Testing

@testable import AppRunnerLocal

/// `--domain-validation dns`: a domain waits in pending_certificate_dns_validation until its
/// validation records resolve through the DNS client, however long that takes.
@Suite(.timeLimit(.minutes(2))) struct DomainValidationTests {
    @Test func aDomainBindsOnlyOnceEveryValidationRecordResolves() async throws {
        let dns = try await DNSTestServer.start()
        let clock = ManualClock()
        let resolver = DNSResolver(servers: [try DNSServer(parsing: dns.address)], options: DNSResolverOptions(timeout: .milliseconds(500), attempts: 1))
        let plane = try LocalAppRunner(options: LocalOptions(operationSeconds: 10, domainValidationSeconds: 20, domainValidationResolver: resolver), clock: clock)
        let request = CreateServiceRequest(serviceName: "dns-checked", sourceConfiguration: SourceConfiguration(
            imageRepository: ImageRepository(imageIdentifier: "public.ecr.aws/aws-containers/hello-app-runner:latest", imageRepositoryType: .ecrPublic)))
        let arn = try await plane.createService(request).service.serviceArn
        clock.advance(by: 11)
        _ = try await plane.associateCustomDomain(AssociateCustomDomainRequest(serviceArn: arn, domainName: "shop.example.com", enableWWWSubdomain: false))
        func domain() async throws -> CustomDomain {
            try #require(try await plane.describeCustomDomains(DescribeCustomDomainsRequest(serviceArn: arn)).customDomains.first)
        }
        await plane.validateDomainsInDNS()
        #expect(try await domain().status == .creating)
        clock.advance(by: 5)
        let records = try #require(try await domain().certificateValidationRecords)
        #expect(records.count == 2)
        // The first record only, then a wrong value for the second: still pending, long past the fixed time.
        dns.update { $0.entries = [.cname(records[0].name ?? "", records[0].value ?? "")] }
        await plane.validateDomainsInDNS()
        clock.advance(by: 100)
        dns.update { $0.entries.append(.cname(records[1].name ?? "", "_other.acm-validations.aws")) }
        await plane.validateDomainsInDNS()
        #expect(try await domain().status == .pendingCertificateDnsValidation)
        #expect(try await domain().certificateValidationRecords?.allSatisfy { $0.status == .pendingValidation } == true)
        let asked = dns.queries.udp
        #expect(asked >= 3)
        dns.update { $0.entries = records.map { .cname(($0.name ?? "").uppercased(), $0.value ?? "") } }
        await plane.validateDomainsInDNS()
        #expect(try await domain().status == .bindingCertificate)
        #expect(try await domain().certificateValidationRecords?.allSatisfy { $0.status == .success } == true)
        await plane.validateDomainsInDNS()  // a validated domain is not asked about again
        #expect(dns.queries.udp == asked + 2)
        clock.advance(by: 10)
        #expect(try await domain().status == .active)
        await dns.stop()
    }
}
