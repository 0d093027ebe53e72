import FoundationEssentials

/// The JSON coding of the AWS JSON 1.0 and 1.1 protocols: the model's wire names, timestamps as epoch
/// seconds.
public enum AWSModelJSON {
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

    /// `value` as JSON; the maps in it (``AWSMap``) keep their order, which Foundation's encoder loses.
    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        let order = JSONKeyOrder()
        let data = try JSONKeyOrder.$current.withValue(order) { try makeEncoder().encode(value) }
        return OrderedJSON.reordering(data, by: order.recorded)
    }

    /// `data` as a `T`; the maps in it (``AWSMap``) keep the document's order.
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        let body = data.isEmpty ? Data("{}".utf8) : data
        return try JSONKeyOrder.$current.withValue(JSONKeyOrder(document: body)) { try makeDecoder().decode(type, from: body) }
    }
}

/// What went wrong on the client side of a call that is not a service error.
public enum AWSModelClientError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The response body of `operation` did not decode as the model's output shape.
    case undecodableResponse(operation: String, detail: String)

    public var description: String {
        switch self {
        case .undecodableResponse(let operation, let detail):
            return "the response of \(operation) could not be decoded: \(detail)"
        }
    }
}

/// The client side of a generated service: one call over any ``AWSJSONTransport``.
public enum AWSModelCall {
    /// Validates `input` against the model before anything is sent, sends it, and decodes the answer.
    /// A service error whose code is in `modeled` is thrown as that exception, any other as
    /// ``AWSResponseError``; a body that is not the output shape as ``AWSModelClientError``.
    public static func perform<Input: AWSShape, Output: AWSShape>(
        _ operation: String,
        _ input: Input,
        over transport: any AWSJSONTransport,
        modeled: [String: any AWSModeledError.Type]
    ) async throws -> Output {
        try input.validate(path: "")
        let body = try AWSModelJSON.encode(input)
        let data: Data
        do {
            data = try await transport.send(operation: operation, body: body)
        } catch let error as AWSResponseError {
            throw error.typed(modeled)
        }
        do {
            return try AWSModelJSON.decode(Output.self, from: data)
        } catch {
            throw AWSModelClientError.undecodableResponse(operation: operation, detail: WireDecoding.explain(error, decoding: Output.self, body: data))
        }
    }
}

/// The server side of the wire of a generated service: request bodies in, response bodies out.
public enum AWSModelWire {
    /// Decodes `body` as `Input`, validates it, calls the operation and encodes its output.
    /// Throws ``AWSValidationError`` for a request that breaks the model's rules and
    /// ``AWSResponseError`` with code `SerializationException` for a body that is not the shape.
    public static func handle<Input: AWSShape, Output: AWSShape>(
        _ body: Data,
        as type: Input.Type,
        _ call: (Input) async throws -> Output
    ) async throws -> Data {
        let input = try decodeRequest(type, from: body)
        try input.validate(path: "")
        let output = try await call(input)
        return try AWSModelJSON.encode(output)
    }

    public static func decodeRequest<Input: AWSShape>(_ type: Input.Type, from body: Data) throws -> Input {
        let trimmed = body.filter { ![0x20, 0x09, 0x0a, 0x0d].contains($0) }
        do {
            return try AWSModelJSON.decode(type, from: trimmed.isEmpty ? Data() : body)
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
