import AWSCore
import AppRunner
import AppRunnerLocal
import Foundation
import Testing
@testable import RunnerDeckCLI

/// `services --regions … --profiles …` in process: one Local App Runner per (profile, region), each
/// behind the recording wrapper, handed out by the client factory by the options it is called with.
@Suite(.timeLimit(.minutes(3))) struct FleetListingTests {
    /// Doubles by "profile/region" ("-" for the default profile).
    final class Fleet: Sendable {
        let doubles: [String: RecordingAppRunner]

        init(_ places: [(profile: String?, region: String, account: String, services: [String])]) async throws {
            var doubles: [String: RecordingAppRunner] = [:]
            for place in places {
                let clock = ManualClock()
                let local = try LocalAppRunner(options: LocalOptions(region: place.region, accountId: place.account, operationSeconds: 1), clock: clock)
                let double = RecordingAppRunner(local, clock: clock)
                await double.setDefaultPageSize(2, for: .listServices)
                for name in place.services { try await double.addService(name) }
                doubles[Self.key(place.profile, place.region)] = double
            }
            self.doubles = doubles
        }

        init(doubles: [String: RecordingAppRunner]) {
            self.doubles = doubles
        }

        static func key(_ profile: String?, _ region: String?) -> String { "\(profile ?? "-")/\(region ?? "-")" }

        func run(_ arguments: [String], variables: [String: String] = [:]) async -> Run {
            let out = CapturingSink()
            let err = CapturingSink()
            let doubles = self.doubles
            let environment = CLIEnvironment(
                standardOutput: out, standardError: err,
                variables: ["AWS_CONFIG_FILE": "/nonexistent/config", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials"]
                    .merging(variables) { $1 },
                makeAPI: { globals in
                    guard let double = doubles[Self.key(globals.profile, globals.region)] else {
                        throw CLIError(.configuration, "the config profile (\(globals.profile ?? "default")) could not be found")
                    }
                    return double.client
                })
            let status = await runRunnerDeck(arguments: arguments, environment: environment)
            return Run(status: status, out: out.text, err: err.text)
        }

        func calls(_ profile: String?, _ region: String) async -> [String] {
            await doubles[Self.key(profile, region)]?.calls ?? []
        }
    }

    func twoRegions() async throws -> Fleet {
        try await Fleet([
            (nil, "us-east-1", "111111111111", ["alpha", "bravo", "charlie"]),
            (nil, "eu-west-1", "222222222222", ["delta", "echo", "foxtrot", "golf", "hotel"]),
        ])
    }

    @Test func theTableAndTextGainAccountAndRegionColumns() async throws {
        let fleet = try await twoRegions()
        let table = await fleet.run(["services", "--regions", "us-east-1,eu-west-1", "--output", "table"])
        #expect(table.status == 0, "\(table.err)")
        let lines = table.out.split(separator: "\n")
        #expect(lines.first?.split(separator: " ") == ["ACCOUNT", "REGION", "NAME", "STATUS", "UPDATED", "URL", "ARN"])
        #expect(lines.count == 9)
        // Target by target, in the order given, each in its own listing order; every page read.
        #expect(lines[1].hasPrefix("111111111111  us-east-1  alpha"))
        #expect(lines[4].hasPrefix("222222222222  eu-west-1  delta"))
        #expect(await fleet.calls(nil, "us-east-1") == ["ListServices", "ListServices"])
        #expect(await fleet.calls(nil, "eu-west-1") == ["ListServices", "ListServices", "ListServices"])

        let text = await fleet.run(["services", "--regions", "us-east-1,eu-west-1", "--output", "text"])
        let rows = text.out.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
        #expect(rows.count == 8 && rows.allSatisfy { $0.count == 7 })
        #expect(rows[7][0] == "222222222222" && rows[7][1] == "eu-west-1" && rows[7][2] == "hotel")
    }

    @Test func theJSONCarriesAccountRegionAndTheTargets() async throws {
        let fleet = try await twoRegions()
        let run = await fleet.run(["services", "--regions", "us-east-1,eu-west-1", "--output", "json"])
        #expect(run.status == 0)
        let json = try run.json()
        let list = try #require(json["ServiceSummaryList"] as? [[String: Any]])
        #expect(list.count == 8)
        #expect(list.map { $0["Region"] as? String } == Array(repeating: "us-east-1", count: 3) + Array(repeating: "eu-west-1", count: 5))
        #expect(list[3]["Account"] as? String == "222222222222")
        // The model's members first, as ListServices has them, then the two added.
        let keys = run.out.components(separatedBy: "\n").filter { $0.hasPrefix("            \"") }.prefix(9).map {
            $0.trimmingCharacters(in: .whitespaces).split(separator: "\"")[0]
        }
        #expect(keys == ["ServiceName", "ServiceId", "ServiceArn", "ServiceUrl", "CreatedAt", "UpdatedAt", "Status", "Account", "Region"])
        let targets = try #require(json["Targets"] as? [[String: Any]])
        #expect(targets.count == 2)
        #expect(targets[1]["Region"] as? String == "eu-west-1" && targets[1]["ServiceCount"] as? Int == 5)
        #expect(targets[0]["Profile"] is NSNull && targets[0]["Account"] as? String == "111111111111")

        let query = await fleet.run(["services", "--regions", "us-east-1,eu-west-1", "--output", "text",
                                     "--query", "ServiceSummaryList[?Region=='eu-west-1'].ServiceName"])
        #expect(query.out == "delta\techo\tfoxtrot\tgolf\thotel\n")
    }

    @Test func aFailingTargetIsOneLineAndTheOthersStillPrint() async throws {
        let fleet = try await Fleet([
            ("staging", "us-east-1", "111111111111", ["alpha"]),
            ("prod", "us-east-1", "333333333333", ["zulu"]),
        ])
        await fleet.doubles[Fleet.key("staging", "us-east-1")]?.failNext(
            5, with: AWSResponseError(code: "AccessDeniedException", message: "not authorized to list", statusCode: 400))
        let run = await fleet.run(["services", "--profiles", "staging,prod,ghost", "--output", "text"], variables: ["AWS_REGION": "us-east-1"])
        #expect(run.status == 254)
        let errors = run.err.split(separator: "\n")
        #expect(errors == ["runnerdeck: staging/us-east-1: AccessDeniedException: not authorized to list (request id: req-1)",
                           "runnerdeck: ghost/us-east-1: ConfigurationError: the config profile (ghost) could not be found"])
        #expect(run.out.split(separator: "\n").count == 1 && run.out.hasPrefix("333333333333\tus-east-1\tzulu\t"))
        // Configuration first: the first failed target decides.
        let reordered = await fleet.run(["services", "--profiles", "ghost,staging,prod", "--output", "json"], variables: ["AWS_REGION": "us-east-1"])
        #expect(reordered.status == 253)
        let targets = try #require(try reordered.json()["Targets"] as? [[String: Any]])
        #expect((targets[0]["Error"] as? [String: Any])?["Code"] as? String == "ConfigurationError")
        #expect(targets[2]["ServiceCount"] as? Int == 1 && targets[2]["Profile"] as? String == "prod")
    }

    @Test func aThrottledTargetFailsAloneWithItsCode() async throws {
        // The wrapper is the client's transport, so the client's own retries (which AWS gets) do not apply here.
        let fleet = try await twoRegions()
        await fleet.doubles[Fleet.key(nil, "eu-west-1")]?.throttleNext(1)
        let run = await fleet.run(["services", "--regions", "us-east-1,eu-west-1", "--output", "text"])
        #expect(run.status == 254)
        #expect(run.err == "runnerdeck: eu-west-1: ThrottlingException: Rate exceeded (request id: req-1)\n")
        #expect(run.out.split(separator: "\n").count == 3)
    }

    @Test func oneTargetPrintsWhatServicesPrints() async throws {
        let fleet = try await twoRegions()
        for format in ["table", "text"] {
            let plain = await fleet.run(["services", "--region", "eu-west-1", "--output", format])
            let selected = await fleet.run(["services", "--regions", "eu-west-1", "--output", format])
            #expect(plain.status == 0 && selected.status == 0)
            #expect(plain.out == selected.out)
        }
        let plainJSON = await fleet.run(["services", "--region", "eu-west-1", "--output", "json"])
        #expect(!plainJSON.out.contains("\"Account\"") && !plainJSON.out.contains("Targets"))
    }

    @Test func aProfileWithoutRegionsUsesItsOwnAndOptionsBeforeTheCommandWork() async throws {
        let fleet = try await Fleet([
            ("staging", "eu-west-1", "111111111111", ["alpha"]),
            ("prod", "us-east-1", "222222222222", ["bravo"]),
        ])
        let directory = try TempDir()
        defer { directory.remove() }
        let config = try directory.write("config", "[profile staging]\nregion = eu-west-1\n[profile prod]\nregion = us-east-1\n")
        let run = await fleet.run(["--profiles", "staging,prod", "services", "--output", "text"], variables: ["AWS_CONFIG_FILE": config])
        #expect(run.status == 0, "\(run.err)")
        #expect(run.out.split(separator: "\n").map { $0.split(separator: "\t").prefix(3).joined(separator: " ") }
            == ["111111111111 eu-west-1 alpha", "222222222222 us-east-1 bravo"])
    }

    @Test func accountAndRegionOfARowAreItsARNs() async throws {
        // Both targets answered by one Local App Runner of us-east-1 (as one endpoint for all regions would).
        let east = try await Fleet([(nil, "us-east-1", "111111111111", ["alpha"])])
        let fleet = Fleet(doubles: [Fleet.key(nil, "us-east-1"): try #require(east.doubles[Fleet.key(nil, "us-east-1")]),
                                    Fleet.key(nil, "eu-west-1"): try #require(east.doubles[Fleet.key(nil, "us-east-1")])])
        let run = await fleet.run(["services", "--regions", "us-east-1,eu-west-1", "--output", "json"])
        let json = try run.json()
        let list = try #require(json["ServiceSummaryList"] as? [[String: Any]])
        #expect(list.map { $0["Region"] as? String } == ["us-east-1", "us-east-1"])
        let targets = try #require(json["Targets"] as? [[String: Any]])
        #expect(targets.map { $0["Region"] as? String } == ["us-east-1", "eu-west-1"])
    }

    @Test func conflictingOptionsAreUsageErrors() async throws {
        let fleet = try await twoRegions()
        for arguments in [["--regions", "us-east-1", "--region", "eu-west-1"], ["--profiles", "a", "--profile", "b"],
                          ["--regions", "all,us-east-1"], ["--regions", "us-east-1,eu-west-1", "--max-items", "1"],
                          ["--regions", "us-east-1", "--no-paginate"], ["--regions", "nonsense"], ["--profiles", "a,,b"]] {
            let run = await fleet.run(["services"] + arguments)
            #expect(run.status == 252, "\(arguments): \(run.err)")
            #expect(run.out.isEmpty)
        }
    }
}
