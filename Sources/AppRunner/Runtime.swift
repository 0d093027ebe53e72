import AWSCore
import Foundation

/// A structure of the App Runner model: Codable under the model's wire names, with the model's
/// constraints as `validate(path:)`.
public protocol AppRunnerShape: Codable, Sendable, Hashable {
    /// Checks the model's constraints (length, range, pattern, enum), naming the failing member.
    /// `path` is the path of this value; pass `""` for a request.
    func validate(path: String) throws
}

/// A string enum of the model that keeps values it does not know.
public protocol AppRunnerEnum: Codable, Sendable, Hashable, CustomStringConvertible {
    init(rawValue: String)
    /// The value as the model spells it.
    var rawValue: String { get }
    /// The value as the service sends it (lower case for some enums).
    var wireValue: String { get }
    static var allKnown: [Self] { get }
}

extension AppRunnerEnum {
    public var description: String { rawValue }
    /// False for a value the model does not list.
    public var isKnown: Bool { Self.allKnown.contains(self) }
}

/// A modeled App Runner exception; catch a concrete one, e.g. `catch let error as InvalidStateException`.
public protocol AppRunnerServiceError: Error, Sendable, Hashable, CustomStringConvertible {
    static var code: String { get }
    static var statusCode: Int { get }
    var message: String { get }
    var requestId: String? { get }
    init(message: String, requestId: String?)
}

extension AppRunnerServiceError {
    public var code: String { Self.code }
    public var statusCode: Int { Self.statusCode }
    public var description: String {
        var text = "\(Self.code): \(message)"
        if let requestId { text += " (request id \(requestId))" }
        return text
    }
    /// The same error in the generic form (for printing or for serving it).
    public var responseError: AWSResponseError {
        AWSResponseError(code: Self.code, message: message, statusCode: Self.statusCode, requestId: requestId)
    }
}

extension AppRunnerErrors {
    /// A modeled exception for a modeled code; otherwise the generic error, code kept.
    public static func typed(_ error: AWSResponseError) -> any Error {
        guard let type = modeled[error.code] else { return error }
        return type.init(message: error.message, requestId: error.requestId)
    }
}

/// What went wrong on the client side of a call that is not a service error.
public enum AppRunnerClientError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The response body of `operation` did not decode as the model's output shape.
    case undecodableResponse(operation: String, detail: String)

    public var description: String {
        switch self {
        case .undecodableResponse(let operation, let detail):
            return "the response of \(operation) could not be decoded: \(detail)"
        }
    }
}

/// The JSON coding of the App Runner wire: AWS JSON 1.0, timestamps as epoch seconds.
public enum AppRunnerJSON {
    public static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        return encoder
    }

    public static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return decoder
    }

    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        try makeEncoder().encode(value)
    }

    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        let body = data.isEmpty ? Data("{}".utf8) : data
        return try makeDecoder().decode(type, from: body)
    }
}

/// App Runner over any ``AWSJSONTransport`` — AWS itself, `runnerdeck serve`, or any endpoint.
/// Every request is validated against the model before anything is sent.
public struct AppRunnerClient: AppRunnerAPI {
    public let transport: any AWSJSONTransport

    public init(transport: any AWSJSONTransport) {
        self.transport = transport
    }

    func perform<Input: AppRunnerShape, Output: AppRunnerShape>(_ operation: String, _ input: Input) async throws -> Output {
        try input.validate(path: "")
        let body = try AppRunnerJSON.encode(input)
        let data: Data
        do {
            data = try await transport.send(operation: operation, body: body)
        } catch let error as AWSResponseError {
            throw AppRunnerErrors.typed(error)
        }
        do {
            return try AppRunnerJSON.decode(Output.self, from: data)
        } catch {
            throw AppRunnerClientError.undecodableResponse(operation: operation, detail: WireDecoding.explain(error, decoding: Output.self, body: data))
        }
    }
}

/// A model pattern, matched against the whole value.
public final class AppRunnerPattern: Sendable {
    public let pattern: String
    private let regex: NSRegularExpression?

    public init(_ pattern: String) {
        self.pattern = pattern
        self.regex = try? NSRegularExpression(pattern: "^(?:\(pattern))$", options: [.dotMatchesLineSeparators])
    }

    /// False when the pattern does not compile here (then nothing is rejected by it).
    public var isUsable: Bool { regex != nil }

    public func matches(_ value: String) -> Bool {
        guard let regex else { return true }
        let range = NSRange(value.startIndex..<value.endIndex, in: value)
        return regex.firstMatch(in: value, options: [.anchored], range: range) != nil
    }
}

/// The checks generated validation calls.
public enum AppRunnerValidation {
    static func member(_ path: String) -> String {
        path.hasPrefix(".") ? String(path.dropFirst()) : path
    }

    public static func length(_ count: Int, min: Int?, max: Int?, path: String) throws {
        if let min, count < min {
            throw AWSValidationError(member: member(path), reason: "Member must have length greater than or equal to \(min)")
        }
        if let max, count > max {
            throw AWSValidationError(member: member(path), reason: "Member must have length less than or equal to \(max)")
        }
    }

    public static func range(_ value: Int, min: Int?, max: Int?, path: String) throws {
        if let min, value < min {
            throw AWSValidationError(member: member(path), reason: "Member must have value greater than or equal to \(min)")
        }
        if let max, value > max {
            throw AWSValidationError(member: member(path), reason: "Member must have value less than or equal to \(max)")
        }
    }

    public static func pattern(_ value: String, _ pattern: AppRunnerPattern, path: String) throws {
        if !pattern.matches(value) {
            throw AWSValidationError(member: member(path), reason: "Member must satisfy regular expression pattern: \(pattern.pattern)")
        }
    }

    public static func known<E: AppRunnerEnum>(_ value: E, path: String) throws {
        if !value.isKnown {
            let values = E.allKnown.map(\.rawValue).joined(separator: ", ")
            throw AWSValidationError(member: member(path), reason: "Member must satisfy enum value set: [\(values)]")
        }
    }
}

/// The server side of the wire: request bodies in, response bodies out.
public enum AppRunnerWire {
    /// Decodes `body` as `Input`, validates it, calls the operation and encodes its output.
    /// Throws ``AWSValidationError`` for a request that breaks the model's rules and
    /// ``AWSResponseError`` with code `SerializationException` for a body that is not the shape.
    public static func handle<Input: AppRunnerShape, Output: AppRunnerShape>(
        _ body: Data,
        as type: Input.Type,
        _ call: (Input) async throws -> Output
    ) async throws -> Data {
        let input = try decodeRequest(type, from: body)
        try input.validate(path: "")
        let output = try await call(input)
        return try AppRunnerJSON.encode(output)
    }

    public static func decodeRequest<Input: AppRunnerShape>(_ type: Input.Type, from body: Data) throws -> Input {
        let trimmed = body.filter { ![0x20, 0x09, 0x0a, 0x0d].contains($0) }
        do {
            return try AppRunnerJSON.decode(type, from: trimmed.isEmpty ? Data() : body)
        } catch let error as DecodingError {
            switch error {
            case .keyNotFound(let key, let context):
                let path = (context.codingPath + [key]).map(\.stringValue).joined(separator: ".")
                throw AWSValidationError(member: path, reason: "Member must not be null")
            case .valueNotFound(_, let context):
                let path = context.codingPath.map(\.stringValue).joined(separator: ".")
                throw AWSValidationError(member: path, reason: "Member must not be null")
            default:
                throw AWSResponseError(code: "SerializationException", message: WireDecoding.explain(error, decoding: type, body: body), statusCode: 400)
            }
        }
    }
}
