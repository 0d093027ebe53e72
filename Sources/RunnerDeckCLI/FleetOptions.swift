import AWSCore
import ArgumentParser
import FoundationEssentials
import RunnerDeckKit

/// `--regions` and `--profiles`: the targets of a fleet command (RunnerDeckKit's ``FleetSelection``).
struct FleetOptions: ParsableArguments, Sendable {
    @Option(help: ArgumentHelp(
        "Regions to read at once, comma-separated, or 'all' (every region App Runner is offered in; opt-in regions the account has not enabled are skipped).",
        valueName: "regions"))
    var regions: String?

    @Option(help: ArgumentHelp(
        "Profiles to read at once, comma-separated, each with its own credentials and (without --regions) its own region.",
        valueName: "profiles"))
    var profiles: String?

    init() {}

    /// True when either option was given: the command reads a fleet.
    var isGiven: Bool { regions != nil || profiles != nil }

    /// The selection, with `--region` / `--profile` standing for a one-item list when the other option
    /// is given (`--profiles a,b --region eu-west-1` reads eu-west-1 of both).
    func selection(_ globals: GlobalOptions) throws -> FleetSelection {
        if regions != nil, globals.region != nil { throw ValidationError("--region and --regions say the same: give one") }
        if profiles != nil, globals.profile != nil { throw ValidationError("--profile and --profiles say the same: give one") }
        if globals.demo { throw ValidationError("--demo shows one in-process region; --regions and --profiles read real (or `runnerdeck serve`) endpoints") }
        do {
            return try FleetSelection.parse(regions: regions ?? globals.region, profiles: profiles ?? globals.profile)
        } catch {
            throw ValidationError(error.description)
        }
    }

    /// The targets: without `--regions`, a profile's own region is resolved as AWSCore resolves it
    /// (`AWS_REGION`, `AWS_DEFAULT_REGION`, then the profile's `region`).
    func targets(_ globals: GlobalOptions, environment: [String: String]) throws -> FleetTargetSet {
        try selection(globals).targets { profile in
            for name in ["AWS_REGION", "AWS_DEFAULT_REGION"] {
                if let value = environment[name], !value.isEmpty { return value }
            }
            return AWSClientConfiguration.profileSetting("region", profile: profile, environment: environment)
        }
    }
}
