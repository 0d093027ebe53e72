import Foundation
import JMESPath
import Testing

@Suite(.timeLimit(.minutes(2)))
struct ValueTests {
    @Test func compactJSONKeepsMemberOrder() throws {
        let text = #"{"b":1,"a":[1,2.5,-0.125,"x\u00e9\n",true,null,{}],"c":{"z":[],"y":"\"q\""}}"#
        let value = try JMESValue(json: Data(text.utf8))
        #expect(value.jsonText() == #"{"b":1,"a":[1,2.5,-0.125,"xé\n",true,null,{}],"c":{"z":[],"y":"\"q\""}}"#)
        guard case .object(let object) = value else { Issue.record("not an object"); return }
        #expect(object.keys == ["b", "a", "c"])
    }

    @Test func prettyJSONIsIndentedByFourLikeTheCLI() throws {
        let value = try JMESValue(json: Data(#"{"Service": {"Name": "api", "Ports": [80, 443], "Tags": {}, "Empty": []}}"#.utf8))
        let expected = """
            {
                "Service": {
                    "Name": "api",
                    "Ports": [
                        80,
                        443
                    ],
                    "Tags": {},
                    "Empty": []
                }
            }
            """
        #expect(value.jsonText(pretty: true) == expected)
        #expect(value.jsonData(pretty: true) == Data(expected.utf8))
    }

    @Test func integersStayExact() throws {
        let value = try JMESValue(json: Data("[9007199254740991, -42, 0, 1e2, 1.5e-7]".utf8))
        #expect(value.jsonText() == "[9007199254740991,-42,0,100.0,1.5e-07]")
    }

    /// As Python's json writes them (the AWS CLI's output): a float keeps its fraction, an integer has none.
    @Test func floatsKeepTheirFractionLikePython() throws {
        let value = try JMESValue(json: Data("[2.0, 2, 1e2, 0.5]".utf8))
        #expect(value.jsonText() == "[2.0,2,100.0,0.5]")
        #expect(value == .array([.number(2), .number(2), .number(100), .number(0.5)]))
        let average = try JMESPathExpression(compiling: "[avg(@), sum([`1`, `2`]), length(@), to_number('1.0'), floor(`2.5`)]").search(value)
        #expect(average.jsonText() == "[26.125,3,4,1.0,2]")
    }

    @Test func toStringEscapesNonASCIILikePython() throws {
        let value = try JMESPathExpression(compiling: "to_string(@)").search(.object(JMESObject([("a", .string("é😀"))])))
        #expect(value == .string(#"{"a":"\u00e9\ud83d\ude00"}"#))
    }

    @Test func repeatedKeyKeepsFirstPositionAndLastValue() throws {
        let small = try JMESValue(json: Data(#"{"a":1,"b":2,"a":3}"#.utf8))
        #expect(small.jsonText() == #"{"a":3,"b":2}"#)
        let keys = (0..<20).map { #""k\#($0)":\#($0)"# }.joined(separator: ",")
        let large = try JMESValue(json: Data("{\(keys),\"k3\":99}".utf8))
        guard case .object(let object) = large else { Issue.record("not an object"); return }
        #expect(object.members.count == 20)
        #expect(object.keys[3] == "k3")
        #expect(object["k3"] == .number(99))
    }

    @Test func surrogatePairsAndEscapes() throws {
        let value = try JMESValue(json: Data(#""\ud83d\ude00 \/ \t \u0001""#.utf8))
        #expect(value == .string("😀 / \t \u{01}"))
        #expect(value.jsonText() == #""😀 / \t \u0001""#)
    }

    @Test(arguments: ["", "{", "[1,]", "{\"a\" 1}", "01", "1.", "tru", "\"abc", "[1] x", "-", "\"\u{01}\""])
    func invalidJSONIsRefused(_ text: String) {
        #expect(throws: JMESPathError.self) { try JMESValue(json: Data(text.utf8)) }
        do {
            _ = try JMESValue(json: Data(text.utf8))
        } catch let error as JMESPathError {
            #expect(error.kind == .invalidJSON)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func deepNestingIsRefusedNotCrashing() {
        let text = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JMESPathError.self) { try JMESValue(json: Data(text.utf8)) }
    }

    @Test func foundationRoundTrip() throws {
        let data = Data(#"{"n":1,"f":2.5,"t":true,"f2":false,"s":"x","a":[null,0,1],"o":{"k":"v"}}"#.utf8)
        let foundation = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        let value = try JMESValue(foundation: foundation)
        #expect(value == (try JMESValue(json: data)))
        #expect(value["t"] == .bool(true))
        #expect(value["a"] == .array([.null, .number(0), .number(1)]))
        let back = try JSONSerialization.data(withJSONObject: value.foundationValue, options: [.fragmentsAllowed])
        #expect(try JMESValue(json: back) == value)
    }
}
