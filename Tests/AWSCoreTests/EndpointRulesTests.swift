import Foundation
import Testing

@testable import AWSCore

/// The endpoint rules interpreter: botocore's STS rule set over a matrix of regions, FIPS and
/// dual-stack (expected URLs are botocore 1.43's), the standard library functions, and a small rule set
/// of its own for what the shipped ones do not exercise (templates, assign, getAttr indices, errors).
@Suite(.timeLimit(.minutes(2))) struct EndpointRulesTests {
    @Test func stsMatchesBotocore() throws {
        let expected: [(String, Bool, Bool, String)] = [
            ("us-east-1", false, false, "https://sts.us-east-1.amazonaws.com"),
            ("us-east-1", false, true, "https://sts.us-east-1.api.aws"),
            ("us-east-1", true, false, "https://sts-fips.us-east-1.amazonaws.com"),
            ("us-east-1", true, true, "https://sts-fips.us-east-1.api.aws"),
            ("us-gov-west-1", false, false, "https://sts.us-gov-west-1.amazonaws.com"),
            ("us-gov-west-1", true, false, "https://sts.us-gov-west-1.amazonaws.com"),
            ("us-gov-west-1", true, true, "https://sts-fips.us-gov-west-1.api.aws"),
            ("cn-north-1", false, false, "https://sts.cn-north-1.amazonaws.com.cn"),
            ("cn-north-1", false, true, "https://sts.cn-north-1.api.amazonwebservices.com.cn"),
            ("cn-north-1", true, true, "https://sts-fips.cn-north-1.api.amazonwebservices.com.cn"),
            ("ap-southeast-3", true, false, "https://sts-fips.ap-southeast-3.amazonaws.com"),
        ]
        for (region, fips, dualStack, url) in expected {
            #expect(try AWSEndpointRuleSet.sts.resolve(region: region, useFIPS: fips, useDualStack: dualStack).url == url,
                    "\(region) fips \(fips) dual-stack \(dualStack)")
        }
        // The global endpoint when asked for (a parameter the SDK sets from sts_regional_endpoints).
        let global = try AWSEndpointRuleSet.sts.resolve(parameters: ["Region": .string("us-west-2"), "UseGlobalEndpoint": .bool(true),
                                                                      "UseFIPS": .bool(false), "UseDualStack": .bool(false)])
        #expect(global.url == "https://sts.amazonaws.com")
        // An endpoint given as a parameter, and FIPS with it, as the rule set answers.
        let custom = try AWSEndpointRuleSet.sts.resolve(parameters: ["Region": .string("us-east-1"), "Endpoint": .string("http://127.0.0.1:9/x")])
        #expect(custom.url == "http://127.0.0.1:9/x")
        #expect(throws: AWSEndpointError.rejected("Invalid Configuration: FIPS and custom endpoint are not supported")) {
            try AWSEndpointRuleSet.sts.resolve(parameters: ["Region": .string("us-east-1"), "UseFIPS": .bool(true),
                                                            "Endpoint": .string("http://127.0.0.1:9")])
        }
    }

    /// For the SSO credential provider: the hosts botocore 1.43 sends GetRoleCredentials and CreateToken to.
    @Test func ssoAndOIDCMatchBotocore() throws {
        let expected: [(AWSEndpointRuleSet, String, Bool, Bool, String)] = [
            (.sso, "us-east-1", false, false, "https://portal.sso.us-east-1.amazonaws.com"),
            (.sso, "us-gov-west-1", true, false, "https://portal.sso.us-gov-west-1.amazonaws.com"),
            (.sso, "cn-north-1", false, true, "https://portal.sso.cn-north-1.api.amazonwebservices.com.cn"),
            (.sso, "eu-west-1", true, true, "https://portal.sso-fips.eu-west-1.api.aws"),
            (.ssoOIDC, "us-east-1", false, false, "https://oidc.us-east-1.amazonaws.com"),
            (.ssoOIDC, "us-gov-west-1", true, false, "https://oidc.us-gov-west-1.amazonaws.com"),
            (.ssoOIDC, "cn-north-1", false, true, "https://oidc.cn-north-1.api.amazonwebservices.com.cn"),
            (.ssoOIDC, "eu-west-1", true, true, "https://oidc-fips.eu-west-1.api.aws"),
        ]
        for (rules, region, fips, dualStack, url) in expected {
            #expect(try rules.resolve(region: region, useFIPS: fips, useDualStack: dualStack).url == url, "\(rules.name) \(region) \(fips) \(dualStack)")
        }
    }

    @Test func partitions() throws {
        #expect(AWSPartitions.standard.ids.first == "aws")
        #expect(AWSPartitions.standard.ids.contains("aws-cn"))
        let china = try #require(AWSPartitions.standard.partition(for: "cn-northwest-1")?.record)
        #expect(china["name"] == .string("aws-cn"))
        #expect(china["dnsSuffix"] == .string("amazonaws.com.cn"))
        // Unknown to the list but matching the pattern; and no match at all: the first partition.
        #expect(AWSPartitions.standard.partition(for: "us-gov-north-9")?.record?["name"] == .string("aws-us-gov"))
        #expect(AWSPartitions.standard.partition(for: "mars-1")?.record?["name"] == .string("aws"))
    }

    @Test func functions() throws {
        let parts = try #require(AWSEndpointFunctions.parseURL("https://example.com:8443/a/./b//c/../d?")?.record)
        #expect(parts["scheme"] == .string("https"))
        #expect(parts["authority"] == .string("example.com:8443"))
        #expect(parts["path"] == .string("/a/./b//c/../d"))
        #expect(parts["normalizedPath"] == .string("/a/b/d/"))
        #expect(parts["isIp"] == .bool(false))
        #expect(AWSEndpointFunctions.parseURL("http://10.0.0.1")?.record?["isIp"] == .bool(true))
        #expect(AWSEndpointFunctions.parseURL("http://[::1]:80/")?.record?["isIp"] == .bool(true))
        #expect(AWSEndpointFunctions.parseURL("http://10.0.0.1")?.record?["normalizedPath"] == .string("/"))
        #expect(AWSEndpointFunctions.parseURL("https://example.com/?a=b") == nil)
        #expect(AWSEndpointFunctions.parseURL("ftp://example.com") == nil)
        #expect(AWSEndpointFunctions.parseURL("https://example.com:port") == nil)

        #expect(AWSEndpointFunctions.substring("abcdef", start: 0, stop: 3, reverse: false) == "abc")
        #expect(AWSEndpointFunctions.substring("abcdef", start: 0, stop: 3, reverse: true) == "def")
        #expect(AWSEndpointFunctions.substring("ab", start: 0, stop: 3, reverse: false) == nil)
        #expect(AWSEndpointFunctions.substring("abé", start: 0, stop: 2, reverse: false) == nil)
        #expect(AWSEndpointFunctions.uriEncode("a b/c~é") == "a%20b%2Fc~%C3%A9")

        #expect(AWSEndpointFunctions.isValidHostLabel("us-east-1", allowSubdomains: false))
        #expect(!AWSEndpointFunctions.isValidHostLabel("-bad", allowSubdomains: false))
        #expect(!AWSEndpointFunctions.isValidHostLabel("a.b", allowSubdomains: false))
        #expect(AWSEndpointFunctions.isValidHostLabel("a.b", allowSubdomains: true))
        #expect(!AWSEndpointFunctions.isValidHostLabel("a..b", allowSubdomains: true))
        #expect(!AWSEndpointFunctions.isValidHostLabel(String(repeating: "a", count: 64), allowSubdomains: false))

        let arn = try #require(AWSEndpointFunctions.parseArn("arn:aws:apprunner:us-east-1:123456789012:service/web/abc")?.record)
        #expect(arn["service"] == .string("apprunner"))
        #expect(arn["accountId"] == .string("123456789012"))
        #expect(arn["resourceId"] == .array([.string("service"), .string("web"), .string("abc")]))
        #expect(AWSEndpointFunctions.parseArn("arn:aws:s3:::") == nil)
        #expect(AWSEndpointFunctions.parseArn("not-an-arn") == nil)

        let record = AWSEndpointValue.record(["a": .record(["b": .array([.string("x"), .string("y")])])])
        #expect(AWSEndpointFunctions.attribute(of: record, path: "a.b[1]") == .string("y"))
        #expect(AWSEndpointFunctions.attribute(of: record, path: "a.b[2]") == nil)
        #expect(AWSEndpointFunctions.attribute(of: record, path: "a.c") == nil)
        #expect(throws: AWSEndpointError.self) { try AWSEndpointFunctions.call("noSuchFunction", [], partitions: .standard) }
        #expect(throws: AWSEndpointError.self) { try AWSEndpointFunctions.call("booleanEquals", [.string("x"), .bool(true)], partitions: .standard) }
    }

    /// A rule set written for the interpreter's own rules: assignment, nested trees, getAttr with an
    /// index, templates with `#` and escaped braces, error rules, headers and properties.
    static let custom = AWSEndpointRuleSet(name: "custom", json: #"""
    {"version":"1.0","parameters":{
      "Region":{"type":"String","builtIn":"AWS::Region","required":true},
      "Arn":{"type":"String"},
      "Flag":{"type":"Boolean","default":false,"required":true}},
     "rules":[
      {"type":"error","conditions":[{"fn":"stringEquals","argv":[{"ref":"Region"},"nowhere"]}],"error":"no {Region} region"},
      {"type":"tree","conditions":[{"fn":"isSet","argv":[{"ref":"Arn"}]},{"fn":"aws.parseArn","argv":[{"ref":"Arn"}],"assign":"A"}],
       "rules":[
        {"type":"endpoint","conditions":[{"fn":"getAttr","argv":[{"ref":"A"},"resourceId[1]"],"assign":"Name"},
                                          {"fn":"isValidHostLabel","argv":[{"ref":"Name"},false]}],
         "endpoint":{"url":"https://{Name}.{A#region}.example.com/{{literal}}","properties":{"p":["{Name}"]},"headers":{"x-h":["{Region}"]}}}]},
      {"type":"endpoint","conditions":[{"fn":"booleanEquals","argv":[{"ref":"Flag"},true]},
                                        {"fn":"aws.partition","argv":[{"ref":"Region"}],"assign":"P"}],
       "endpoint":{"url":"https://flag.{Region}.{P#dnsSuffix}"}},
      {"type":"endpoint","conditions":[{"fn":"not","argv":[{"fn":"booleanEquals","argv":[{"ref":"Flag"},true]}]}],
       "endpoint":{"url":"https://plain.{Region}"}}]}
    """#)

    @Test func ownRuleSet() throws {
        let named = try Self.custom.resolve(parameters: ["Region": .string("eu-west-1"), "Arn": .string("arn:aws:x:eu-west-2:1:thing/name-1")])
        #expect(named.url == "https://name-1.eu-west-2.example.com/{literal}")
        #expect(named.properties["p"] == .array([.string("name-1")]))
        #expect(named.headers["x-h"] == ["eu-west-1"])
        // A tree none of whose rules match falls through to the next rule, as in botocore (and its
        // assignments do not leak into the rules after it).
        #expect(try Self.custom.resolve(parameters: ["Region": .string("eu-west-1"),
                                                     "Arn": .string("arn:aws:x:eu-west-2:1:thing/bad.label")]).url == "https://plain.eu-west-1")
        #expect(try Self.custom.resolve(parameters: ["Region": .string("cn-north-1"), "Flag": .bool(true)]).url == "https://flag.cn-north-1.amazonaws.com.cn")
        #expect(try Self.custom.resolve(region: "us-west-2", useFIPS: true, useDualStack: true).url == "https://plain.us-west-2")
        #expect(throws: AWSEndpointError.rejected("no nowhere region")) { try Self.custom.resolve(parameters: ["Region": .string("nowhere")]) }
        #expect(throws: AWSEndpointError.self) { try Self.custom.resolve(parameters: [:]) }
        #expect(throws: AWSEndpointError.self) { try Self.custom.resolve(parameters: ["Region": .bool(true)]) }
        #expect(throws: AWSEndpointError.self) { try AWSEndpointRuleSet(name: "broken", json: "{").resolve(parameters: [:]) }
    }

    @Test func variantSettings() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        try dir.write("config", "[default]\nregion = eu-west-1\nuse_fips_endpoint = true\n[profile dual]\nregion = eu-west-1\nuse_dualstack_endpoint = TRUE\n[profile typo]\nuse_fips_endpoint = yes\n")
        let env = ["HOME": dir.path, "AWS_CONFIG_FILE": dir.path + "/config", "AWS_SHARED_CREDENTIALS_FILE": dir.path + "/none"]
        let sts = AWSServiceInfo(signingName: "sts", endpointPrefix: "sts", targetPrefix: "", apiVersion: "2011-06-15", serviceId: "STS", endpointRules: .sts)
        func endpoint(_ env: [String: String], profile: String? = nil, url: String? = nil) throws -> String {
            try AWSClientConfiguration.resolve(service: sts, profile: profile, endpointURL: url,
                                               credentials: AWSCredentials(accessKeyId: "a", secretAccessKey: "b"), environment: env).endpoint.absoluteString
        }
        #expect(try endpoint(env) == "https://sts-fips.eu-west-1.amazonaws.com")
        #expect(try endpoint(env.merging(["AWS_USE_FIPS_ENDPOINT": "false"]) { $1 }) == "https://sts.eu-west-1.amazonaws.com")
        #expect(try endpoint(env, profile: "dual") == "https://sts.eu-west-1.api.aws")
        #expect(try endpoint(env.merging(["AWS_USE_FIPS_ENDPOINT": "true"]) { $1 }, profile: "dual") == "https://sts-fips.eu-west-1.api.aws")
        // A configured endpoint wins over FIPS and dual-stack.
        #expect(try endpoint(env.merging(["AWS_ENDPOINT_URL_STS": "http://127.0.0.1:9"]) { $1 }) == "http://127.0.0.1:9")
        #expect(try endpoint(env, url: "http://127.0.0.1:8") == "http://127.0.0.1:8")
        #expect(throws: AWSConfigurationError.invalidSetting(name: "use_fips_endpoint", value: "yes", reason: "it must be true or false")) {
            try endpoint(env.merging(["AWS_REGION": "us-east-1"]) { $1 }, profile: "typo")
        }
        // forService keeps the variant for the next service.
        let base = try AWSClientConfiguration.resolve(service: sts, credentials: AWSCredentials(accessKeyId: "a", secretAccessKey: "b"), environment: env)
        let again = try base.forService(sts)
        #expect(again.endpoint.absoluteString == "https://sts-fips.eu-west-1.amazonaws.com")
    }
}
