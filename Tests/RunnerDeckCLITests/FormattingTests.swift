import AWSCore
import AppRunner
import ArgumentParser
import Foundation
@testable import RunnerDeckKit
import Logging
import Testing
@testable import RunnerDeckCLI

@Suite(.timeLimit(.minutes(5))) struct FormattingTests {
    let utc = TimeZone(identifier: "UTC") ?? .current

    @Test func timestampsAreIsoformatWithOffset() throws {
        #expect(CLIJSON.timestamp(Date(timeIntervalSince1970: 1_795_341_600), timeZone: utc) == "2026-11-22T10:00:00+00:00")
        #expect(CLIJSON.timestamp(Date(timeIntervalSince1970: 1_795_341_600.123), timeZone: utc) == "2026-11-22T10:00:00.123000+00:00")
        // The same rounding as CPython's datetime.fromtimestamp (what the AWS CLI prints).
        #expect(CLIJSON.timestamp(Date(timeIntervalSince1970: 1_795_341_600.123457), timeZone: utc) == "2026-11-22T10:00:00.123457+00:00")
        #expect(CLIJSON.timestamp(Date(timeIntervalSince1970: 1_795_341_600.9999996), timeZone: utc) == "2026-11-22T10:00:01+00:00")
        #expect(CLIJSON.timestamp(Date(timeIntervalSince1970: -0.5), timeZone: utc) == "1969-12-31T23:59:59.500000+00:00")
        // The C library's local offset (the default) agrees with Foundation's time zone.
        for seconds in [0.0, 1_795_341_600, 1_784_000_000.75] {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(CLIJSON.timestamp(date) == CLIJSON.timestamp(date, timeZone: .current))
        }
        let paris = try #require(TimeZone(identifier: "Europe/Paris"))
        #expect(CLIJSON.timestamp(Date(timeIntervalSince1970: 1_795_341_600), timeZone: paris) == "2026-11-22T11:00:00+01:00")
        let newYork = try #require(TimeZone(identifier: "America/New_York"))
        #expect(CLIJSON.timestamp(Date(timeIntervalSince1970: 1_795_341_600.5), timeZone: newYork) == "2026-11-22T05:00:00.500000-05:00")
    }

    @Test func jsonIsIndentedLikePython() throws {
        let response = ListOperationsResponse(operationSummaryList: [
            OperationSummary(id: "a/b", type: .startDeployment, status: .succeeded, startedAt: Date(timeIntervalSince1970: 0)),
        ])
        let text = try CLIJSON.render(response, timeZone: utc)
        #expect(text == """
            {
                "OperationSummaryList": [
                    {
                        "Id": "a/b",
                        "Type": "START_DEPLOYMENT",
                        "Status": "SUCCEEDED",
                        "StartedAt": "1970-01-01T00:00:00+00:00"
                    }
                ]
            }

            """)
        #expect(try CLIJSON.render(ListServicesResponse(serviceSummaryList: [])) == "{\n    \"ServiceSummaryList\": []\n}\n")
    }

    /// Issue 18 item 6: a map keeps the order it was given (as received from the wire), not sorted.
    @Test func stringsAreEscapedLikePythonAndMapsKeepTheirOrder() throws {
        #expect(JSONNode.quote("a\"b\\c\nd\u{1}é/") == #""a\"b\\c\nd\u0001é/""#)
        let config = ImageConfiguration(runtimeEnvironmentVariables: ["Z": "1", "A": "2", "M": "3"], port: "8000")
        #expect(try CLIJSON.render(config) == """
            {
                "RuntimeEnvironmentVariables": {
                    "Z": "1",
                    "A": "2",
                    "M": "3"
                },
                "Port": "8000"
            }

            """)
    }

    @Test func tableAlignsAndTextSeparatesWithTabs() {
        let listing = Listing(headers: ["Name", "Status"], rows: [[TableCell("a"), TableCell("RUNNING", color: .green)], [TableCell("long-name"), TableCell("PAUSED")]])
        #expect(listing.table(color: false) == "NAME       STATUS\na          RUNNING\nlong-name  PAUSED\n")
        #expect(listing.text() == "a\tRUNNING\nlong-name\tPAUSED\n")
        #expect(listing.table(color: true).contains("\u{1B}[32mRUNNING\u{1B}[0m"))
        // Escape sequences coming from data never reach the terminal.
        #expect(Listing(headers: ["X"], rows: [[TableCell("a\u{1B}[2Jb")]]).text() == "a?[2Jb\n")
    }

    @Test func globalOptionsBeforeTheCommandAreMoved() {
        #expect(hoistingGlobalOptions(["--region", "eu-west-1", "--no-color", "services", "--output", "json"])
                == ["services", "--region", "eu-west-1", "--no-color", "--output", "json"])
        #expect(hoistingGlobalOptions(["--output=json", "describe", "svc"]) == ["describe", "--output=json", "svc"])
        #expect(hoistingGlobalOptions(["--demo"]) == ["--demo"])
        #expect(hoistingGlobalOptions(["--demo", "--read-only"]) == ["--demo", "--read-only"])
    }

    @Test func operationNamesAreForgiving() throws {
        #expect(try CallCommand.operation(named: "ListServices") == .listServices)
        #expect(try CallCommand.operation(named: "list-services") == .listServices)
        #expect(try CallCommand.operation(named: "DESCRIBECUSTOMDOMAINS") == .describeCustomDomains)
        #expect(throws: (any Error).self) { try CallCommand.operation(named: "ListServicez") }
        #expect(AppRunnerOperation.allCases.count == 37)
    }

    @Test func outputDefaultsAndColour() throws {
        var options = try GlobalOptions.parse([])
        #expect(options.outputFormat(stdoutIsTerminal: true) == .table)
        #expect(options.outputFormat(stdoutIsTerminal: false) == .json)
        #expect(options.usesColor(isTerminal: true, environment: [:]))
        #expect(!options.usesColor(isTerminal: true, environment: ["NO_COLOR": "1"]))
        #expect(!options.usesColor(isTerminal: false, environment: [:]))
        options = try GlobalOptions.parse(["--no-color", "--output", "text"])
        #expect(!options.usesColor(isTerminal: true, environment: [:]))
        #expect(options.outputFormat(stdoutIsTerminal: true) == .text)
        #expect(throws: (any Error).self) { try GlobalOptions.parse(["--output", "yaml"]) }
        #expect(throws: (any Error).self) { try GlobalOptions.parse(["--endpoint-url", "ftp://x"]) }
    }

    @Test func debugLinesRedactSecrets() {
        let line = DebugLogHandler.redact("Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE1234/20261122/us-east-1/apprunner/aws4_request, SignedHeaders=host, Signature=abcdef0123456789 x-amz-security-token: FQoGZXIvYXdzEXAMPLE aws_secret_access_key=wJalrXUtnFEMI")
        #expect(!line.contains("abcdef0123456789") && !line.contains("FQoGZXIvYXdzEXAMPLE") && !line.contains("wJalrXUtnFEMI"))
        #expect(!line.contains("AKIDEXAMPLE1234") && line.contains("Credential=AKID<redacted>"))
        let sink = CapturingSink()
        DebugLogHandler.logger(label: "test", sink: sink).debug("request", metadata: ["target": "AppRunner.ListServices"])
        #expect(sink.text == "[debug] debug request target=AppRunner.ListServices\n")
    }
}
