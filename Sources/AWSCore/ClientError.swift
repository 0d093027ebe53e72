import AsyncHTTPClient
import FoundationEssentials
import NIOCore
import NIOHTTP1
import NIOPosix
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failure on the client's side of the wire, worded for an operator (never in Swift's terms).
public enum AWSClientError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Which limit a timeout hit.
    public enum Deadline: String, Sendable, Hashable {
        /// Establishing the connection (``AWSClientTimeouts/connect``).
        case connect
        /// One attempt, up to the last byte of the response (``AWSClientTimeouts/attempt``).
        case attempt
        /// The whole call across its attempts (``AWSClientTimeouts/total``).
        case total
    }

    case invalidEndpoint(String)
    /// No connection (`reason` e.g. "connection refused", "host not found").
    case connection(endpoint: String, reason: String)
    /// The connection closed before the response began.
    case closedBeforeResponse(endpoint: String)
    /// The server (or something on the way) reset the connection once it was open.
    case reset(endpoint: String)
    /// The response began but the connection ended before all of it arrived: `received` body bytes of
    /// `expected` (the `Content-Length`, when there was one).
    case responseCutOff(endpoint: String, received: Int, expected: Int?)
    /// A deadline passed (`seconds` is the limit, when known); the attempt was cancelled.
    case timeout(endpoint: String, deadline: Deadline, seconds: Double?)
    /// The TLS handshake failed (certificate, protocol).
    case tls(endpoint: String, reason: String)
    case invalidResponse(String)

    public var description: String {
        switch self {
        case .invalidEndpoint(let url): return "invalid endpoint URL: \(url)"
        case .connection(let endpoint, let reason): return "could not connect to \(endpoint): \(reason)"
        case .closedBeforeResponse(let endpoint): return "\(endpoint) closed the connection before answering"
        case .reset(let endpoint): return "the connection to \(endpoint) was reset before the answer was complete"
        case .timeout(let endpoint, _, _): return "no answer from \(endpoint): \(reason)"
        case .tls(let endpoint, let reason): return "TLS handshake with \(endpoint) failed: \(reason)"
        case .responseCutOff(let endpoint, _, _): return "the response from \(endpoint) was incomplete: \(reason)"
        case .invalidResponse(let reason): return "invalid response: \(reason)"
        }
    }

    /// The failure without the endpoint.
    public var reason: String {
        switch self {
        case .invalidEndpoint: return "invalid endpoint"
        case .connection(_, let reason), .tls(_, let reason): return reason
        case .closedBeforeResponse: return "the server closed the connection before answering"
        case .reset: return "the connection was reset (connection reset by peer)"
        case .responseCutOff(_, let received, let expected):
            let total = expected.map { " of \($0)" } ?? ""
            return "the response was cut off after \(received)\(total) bytes of its body (the connection closed early)"
        case .timeout(_, let deadline, let seconds):
            let limit = seconds.map { " of \(Self.seconds($0))" } ?? ""
            switch deadline {
            case .connect: return "timed out connecting (connect timeout\(limit))"
            case .attempt: return "timed out waiting for the whole response (read timeout\(limit))"
            case .total: return "timed out (the call's total deadline\(limit), across all attempts)"
            }
        case .invalidResponse(let reason): return reason
        }
    }

    static func seconds(_ value: Double) -> String {
        let rounded = (value * 1000).rounded() / 1000
        return rounded == rounded.rounded() ? "\(Int(rounded)) s" : "\(rounded) s"
    }

    /// Maps an async-http-client / NIO error to an operator's words.
    public static func from(_ error: any Error, endpoint: String) -> AWSClientError {
        if let error = error as? AWSClientError { return error }
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout, .tlsHandshakeTimeout, .getConnectionFromPoolTimeout, .httpProxyHandshakeTimeout, .socksHandshakeTimeout:
                return .timeout(endpoint: endpoint, deadline: .connect, seconds: nil)
            case .deadlineExceeded, .readTimeout, .writeTimeout:
                return .timeout(endpoint: endpoint, deadline: .attempt, seconds: nil)
            case .remoteConnectionClosed:
                return .closedBeforeResponse(endpoint: endpoint)
            case .emptyHost, .emptyScheme, .invalidURL:
                return .invalidEndpoint(endpoint)
            case .invalidProxyResponse, .proxyAuthenticationRequired:
                return .connection(endpoint: endpoint, reason: "the proxy refused the connection")
            default:
                break
            }
        }
        if let error = error as? NIOConnectionError {
            if error.dnsAError != nil || error.dnsAAAAError != nil, error.connectionErrors.isEmpty {
                return .connection(endpoint: endpoint, reason: "host not found")
            }
            if let first = error.connectionErrors.first {
                return from(first.error, endpoint: endpoint)
            }
        }
        if let error = error as? IOError {
            return fromErrno(error.errnoCode, endpoint: endpoint)
        }
        if error is HTTPParserError {
            return .invalidResponse("the answer from \(endpoint) is not valid HTTP")
        }
        if let error = error as? ChannelError {
            switch error {
            case .connectTimeout: return .timeout(endpoint: endpoint, deadline: .connect, seconds: nil)
            case .ioOnClosedChannel, .alreadyClosed, .eof, .outputClosed, .inputClosed: return .closedBeforeResponse(endpoint: endpoint)
            default: break
            }
        }
        // Errors of libraries AWSCore does not import (TLS, name resolution) are recognised by their text;
        // the text itself is never shown (it names Swift types).
        let lower = String(reflecting: error).lowercased()
        if lower.contains("connection refused") || lower.contains("econnrefused") {
            return .connection(endpoint: endpoint, reason: "connection refused")
        }
        if lower.contains("certificate") {
            return .tls(endpoint: endpoint, reason: "the server's certificate was not accepted")
        }
        if lower.contains("wrong_version_number") || lower.contains("wrong version number") || lower.contains("http_request") {
            return .tls(endpoint: endpoint, reason: "the server does not speak TLS on this port")
        }
        if lower.contains("ssl") || lower.contains("tls") || lower.contains("handshake") {
            return .tls(endpoint: endpoint, reason: "the handshake failed")
        }
        if lower.contains("unknown host") || lower.contains("unknown(host") || lower.contains("name resolution") || lower.contains("nodename nor servname") || lower.contains("no address") {
            return .connection(endpoint: endpoint, reason: "host not found")
        }
        if lower.contains("timeout") || lower.contains("timed out") {
            return .timeout(endpoint: endpoint, deadline: .attempt, seconds: nil)
        }
        if lower.contains("connection reset") || lower.contains("econnreset") {
            return .reset(endpoint: endpoint)
        }
        return .connection(endpoint: endpoint, reason: "the connection failed")
    }

    static func fromErrno(_ code: Int32, endpoint: String) -> AWSClientError {
        switch code {
        case ECONNREFUSED: return .connection(endpoint: endpoint, reason: "connection refused")
        case ECONNRESET: return .reset(endpoint: endpoint)
        case EPIPE: return .closedBeforeResponse(endpoint: endpoint)
        case ETIMEDOUT: return .timeout(endpoint: endpoint, deadline: .connect, seconds: nil)
        case EHOSTUNREACH: return .connection(endpoint: endpoint, reason: "host unreachable")
        case ENETUNREACH: return .connection(endpoint: endpoint, reason: "network unreachable")
        default:
            return .connection(endpoint: endpoint, reason: String(cString: strerror(code)).lowercased())
        }
    }
}
