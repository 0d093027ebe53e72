import AWSCore
import Foundation
import Testing

@testable import AppRunner

/// The repository root, found from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

@Suite(.timeLimit(.minutes(5))) struct GeneratedCodeTests {
    @Test func committedSourcesMatchTheGenerator() async throws {
        let process = try await runProcess(["python3", repositoryRoot.appendingPathComponent("Scripts/generate.py").path, "--check"])
        #expect(process.status == 0, "regenerate with `python3 Scripts/generate.py`: \(process.stderr)")
    }

    @Test func everyOperationOfTheModelIsThere() throws {
        let data = try Data(contentsOf: repositoryRoot.appendingPathComponent("Assets/apprunner-2020-05-15.json"))
        let model = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let operations = try #require(model["operations"] as? [String: Any])
        #expect(operations.count == 37)
        #expect(Set(AppRunnerOperation.allCases.map(\.rawValue)) == Set(operations.keys))
        #expect(AppRunnerOperation.listServices.isPaginated)
        #expect(!AppRunnerOperation.pauseService.isPaginated)
    }

    @Test func everyModelPatternCompiles() {
        #expect(AppRunnerPatterns.all.count >= 16)
        for pattern in AppRunnerPatterns.all {
            #expect(pattern.isUsable, "pattern does not compile: \(pattern.pattern)")
        }
    }

    @Test func serviceInfoComesFromTheModel() {
        #expect(AWSServiceInfo.appRunner.targetPrefix == "AppRunner")
        #expect(AWSServiceInfo.appRunner.signingName == "apprunner")
        #expect(AWSServiceInfo.appRunner.apiVersion == "2020-05-15")
    }
}

@Suite(.timeLimit(.minutes(5))) struct EnumTests {
    @Test func decodesLowerCaseStatusesAsTheServiceSendsThem() throws {
        let json = #"""
        {"DNSTarget":"abcdefghij.us-east-1.awsapprunner.com","ServiceArn":"arn:aws:apprunner:us-east-1:123456789012:service/api/0123456789abcdef0123456789abcdef",
         "CustomDomains":[{"DomainName":"example.com","EnableWWWSubdomain":true,"Status":"pending_certificate_dns_validation",
           "CertificateValidationRecords":[{"Name":"_0123456789abcdef0123456789abcdef.example.com.","Type":"CNAME","Value":"_fedcba9876543210fedcba9876543210.abcdefghij.acm-validations.aws.","Status":"PENDING_VALIDATION"}]}],
         "VpcDNSTargets":[]}
        """#
        let response = try AppRunnerJSON.decode(DescribeCustomDomainsResponse.self, from: Data(json.utf8))
        let domain = try #require(response.customDomains.first)
        #expect(domain.status == .pendingCertificateDnsValidation)
        #expect(domain.certificateValidationRecords?.first?.status == .pendingValidation)
        #expect(response.dnsTarget == "abcdefghij.us-east-1.awsapprunner.com")
    }

    @Test func encodesCustomDomainAndAutoScalingStatusesInLowerCase() throws {
        #expect(CustomDomainAssociationStatus.bindingCertificate.wireValue == "binding_certificate")
        #expect(CustomDomainAssociationStatus.bindingCertificate.rawValue == "BINDING_CERTIFICATE")
        #expect(AutoScalingConfigurationStatus.active.wireValue == "active")
        #expect(ServiceStatus.operationInProgress.wireValue == "OPERATION_IN_PROGRESS")
        let data = try AppRunnerJSON.encode([CustomDomainAssociationStatus.active])
        #expect(String(decoding: data, as: UTF8.self) == #"["active"]"#)
    }

    @Test func keepsValuesItDoesNotKnow() throws {
        let decoded = try AppRunnerJSON.decode([Runtime].self, from: Data(#"["PYTHON_311","PYTHON_42","nodejs_18"]"#.utf8))
        #expect(decoded[0] == .python311)
        #expect(decoded[1] == .unknown("PYTHON_42"))
        #expect(!decoded[1].isKnown)
        #expect(decoded[2] == .nodejs18)
        let reencoded = try AppRunnerJSON.encode(decoded)
        #expect(String(decoding: reencoded, as: UTF8.self) == #"["PYTHON_311","PYTHON_42","NODEJS_18"]"#)
    }

    @Test func aServiceWithANewStatusAndRuntimeStillDecodes() throws {
        let json = #"""
        {"ServiceName":"api","ServiceId":"0123456789abcdef0123456789abcdef","ServiceArn":"arn:aws:apprunner:us-east-1:123456789012:service/api/0123456789abcdef0123456789abcdef",
         "CreatedAt":1763800000.125,"UpdatedAt":1763800100,"Status":"HIBERNATING",
         "SourceConfiguration":{"CodeRepository":{"RepositoryUrl":"https://github.com/x/y","SourceCodeVersion":{"Type":"BRANCH","Value":"main"},
           "CodeConfiguration":{"ConfigurationSource":"API","CodeConfigurationValues":{"Runtime":"ZIG_1","Port":"8080"}}}},
         "InstanceConfiguration":{"Cpu":"1024","Memory":"2048"},
         "AutoScalingConfigurationSummary":{"AutoScalingConfigurationArn":"arn:aws:apprunner:us-east-1:123456789012:autoscalingconfiguration/DefaultConfiguration/1/00000000000000000000000000000001","AutoScalingConfigurationName":"DefaultConfiguration","AutoScalingConfigurationRevision":1,"Status":"active","HasAssociatedService":true,"IsDefault":true},
         "NetworkConfiguration":{"EgressConfiguration":{"EgressType":"DEFAULT"},"IngressConfiguration":{"IsPubliclyAccessible":true},"IpAddressType":"IPV4"}}
        """#
        let service = try AppRunnerJSON.decode(Service.self, from: Data(json.utf8))
        #expect(service.status == .unknown("HIBERNATING"))
        #expect(service.sourceConfiguration.codeRepository?.codeConfiguration?.codeConfigurationValues?.runtime == .unknown("ZIG_1"))
        #expect(service.createdAt.timeIntervalSince1970 == 1763800000.125)
        #expect(service.autoScalingConfigurationSummary.status == .active)
        #expect(service.autoScalingConfigurationSummary.isDefault == true)
    }
}

@Suite(.timeLimit(.minutes(5))) struct ValidationTests {
    func validationError(_ body: () throws -> Void) -> AWSValidationError? {
        do {
            try body()
            return nil
        } catch let error as AWSValidationError {
            return error
        } catch {
            return nil
        }
    }

    func imageService(name: String = "my-service", image: String = "public.ecr.aws/aws-containers/hello-app-runner:latest") -> CreateServiceRequest {
        CreateServiceRequest(
            serviceName: name,
            sourceConfiguration: SourceConfiguration(
                imageRepository: ImageRepository(imageIdentifier: image, imageRepositoryType: .ecrPublic)
            )
        )
    }

    @Test func aValidRequestPasses() throws {
        try imageService().validate(path: "")
        try ListServicesRequest(maxResults: 20).validate(path: "")
    }

    @Test func namesTheMemberThatIsTooShort() throws {
        let error = try #require(validationError { try imageService(name: "ab").validate(path: "") })
        #expect(error.member == "ServiceName")
        #expect(error.message.contains("length greater than or equal to 4"))
    }

    @Test func checksPatternsAgainstTheWholeValue() throws {
        let error = try #require(validationError { try imageService(name: "bad name!").validate(path: "") })
        #expect(error.member == "ServiceName")
        #expect(error.message.contains("regular expression pattern"))
    }

    @Test func namesNestedMembers() throws {
        let error = try #require(validationError { try imageService(image: "not an image").validate(path: "") })
        #expect(error.member == "SourceConfiguration.ImageRepository.ImageIdentifier")
    }

    @Test func checksRanges() throws {
        let error = try #require(validationError { try ListServicesRequest(maxResults: 21).validate(path: "") })
        #expect(error.member == "MaxResults")
        #expect(error.message.contains("less than or equal to 20"))
        let domains = try #require(validationError {
            try DescribeCustomDomainsRequest(serviceArn: "arn:aws:apprunner:us-east-1:123456789012:service/a/0123", maxResults: 6).validate(path: "")
        })
        #expect(domains.member == "MaxResults")
    }

    @Test func refusesUnknownEnumValuesInRequests() throws {
        var request = imageService()
        request.healthCheckConfiguration = HealthCheckConfiguration(protocol: .unknown("UDP"))
        let error = try #require(validationError { try request.validate(path: "") })
        #expect(error.member == "HealthCheckConfiguration.Protocol")
        #expect(error.message.contains("enum value set"))
    }

    @Test func namesListElements() throws {
        var request = imageService()
        request.tags = [Tag(key: "team", value: "a"), Tag(key: "aws:reserved", value: "b")]
        let error = try #require(validationError { try request.validate(path: "") })
        #expect(error.member == "Tags[1].Key")
    }

    @Test func acceptsTheCpuAndMemorySpellingsOfTheModel() throws {
        for (cpu, memory) in [("1 vCPU", "2 GB"), ("1024", "2048"), ("0.25 vCPU", "0.5 GB")] {
            var request = imageService()
            request.instanceConfiguration = InstanceConfiguration(cpu: cpu, memory: memory)
            try request.validate(path: "")
        }
        var request = imageService()
        request.instanceConfiguration = InstanceConfiguration(cpu: "3 vCPU")
        #expect(validationError { try request.validate(path: "") }?.member == "InstanceConfiguration.Cpu")
    }
}

@Suite(.timeLimit(.minutes(5))) struct ServerSideDecodingTests {
    struct Refuses: Error {}

    @Test func aMissingRequiredMemberIsAValidationErrorNamingIt() async throws {
        do {
            _ = try AppRunnerWire.decodeRequest(PauseServiceRequest.self, from: Data("{}".utf8))
            Issue.record("expected an error")
        } catch let error as AWSValidationError {
            #expect(error.member == "ServiceArn")
            #expect(error.message.contains("must not be null"))
        }
    }

    @Test func malformedJSONIsASerializationException() throws {
        for body in ["{", "[1,2]", #"{"MaxResults":"ten"}"#] {
            do {
                _ = try AppRunnerWire.decodeRequest(ListServicesRequest.self, from: Data(body.utf8))
                Issue.record("expected an error for \(body)")
            } catch let error as AWSResponseError {
                #expect(error.code == "SerializationException")
                #expect(error.statusCode == 400)
            }
        }
    }

    @Test func anEmptyBodyIsAnEmptyObject() throws {
        let request = try AppRunnerWire.decodeRequest(ListServicesRequest.self, from: Data())
        #expect(request == ListServicesRequest())
    }
}
