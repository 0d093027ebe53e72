import Foundation
import JMESPath
import Testing

/// The JMESPath compliance suite (jmespath.py's, MIT; copied into compliance/ with its LICENSE): every case's
/// expression against its `given`, for the `result` or the `error` kind.
@Suite(.timeLimit(.minutes(2)))
struct ComplianceTests {
    static let files = [
        "basic", "boolean", "current", "escape", "filters", "functions", "identifiers", "indices",
        "literal", "multiselect", "pipe", "slice", "syntax", "unicode", "wildcard",
    ]

    static var testDirectory: URL { URL(fileURLWithPath: #filePath).deletingLastPathComponent() }
    static var copiedSuite: URL { testDirectory.appendingPathComponent("compliance") }
    /// The shared original beside the repository (absent in a fresh clone).
    static var sharedSuite: URL {
        testDirectory.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("../shared/test-vectors/jmespath").standardizedFileURL
    }

    struct Outcome {
        var passed = 0
        var failures: [String] = []
    }

    static func run(file: String) throws -> Outcome {
        let data = try Data(contentsOf: copiedSuite.appendingPathComponent(file + ".json"))
        guard case .array(let suites) = try JMESValue(json: data) else { throw ComplianceFileError() }
        var outcome = Outcome()
        for suite in suites {
            guard case .array(let cases) = suite["cases"] else { throw ComplianceFileError() }
            for testCase in cases {
                guard case .string(let expression) = testCase["expression"] else { throw ComplianceFileError() }
                if testCase["bench"] != .null { continue }
                check(expression, given: suite["given"], case: testCase, into: &outcome)
            }
        }
        return outcome
    }

    static func check(_ expression: String, given: JMESValue, case testCase: JMESValue, into outcome: inout Outcome) {
        let label = "\(expression)"
        if case .string(let kind) = testCase["error"] {
            do {
                let result = try JMESPathExpression(compiling: expression).search(given)
                outcome.failures.append("\(label): expected \(kind) error, got \(result.jsonText())")
            } catch let error as JMESPathError where error.kind.rawValue == kind {
                outcome.passed += 1
            } catch {
                outcome.failures.append("\(label): expected \(kind) error, got \(error)")
            }
            return
        }
        let expected = testCase["result"]
        do {
            let result = try JMESPathExpression(compiling: expression).search(given)
            if result == expected {
                outcome.passed += 1
            } else {
                outcome.failures.append("\(label): expected \(expected.jsonText()), got \(result.jsonText())")
            }
        } catch {
            outcome.failures.append("\(label): expected \(expected.jsonText()), threw \(error)")
        }
    }

    @Test(arguments: files)
    func file(_ name: String) throws {
        let outcome = try Self.run(file: name)
        #expect(outcome.failures.isEmpty, "\(name).json: \(outcome.failures.count) failed:\n\(outcome.failures.joined(separator: "\n"))")
        #expect(outcome.passed > 0)
    }

    @Test func everyCasePasses() throws {
        var passed = 0
        var failed = 0
        for name in Self.files {
            let outcome = try Self.run(file: name)
            passed += outcome.passed
            failed += outcome.failures.count
        }
        #expect(failed == 0)
        // The suite as copied: 892 cases with a result or an error (benchmarks.json left out).
        #expect(passed == 892)
    }

    /// The copy matches the shared original when that is present (a fresh clone has only the copy).
    @Test func copyMatchesSharedSuite() throws {
        let shared = Self.sharedSuite
        guard FileManager.default.fileExists(atPath: shared.appendingPathComponent("basic.json").path) else { return }
        for name in Self.files + ["LICENSE"] {
            let file = name == "LICENSE" ? name : name + ".json"
            let original = try Data(contentsOf: shared.appendingPathComponent(file))
            let copy = try Data(contentsOf: Self.copiedSuite.appendingPathComponent(file))
            #expect(original == copy, "\(file) differs from \(shared.path)")
        }
    }
}

struct ComplianceFileError: Error {}
