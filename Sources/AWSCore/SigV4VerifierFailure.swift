import FoundationEssentials

extension SigV4Verifier {
    /// Why a request was refused, with the AWS error code and message to answer (HTTP 403).
    public struct Failure: Error, Sendable, Hashable, CustomStringConvertible {
        public enum Reason: Sendable, Hashable {
            case missingAuthorization
            case multipleAuthorizationHeaders
            case malformedAuthorization
            case missingDate
            /// The `X-Amz-Date` value(s) as sent.
            case malformedDate(String)
            case expired(date: String, limit: String, now: String)
            case notYetCurrent(date: String, limit: String, now: String)
            case wrongScopeDay(scope: String, date: String)
            case wrongRegion(expected: String)
            case wrongService(expected: String)
            /// A header that must be signed (`host`, an `x-amz-*` header, `content-type`) is not.
            case unsignedHeader(String)
            /// A header named in `SignedHeaders` is not in the request.
            case missingSignedHeader(String)
            case unknownAccessKey
            /// A session token that was not issued, a missing required one, or more than one.
            case invalidSessionToken
            case signatureMismatch
        }

        public let reason: Reason

        public init(_ reason: Reason) {
            self.reason = reason
        }

        public var statusCode: Int { 403 }

        /// The AWS error code (`__type`).
        public var code: String {
            switch reason {
            case .missingAuthorization: return "MissingAuthenticationTokenException"
            case .multipleAuthorizationHeaders, .malformedAuthorization, .missingDate, .malformedDate: return "IncompleteSignatureException"
            case .unknownAccessKey, .invalidSessionToken: return "UnrecognizedClientException"
            case .expired, .notYetCurrent, .wrongScopeDay, .wrongRegion, .wrongService, .unsignedHeader, .missingSignedHeader, .signatureMismatch:
                return "InvalidSignatureException"
            }
        }

        /// The message, in AWS's words where AWS has them.
        public var message: String {
            switch reason {
            case .missingAuthorization:
                return "Missing Authentication Token"
            case .multipleAuthorizationHeaders:
                return "The request carries more than one Authorization header; send exactly one."
            case .malformedAuthorization:
                return "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters, with the algorithm AWS4-HMAC-SHA256 and a credential scope of the form <key>/<yyyyMMdd>/<region>/<service>/aws4_request."
            case .missingDate:
                return "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
            case .malformedDate(let value):
                return "Date must be in ISO-8601 'basic format'. Got '\(value)'. See http://en.wikipedia.org/wiki/ISO_8601"
            case .expired(let date, let limit, let now):
                return "Signature expired: \(date) is now earlier than \(limit) (\(now) - 5 min.)"
            case .notYetCurrent(let date, let limit, let now):
                return "Signature not yet current: \(date) is still later than \(limit) (\(now) + 5 min.)"
            case .wrongScopeDay(let scope, let date):
                return "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '\(scope)' != '\(date.prefix(8))', from '\(date)'."
            case .wrongRegion(let expected):
                return "Credential should be scoped to a valid region, not this one. This endpoint serves '\(expected)'."
            case .wrongService(let expected):
                return "Credential should be scoped to correct service: '\(expected)'."
            case .unsignedHeader(let name):
                return "'\(name)' must be a 'SignedHeader' in the AWS Authorization."
            case .missingSignedHeader(let name):
                return "The request signature we calculated does not match the signature you provided. The signed header '\(name)' is not in the request."
            case .unknownAccessKey, .invalidSessionToken:
                return "The security token included in the request is invalid."
            case .signatureMismatch:
                return "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
            }
        }

        public var description: String { "\(code): \(message)" }
    }
}
