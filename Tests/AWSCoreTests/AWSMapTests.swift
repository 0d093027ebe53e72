import AWSCore
import Foundation
import Testing

/// Issue 18 item 6: maps keep the order they were received in, through decoding and encoding.
@Suite struct AWSMapTests {
    struct Holder: Codable, Equatable {
        var Variables: AWSMap<String>?
        var Nested: [Inner]
        struct Inner: Codable, Equatable { var Tags: AWSMap<String> }
    }

    @Test func decodingKeepsTheWireOrderAndEncodingWritesIt() throws {
        let wire = #"{"Variables":{"ZETA":"1","alpha":"2","Mid":"3","b\"q":"4","é":"5"},"Nested":[{"Tags":{"y":"1","x":"2"}},{"Tags":{"b":"1","a":"2"}}]}"#
        let decoded = try AWSModelJSON.decode(Holder.self, from: Data(wire.utf8))
        #expect(decoded.Variables?.keys == ["ZETA", "alpha", "Mid", "b\"q", "é"])
        #expect(decoded.Nested.map(\.Tags.keys) == [["y", "x"], ["b", "a"]])
        // Encoded again, the maps come out in that order every time (Foundation's encoder alone does not).
        for _ in 0..<20 {
            let text = String(decoding: try AWSModelJSON.encode(decoded), as: UTF8.self)
            let variables = try #require(text.range(of: #"{"ZETA":"1","alpha":"2","Mid":"3","b\"q":"4","é":"5"}"#)
                ?? text.range(of: #"{"ZETA":"1","alpha":"2","Mid":"3","b\"q":"4","\u00e9":"5"}"#))
            #expect(!variables.isEmpty)
            #expect(text.contains(#"{"Tags":{"y":"1","x":"2"}}"#) && text.contains(#"{"Tags":{"b":"1","a":"2"}}"#), "\(text)")
        }
    }

    @Test func aMapIsAMapForEqualityAndKeepsItsFirstPlace() {
        var map: AWSMap<String> = ["b": "1", "a": "2"]
        #expect(map == ["a": "2", "b": "1"])
        #expect(map.hashValue == AWSMap<String>(["a": "2", "b": "1"]).hashValue)
        map["b"] = "3"
        map["c"] = "4"
        map["a"] = nil
        #expect(map.keys == ["b", "c"] && map["b"] == "3" && map.count == 2)
        #expect(AWSMap<String>(["k": "v", "a": "w"]).keys == ["a", "k"])  // from a dictionary: key order
    }
}
