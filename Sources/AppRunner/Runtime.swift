import AWSCore
import FoundationEssentials

// App Runner's names for the runtime every generated service shares (AWSCore's ModelShapes.swift and
// ModelWire.swift); the generated App Runner sources and their users spell them this way. The client,
// `AppRunnerClient`, is generated (Generated/Client.swift).

/// A structure of the App Runner model: Codable under the model's wire names, with the model's
/// constraints as `validate(path:)`.
public typealias AppRunnerShape = AWSShape
/// A string enum of the model that keeps values it does not know.
public typealias AppRunnerEnum = AWSEnum
/// A modeled App Runner exception; catch a concrete one, e.g. `catch let error as InvalidStateException`.
public typealias AppRunnerServiceError = AWSModeledError
/// What went wrong on the client side of a call that is not a service error.
public typealias AppRunnerClientError = AWSModelClientError
/// The JSON coding of the App Runner wire: AWS JSON 1.0, timestamps as epoch seconds.
public typealias AppRunnerJSON = AWSModelJSON
/// A model pattern, matched against the whole value.
public typealias AppRunnerPattern = AWSPattern
/// The checks generated validation calls.
public typealias AppRunnerValidation = AWSValidation
/// The server side of the wire: request bodies in, response bodies out.
public typealias AppRunnerWire = AWSModelWire
