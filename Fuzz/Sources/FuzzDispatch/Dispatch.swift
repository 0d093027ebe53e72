import AppRunner
import AppRunnerLocal
import AWSCore
import Foundation
import FuzzSupport

/// The endpoint's request path: the first byte picks the operation, the rest is the JSON body handed to
/// the generated `dispatch` in front of an in-memory Local App Runner (decode, validate, run, encode).
/// Errors thrown for bad requests are expected; crashes, hangs and huge allocations are findings.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDispatch(_ bytes: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let data = Data(bytes: bytes, count: size)
    let operations = AppRunnerOperation.allCases
    guard let (choice, body) = split(data, choices: operations.count) else { return 0 }
    let operation = operations[choice]
    guard let runner = DispatchFuzzState.runner() else { return 0 }
    runBlocking {
        _ = try? await dispatch(operation, body: body, to: runner)
    }
    return 0
}

/// One control plane for many inputs (so a create can be followed by a describe), replaced now and then
/// so that its state stays small.
enum DispatchFuzzState {
    nonisolated(unsafe) static var current: LocalAppRunner?
    nonisolated(unsafe) static var uses = 0

    static func runner() -> LocalAppRunner? {
        uses += 1
        if current == nil || uses % 256 == 0 {
            current = try? LocalAppRunner()
        }
        return current
    }
}
