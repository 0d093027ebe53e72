import AWSCore
import Foundation
import FuzzSupport

/// SigV4 header parsing on the server side: the `Authorization` header and `X-Amz-Date`.
/// Kept small so it follows the verification code as it changes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSigV4(_ bytes: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: bytes, count: size), as: UTF8.self)
    if let authorization = SigV4Authorization(header: text) {
        _ = authorization.date
        _ = authorization.signedHeaders.count
    }
    _ = SigV4Authorization.parseAmzDate(text)
    return 0
}
