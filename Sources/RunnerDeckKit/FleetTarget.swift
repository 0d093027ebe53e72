import AWSCore
import FoundationEssentials

/// One place the fleet is read from: a profile of the shared config files (nil: the default one, as
/// `AWS_PROFILE` or `default` says) in one region.
public struct FleetTarget: Sendable, Hashable, CustomStringConvertible {
    public var profile: String?
    public var region: String

    public init(profile: String? = nil, region: String) {
        self.profile = profile
        self.region = region
    }

    /// `prod/eu-west-1`, or `eu-west-1` for the default profile: how errors and summary lines name it.
    public var description: String {
        profile.map { "\($0)/\(region)" } ?? region
    }
}

/// Why `--regions` or `--profiles` was refused.
public struct FleetSelectionError: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Which targets the operator asked for: `--regions a,b` or `--regions all`, times `--profiles p,q`.
public struct FleetSelection: Sendable, Hashable {
    public enum Regions: Sendable, Hashable {
        /// No `--regions`: each profile's own region (its `region`, or `AWS_REGION` as AWSCore resolves it).
        case profileDefault
        /// `--regions us-east-1,eu-west-1`.
        case named([String])
        /// `--regions all`: every region App Runner is offered in (``AppRunnerRegions/all``).
        case all
    }

    public var regions: Regions
    /// In the order given; nil is the default profile (no `--profiles`).
    public var profiles: [String?]

    public init(regions: Regions = .profileDefault, profiles: [String?] = [nil]) {
        self.regions = regions
        self.profiles = profiles.isEmpty ? [nil] : profiles
    }

    /// Parses the values of `--regions` and `--profiles` (nil when the option was not given).
    /// Duplicates are dropped; a region must look like one (a well-formed name App Runner is not known
    /// in is accepted: it may be new, and its calls will say).
    public static func parse(regions: String?, profiles: String?) throws(FleetSelectionError) -> FleetSelection {
        var selection = FleetSelection()
        if let regions {
            let names = try list(regions, option: "--regions")
            if names.contains("all") {
                guard names == ["all"] else { throw FleetSelectionError("--regions all stands alone: give 'all' or a list of regions, not both") }
                selection.regions = .all
            } else {
                for name in names {
                    if case .malformed(let why) = AppRunnerRegions.check(name) { throw FleetSelectionError("--regions: \(why)") }
                }
                selection.regions = .named(names)
            }
        }
        if let profiles {
            selection.profiles = try list(profiles, option: "--profiles").map { Optional($0) }
        }
        return selection
    }

    private static func list(_ text: String, option: String) throws(FleetSelectionError) -> [String] {
        let items = text.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingWhitespace }
        guard !items.contains(where: \.isEmpty) else {
            throw FleetSelectionError("\(option) takes a comma-separated list without empty items, got '\(text)'")
        }
        var seen = Set<String>()
        return items.filter { seen.insert($0).inserted }
    }

    /// The targets, profile by profile and, within one, region by region. `defaultRegion` gives a
    /// profile's own region (used without `--regions`); a profile it has none for is listed in
    /// ``FleetTargetSet/withoutRegion`` instead.
    public func targets(defaultRegion: (String?) -> String?) -> FleetTargetSet {
        var set = FleetTargetSet(targets: [], withoutRegion: [], fromAll: regions == .all)
        for profile in profiles {
            switch regions {
            case .profileDefault:
                if let region = defaultRegion(profile) {
                    set.targets.append(FleetTarget(profile: profile, region: region))
                } else {
                    set.withoutRegion.append(profile)
                }
            case .named(let names):
                set.targets += names.map { FleetTarget(profile: profile, region: $0) }
            case .all:
                set.targets += AppRunnerRegions.all.map { FleetTarget(profile: profile, region: $0) }
            }
        }
        return set
    }
}

/// The targets of a selection.
public struct FleetTargetSet: Sendable, Hashable {
    public var targets: [FleetTarget]
    /// Profiles without a region (no `--regions` and none configured): each is an error of its own.
    public var withoutRegion: [String?]
    /// True for `--regions all`: a target in an opt-in region the account has not enabled is dropped
    /// quietly instead of being reported as an error.
    public var fromAll: Bool

    public init(targets: [FleetTarget], withoutRegion: [String?] = [], fromAll: Bool = false) {
        self.targets = targets
        self.withoutRegion = withoutRegion
        self.fromAll = fromAll
    }

    /// More than one target: listings show ACCOUNT and REGION columns.
    public var isMultiple: Bool { targets.count + withoutRegion.count > 1 }
}

extension AppRunnerRegions {
    /// `--regions all`: every region App Runner is offered in. The source is ``known``, botocore's
    /// `endpoints.json` entry for `apprunner`: the endpoint rule set (`Assets/endpoints/apprunner.json`)
    /// builds a URL for any region of a partition, and `partitions.json` lists every region of AWS, so
    /// neither says where App Runner runs.
    public static var all: [String] { known }

    /// The regions every account has enabled: the ones AWS launched before 20 March 2019. Every region
    /// of the `aws` partition launched since is opt-in (an account enables it in its settings), and
    /// `partitions.json` does not mark them, so this list is kept here: what is not in it is opt-in.
    public static let enabledByDefault: Set<String> = [
        "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "sa-east-1",
        "eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1", "eu-north-1",
        "ap-south-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-southeast-1", "ap-southeast-2",
    ]

    /// True for a region of the `aws` partition that an account must enable before use (af-south-1,
    /// ap-east-1, eu-south-1, me-south-1, ap-southeast-3, …). Other partitions have no opt-in regions.
    public static func isOptIn(_ region: String) -> Bool {
        guard !enabledByDefault.contains(region), case .known = checkShape(region) else { return false }
        return AWSPartitions.standard.partitionId(of: region) == "aws" && !region.hasPrefix("aws-")
    }

    private static func checkShape(_ region: String) -> Verdict {
        if case .malformed(let why) = check(region) { return .malformed(why) }
        return .known
    }
}
