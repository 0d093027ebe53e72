import Foundation

/// Whether two JSON documents are equal as values (numbers by value, objects by key, whatever the
/// order and spacing); false when either is not JSON.
public func sameJSON(_ a: Data, _ b: Data) -> Bool {
    func canonical(_ data: Data) -> Data? {
        guard let object = try? JSONSerialization.jsonObject(with: data) else { return nil }
        return try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    }
    guard let x = canonical(a), let y = canonical(b) else { return false }
    return x == y
}
