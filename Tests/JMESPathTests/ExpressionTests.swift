import Foundation
import JMESPath
import Testing

@Suite(.timeLimit(.minutes(2)))
struct ExpressionTests {
    func error(_ expression: String, on json: String = "{}") -> JMESPathError? {
        do {
            _ = try JMESPathExpression(compiling: expression).search(try JMESValue(json: Data(json.utf8)))
            return nil
        } catch {
            return error as? JMESPathError
        }
    }

    @Test func errorsSayWhatAndWhere() {
        let syntax = error("foo.")
        #expect(syntax?.kind == .syntax)
        #expect(syntax?.offset == 4)
        let bad = error("a || b &&= c")
        #expect(bad?.kind == .syntax)
        #expect(bad?.offset == 9)
        let unknown = error("foo | nope(@)")
        #expect(unknown?.kind == .unknownFunction)
        #expect(unknown?.offset == 10)
        #expect(unknown?.message.contains("nope") == true)
        let arity = error("length(a, b)")
        #expect(arity?.kind == .invalidArity)
        let type = error("abs(name)", on: #"{"name":"x"}"#)
        #expect(type?.kind == .invalidType)
        #expect(type?.message == "abs() argument 1 must be number, got string")
        #expect(error("[::0]", on: "[]")?.kind == .invalidValue)
        #expect(error("`\"unterminated`")?.kind == .syntax)
        #expect(error("'unterminated")?.offset == 0)
    }

    @Test func appRunnerListQueryOverManyServices() throws {
        let services = (0..<1000).map { index in
            #"{"ServiceName":"svc-\#(index)","ServiceId":"id\#(index)","Status":"\#(index % 3 == 0 ? "RUNNING" : "PAUSED")","UpdatedAt":\#(1_700_000_000 + index)}"#
        }
        let document = try JMESValue(json: Data(#"{"ServiceSummaryList":[\#(services.joined(separator: ","))]}"#.utf8))
        let running = try JMESPathExpression(compiling: "ServiceSummaryList[?Status=='RUNNING'].ServiceName").search(document)
        guard case .array(let names) = running else { Issue.record("not an array"); return }
        #expect(names.count == 334)
        #expect(names.first == .string("svc-0"))
        #expect(names.last == .string("svc-999"))
        let newest = try JMESPathExpression(compiling: "max_by(ServiceSummaryList, &UpdatedAt).{name: ServiceName, id: ServiceId}")
            .search(document)
        #expect(newest.jsonText() == #"{"name":"svc-999","id":"id999"}"#)
        let count = try JMESPathExpression(compiling: "length(ServiceSummaryList[?Status!='RUNNING'])").search(document)
        #expect(count == .number(666))
    }

    @Test func compiledExpressionIsReusable() throws {
        let expression = try JMESPathExpression(compiling: "sort_by(@, &age)[].name | join(', ', @)")
        let first = try JMESValue(json: Data(#"[{"name":"b","age":2},{"name":"a","age":1}]"#.utf8))
        let second = try JMESValue(json: Data(#"[{"name":"x","age":9},{"name":"y","age":3},{"name":"z","age":3}]"#.utf8))
        #expect(try expression.search(first) == .string("a, b"))
        #expect(try expression.search(second) == .string("y, z, x"))
        #expect(expression.text == "sort_by(@, &age)[].name | join(', ', @)")
    }

    /// jmespath.py (the AWS CLI) still takes a literal that is not JSON as a string; so does this.
    @Test func legacyUnquotedLiteralIsAString() throws {
        #expect(try JMESPathExpression(compiling: "`foo bar`").search(.null) == .string("foo bar"))
        #expect(try JMESPathExpression(compiling: "`  [1, 2]`[1]").search(.null) == .number(2))
    }
}
