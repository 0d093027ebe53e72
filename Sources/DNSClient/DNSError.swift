/// Why a DNS question got no usable answer.
public enum DNSError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A name that cannot be asked for (an empty label, a label over 63 bytes, over 255 bytes).
    case invalidName(String)
    /// A response that cannot be read (out-of-range offsets, looping compression pointers, …).
    case malformed(String)
    /// No answer from `server` within the timeout.
    case timeout(server: String)
    /// The server answered SERVFAIL, REFUSED, FORMERR or NOTIMP.
    case serverError(server: String, code: DNSResponseCode)
    /// A socket error talking to `server` (refused, unreachable, closed early).
    case network(server: String, message: String)
    /// `HOST[:PORT]` could not be read, or resolv.conf names no usable server.
    case badServer(String)
    /// A CNAME chain longer than allowed, or one that comes back to a name it passed.
    case chain(String)

    public var description: String {
        switch self {
        case .invalidName(let name): return "invalid DNS name \(name)"
        case .malformed(let why): return "malformed DNS response: \(why)"
        case .timeout(let server): return "no DNS answer from \(server) in time"
        case .serverError(let server, let code): return "DNS server \(server) answered \(code)"
        case .network(let server, let message): return "DNS server \(server): \(message)"
        case .badServer(let why): return why
        case .chain(let why): return why
        }
    }
}
