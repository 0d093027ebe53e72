import AWSCore
import AppRunner
import FoundationEssentials
import HTTPTypes
import Hummingbird
import NIOCore

/// SigV4 in front of the handler, in two steps: the head is checked before any byte of the body is
/// read (a refused request is answered at once, whatever Content-Length it announces), then the body
/// is collected (bounded) and the signature over it checked.
struct SigV4Authentication<Context: RequestContext>: RouterMiddleware {
    let verifier: SigV4Verifier
    let maxBodyBytes: Int
    /// `--region`, served whatever its shape (as before every region was).
    var defaultRegion: String = "us-east-1"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // One endpoint serves App Runner, CloudWatch Logs and CloudWatch: the scope must name the target's service.
        let target = HTTPField.Name("X-Amz-Target").flatMap { request.headers[$0] } ?? ""
        let service = LocalHTTPHandler.service(forTarget: target) ?? .appRunner
        let checked: SigV4Verifier.CheckedHead
        do {
            checked = try verifier.forService(service.signingName).checkHead(Self.head(of: request))
        } catch {
            var refusal = Self.refusal(error, service: service)
            refusal.headers[.connection] = "close"  // answered before the body: it is not read
            return refusal
        }
        // Any region is served, but its name ends up in ARNs and host names: it must look like one.
        guard LocalPartition.isServed(region: checked.authorization.region, defaultRegion: defaultRegion) else {
            var refusal = LocalHTTPHandler.error(status: 403, code: "InvalidSignatureException",
                                                 message: "Credential should be scoped to a valid region, not '\(checked.authorization.region)'.",
                                                 requestId: LocalIDs.uuid(), service: service)
            refusal.headers[.connection] = "close"
            return refusal
        }
        var request = request
        switch await LocalHTTPHandler.collectBody(&request, upTo: maxBodyBytes) {
        case .refused(let response):
            return response
        case .collected(let body):
            do {
                _ = try verifier.checkPayload(checked, payloadHash: SigV4Signer.hexSHA256(Data(body.readableBytesView)))
            } catch {
                return Self.refusal(error, service: service)
            }
        }
        return try await next(request, context)
    }

    static func refusal(_ failure: SigV4Verifier.Failure, service: AWSServiceInfo = .appRunner) -> Response {
        LocalHTTPHandler.error(status: failure.statusCode, code: failure.code, message: failure.message, requestId: LocalIDs.uuid(), service: service)
    }

    /// The request as the verifier sees it: HTTPTypes keeps `Host` as the `:authority` pseudo-header.
    static func head(of request: Request) -> SigV4Verifier.RequestHead {
        var headers: [SigV4Verifier.Header] = []
        if let authority = request.head.authority { headers.append((name: "Host", value: authority)) }
        for field in request.headers {
            headers.append((name: field.name.rawName, value: field.value))
        }
        return SigV4Verifier.RequestHead(method: request.method.rawValue, path: request.uri.path, query: request.uri.query ?? "", headers: headers)
    }
}

/// What a request is for: the partition (the account whose key signed it, the region its scope names) and
/// the API its target names. Read from the `Authorization` header, which authentication has checked when
/// the endpoint has credentials; without, it is taken as sent, and a request that names no usable region or
/// key (unsigned, `--no-sign-request`) is the default partition's.
struct RequestScopes: Sendable {
    let accounts: LocalAccounts
    let defaultPartition: LocalPartition

    struct Scope: Sendable {
        var partition: LocalPartition
        var service: AWSServiceInfo
    }

    func scope(of request: Request) -> Scope {
        let target = HTTPField.Name("X-Amz-Target").flatMap { request.headers[$0] } ?? ""
        var partition = defaultPartition
        if let header = request.headers[.authorization], let authorization = SigV4Authorization(header: header) {
            if LocalPartition.isServed(region: authorization.region, defaultRegion: defaultPartition.region) { partition.region = authorization.region }
            if let account = accounts.accountId(forAccessKey: authorization.accessKeyId) { partition.accountId = account }
        }
        return Scope(partition: partition, service: LocalHTTPHandler.service(forTarget: target) ?? .appRunner)
    }
}
