// runnerdeck-bench: the figures RunnerDeck promises, measured (never asserted in timed tests).
//
//   swift build -c release --product runnerdeck-bench && .build/release/runnerdeck-bench [client|endpoint|dashboard|logs|query|fleet|all]
import AWSCore
import Dashboard
import RunnerDeckCLI
import FoundationEssentials

let which = CommandLine.arguments.dropFirst().first ?? "all"

/// Resident set size of this process in MiB, from /proc/self/status.
func residentMiB() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        let kib = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
        return kib / 1024
    }
    return 0
}

func report(_ title: String, _ body: String) {
    print("== \(title)\n\(body)")
}

if which == "client" || which == "all" {
    do {
        report("client", try ClientBench.run())
    } catch {
        report("client", "failed: \(error)")
    }
}

if which == "endpoint" || which == "all" {
    do {
        report("endpoint", try await EndpointBench.run())
    } catch {
        report("endpoint", "failed: \(error)")
    }
}

if which == "dashboard" || which == "all" {
    for (width, height) in [(80, 24), (160, 50)] {
        let result = DashboardBenchmarks.run(services: 1000, width: width, height: height, iterations: 300)
        report("dashboard \(width)x\(height)", result.description)
    }
    report("dashboard bytes", DashboardBenchmarks.bytesPerMinute())
    report("dashboard memory", String(cFormat: "resident with 1,000 services loaded and rendered: %.1f MiB", residentMiB()))
}

if which == "logs" || which == "all" {
    do {
        report("logs and metrics views", try await LogsBench.run(rss: residentMiB))
    } catch {
        report("logs and metrics views", "failed: \(error)")
    }
}

if which == "query" || which == "all" {
    do {
        report("query", try QueryBenchmarks.run())
    } catch {
        report("query", "failed: \(error)")
    }
}

if which == "fleet" || which == "all" {
    report("fleet scheduler", FleetBench.run())
}
