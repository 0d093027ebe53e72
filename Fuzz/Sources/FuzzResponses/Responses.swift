import AppRunner
import AWSCore
import Foundation
import FuzzSupport
import NIOHTTP1

/// The client's side of the wire. The first byte picks an operation or, past the last one, the error path.
///
/// - Operation: the generated client sends that operation's sample request to a transport that answers
///   the rest of the input as the response body, so it is decoded as the operation's output shape
///   (`AppRunnerClient.perform` → `AppRunnerJSON.decode`) and, when it decodes, encoded again by `dispatch`.
/// - Error: the second byte is the status (400 + byte), then header lines `name: value` up to an empty
///   line, then the body, through `AWSJSONClient.parseError` and the client's mapping to modeled errors.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzResponses(_ bytes: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let data = Data(bytes: bytes, count: size)
    let operations = AppRunnerOperation.allCases
    guard let (choice, payload) = split(data, choices: operations.count + 1) else { return 0 }
    if choice == operations.count {
        fuzzError(payload)
        return 0
    }
    let operation = operations[choice]
    guard let request = ResponseFuzzSamples.requests[operation] else { return 0 }
    let client = AppRunnerClient(transport: CannedTransport(answer: .success(payload)))
    runBlocking {
        _ = try? await dispatch(operation, body: request, to: client)
    }
    return 0
}

func fuzzError(_ payload: Data) {
    guard let statusByte = payload.first else { return }
    let rest = Data(payload.dropFirst())
    let separator = Data("\n\n".utf8)
    let headerBytes: Data
    let body: Data
    if let range = rest.range(of: separator) {
        headerBytes = rest[rest.startIndex..<range.lowerBound]
        body = rest[range.upperBound...]
    } else {
        headerBytes = Data()
        body = rest
    }
    var headers = HTTPHeaders()
    for line in String(decoding: headerBytes, as: UTF8.self).split(separator: "\n") {
        let pair = line.split(separator: ":", maxSplits: 1)
        // NIO's parser only ever gives ASCII header names (HTTPHeaders.add traps on others).
        guard pair.count == 2, pair[0].allSatisfy(\.isASCII) else { continue }
        headers.add(name: String(pair[0]), value: pair[1].trimmingCharacters(in: .whitespaces))
    }
    let error = AWSJSONClient.parseError(status: 400 + Int(statusByte), headers: headers, body: Data(body))
    _ = error.description
    if AWSRetryClassifier.isClockSkew(error) {
        _ = headers.first(name: "Date").flatMap(AWSJSONClient.parseHTTPDate)
    }
    // The client maps the code to a modeled exception; go through it with a request that validates.
    guard let request = ResponseFuzzSamples.requests[.listServices] else { return }
    let client = AppRunnerClient(transport: CannedTransport(answer: .failure(error)))
    runBlocking {
        do {
            _ = try await dispatch(.listServices, body: request, to: client)
        } catch {
            _ = String(describing: error)
        }
    }
}

/// A transport that answers every request with the same result.
struct CannedTransport: AWSJSONTransport {
    let answer: Result<Data, AWSResponseError>
    func send(operation: String, body: Data) async throws -> Data {
        try answer.get()
    }
}

/// Valid requests per operation, from the wire samples (`RUNNERDECK_SAMPLES`, set by Scripts/fuzz.sh).
enum ResponseFuzzSamples {
    static let requests: [AppRunnerOperation: Data] = {
        let path = ProcessInfo.processInfo.environment["RUNNERDECK_SAMPLES"] ?? "Tests/AppRunnerTests/samples.json"
        guard let data = FileManager.default.contents(atPath: path),
              let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            preconditionFailure("FuzzResponses: cannot read the wire samples at \(path) (set RUNNERDECK_SAMPLES)")
        }
        var requests: [AppRunnerOperation: Data] = [:]
        for (name, sample) in object {
            guard let operation = AppRunnerOperation(rawValue: name),
                  let input = (sample as? [String: Any])?["input"],
                  let body = try? JSONSerialization.data(withJSONObject: input) else { continue }
            requests[operation] = body
        }
        return requests
    }()
}
