// swift-tools-version: 6.0
// libFuzzer targets for RunnerDeck. Not part of the main build: run them with Scripts/fuzz.sh.
import PackageDescription

let fuzz: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .unsafeFlags(["-parse-as-library"]),
]

let package = Package(
    name: "RunnerDeckFuzz",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "RunnerDeck", path: ".."),
        .package(url: "https://github.com/apple/swift-nio", from: "2.0.0"),
    ],
    targets: [
        // Hands `main` to libFuzzer (see FuzzMain.c).
        .target(name: "CFuzzMain"),
        .target(name: "FuzzSupport", dependencies: ["CFuzzMain"], swiftSettings: [.enableUpcomingFeature("ExistentialAny")]),
        // The endpoint's request path: dispatch(operation, body:, to: LocalAppRunner) in memory.
        .executableTarget(
            name: "FuzzDispatch",
            dependencies: [
                "FuzzSupport",
                .product(name: "AppRunner", package: "RunnerDeck"),
                .product(name: "AppRunnerLocal", package: "RunnerDeck"),
            ],
            swiftSettings: fuzz
        ),
        // SigV4 `Authorization` header and `X-Amz-Date` parsing.
        .executableTarget(
            name: "FuzzSigV4",
            dependencies: ["FuzzSupport", .product(name: "AWSCore", package: "RunnerDeck")],
            swiftSettings: fuzz
        ),
        // The client's response decoding (every operation's output shape) and error parsing.
        .executableTarget(
            name: "FuzzResponses",
            dependencies: [
                "FuzzSupport",
                .product(name: "AppRunner", package: "RunnerDeck"),
                .product(name: "AWSCore", package: "RunnerDeck"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: fuzz
        ),
    ],
    swiftLanguageModes: [.v6]
)
