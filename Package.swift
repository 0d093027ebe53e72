// swift-tools-version: 6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    // Extension members are visible only in files that import their module: a file that imports
    // FoundationEssentials cannot reach full Foundation through what a dependency imports (issue #17).
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "RunnerDeck",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "runnerdeck", targets: ["runnerdeck"]),
        .library(name: "AppRunner", targets: ["AppRunner"]),
        .library(name: "AWSCore", targets: ["AWSCore"]),
        .library(name: "CloudWatchLogs", targets: ["CloudWatchLogs"]),
        .library(name: "CloudWatch", targets: ["CloudWatch"]),
        // For the fuzz targets in Fuzz/ (a separate package that depends on this one by path).
        .library(name: "AppRunnerLocal", targets: ["AppRunnerLocal"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        // No default traits: FullFoundation would link DateFormatter (and with it ICU) into the static binary, and
        // ConfigurationSupport swift-configuration, which nothing here uses (#17).
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
    ],
    targets: [
        .target(
            name: "AWSCore",
            dependencies: [
                // JSON documents (credential and error bodies) are read as JMESPath's JSON values, as
                // botocore reads them with jmespath's.
                "JMESPath",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "AppRunner",
            dependencies: ["AWSCore", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        // CloudWatch Logs and CloudWatch (metrics): generated like AppRunner, from committed subsets of
        // botocore's models (Assets/*.subset.json).
        .target(name: "CloudWatchLogs", dependencies: ["AWSCore"], swiftSettings: strict),
        .target(name: "CloudWatch", dependencies: ["AWSCore"], swiftSettings: strict),
        .target(
            name: "AppRunnerLocal",
            dependencies: [
                "AppRunner", "AWSCore", "CloudWatch", "CloudWatchLogs", "DNSClient", "CSQLite", "JMESPath",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            ],
            swiftSettings: strict
        ),
        // JMESPath (--query): lexer, parser, interpreter and built-in functions, no dependencies. Its JMESValue
        // reader and writer are the project's JSON values (AWSCore's documents, Local App Runner's error bodies).
        .target(name: "JMESPath", swiftSettings: strict),
        // DNS wire client (messages, UDP with TCP fallback over NIO, resolv.conf, CNAME chains): used by the
        // domain checker in RunnerDeckKit and by Local App Runner's --domain-validation dns.
        .target(
            name: "DNSClient",
            dependencies: [.product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio")],
            swiftSettings: strict
        ),
        .target(
            name: "RunnerDeckKit",
            dependencies: ["AppRunner", "AWSCore", "CloudWatchLogs", "CloudWatch", "DNSClient"],
            swiftSettings: strict
        ),
        // SQLite through its C API (the system libsqlite3), for Local App Runner's store.
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .systemLibrary(
            name: "CNCurses",
            pkgConfig: "ncursesw",
            providers: [.apt(["libncursesw5-dev"])]
        ),
        .target(
            name: "Dashboard",
            dependencies: ["AppRunner", "AWSCore", "CloudWatch", "CloudWatchLogs", "RunnerDeckKit", "CNCurses", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        .target(
            name: "RunnerDeckCLI",
            dependencies: [
                "AppRunner", "AWSCore", "AppRunnerLocal", "BuildInfo", "Dashboard", "RunnerDeckKit", "CloudWatchLogs", "CloudWatch", "JMESPath", "DNSClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The version and the git commit of the build (`runnerdeck --version`), the commit written by the
        // BuildCommit plugin at build time (#17).
        .target(name: "BuildInfo", swiftSettings: strict, plugins: ["BuildCommit"]),
        .plugin(name: "BuildCommit", capability: .buildTool()),
        // arc4random for glibc before 2.36, for the static libstdc++ of the jump-host package (#17).
        .target(name: "CGlibcCompat"),
        .executableTarget(
            name: "runnerdeck",
            dependencies: ["RunnerDeckCLI", "CGlibcCompat"],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "runnerdeck-bench",
            dependencies: ["AppRunner", "AWSCore", "AppRunnerLocal", "CloudWatch", "CloudWatchLogs", "Dashboard", "RunnerDeckCLI", "RunnerDeckKit"],
            swiftSettings: strict
        ),
        // Test support shared by the test targets (not a product): TestServer, ManualClock, TempDir, waitUntil,
        // RecordingAppRunner (Local App Runner behind the generated client, recording and failing calls).
        .target(
            name: "TestSupport",
            dependencies: [
                "AWSCore", "AppRunner", "AppRunnerLocal",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/TestSupport",
            swiftSettings: strict
        ),
        .testTarget(name: "AWSCoreTests", dependencies: ["AWSCore", "TestSupport", .product(name: "Hummingbird", package: "hummingbird")], resources: [.copy("Resources")], swiftSettings: strict),
        .testTarget(name: "AppRunnerTests", dependencies: ["AppRunner", "AWSCore", "TestSupport", .product(name: "Hummingbird", package: "hummingbird")], exclude: ["samples.json"], swiftSettings: strict),
        .testTarget(name: "CloudWatchTests", dependencies: ["CloudWatchLogs", "CloudWatch", "AWSCore", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "AppRunnerLocalTests", dependencies: ["AppRunnerLocal", "CSQLite", "DNSClient", "AppRunner", "AWSCore", "CloudWatch", "CloudWatchLogs", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "RunnerDeckKitTests", dependencies: ["RunnerDeckKit", "DNSClient", "AppRunner", "AWSCore", "AppRunnerLocal", "CloudWatchLogs", "CloudWatch", "TestSupport", .product(name: "Hummingbird", package: "hummingbird")], swiftSettings: strict),
        .testTarget(name: "DashboardTests", dependencies: ["Dashboard", "DNSClient", "RunnerDeckKit", "AppRunner", "AppRunnerLocal", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "JMESPathTests", dependencies: ["JMESPath"], exclude: ["compliance"], swiftSettings: strict),
        .testTarget(name: "RunnerDeckCLITests", dependencies: ["RunnerDeckCLI", "RunnerDeckKit", "AppRunnerLocal", "CloudWatchLogs", "CloudWatch", "TestSupport", .product(name: "Hummingbird", package: "hummingbird")], swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)
