import FoundationEssentials

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether `--host` is loopback, by the addresses it resolves to rather than by how its text starts
/// (`127.anything.example` may resolve to any address; `0.0.0.0` is every interface).
enum Loopback {
    /// Every IPv4/IPv6 address `host` resolves to (numeric hosts resolve to themselves); empty when it
    /// does not resolve.
    static func addresses(of host: String) -> [String] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else { return [] }
        defer { freeaddrinfo(first) }
        var found: [String] = []
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let current = entry {
            var text = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if let address = current.pointee.ai_addr,
               getnameinfo(address, current.pointee.ai_addrlen, &text, socklen_t(text.count), nil, 0, NI_NUMERICHOST) == 0 {
                let numeric = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                if !found.contains(numeric) { found.append(numeric) }
            }
            entry = current.pointee.ai_next
        }
        return found
    }

    /// 127.0.0.0/8 and ::1 (also as an IPv4-mapped IPv6 address).
    static func isLoopback(address: String) -> Bool {
        let bare = address.lowercased()
        if bare == "::1" { return true }
        let v4 = bare.hasPrefix("::ffff:") ? String(bare.dropFirst("::ffff:".count)) : bare
        let octets = v4.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    /// What may be served without credentials: the host's addresses, all loopback; nil (with the reason)
    /// when it does not resolve or reaches beyond this machine.
    static func check(_ host: String, resolve: (String) -> [String] = addresses(of:)) -> Result<[String], LocalServerError> {
        let resolved = resolve(host)
        guard !resolved.isEmpty else {
            return .failure(.unauthenticatedNonLoopback("\(host) (it does not resolve)"))
        }
        let outside = resolved.filter { !isLoopback(address: $0) }
        guard outside.isEmpty else {
            return .failure(.unauthenticatedNonLoopback("\(host) (it resolves to \(outside.joined(separator: ", ")), not loopback)"))
        }
        return .success(resolved)
    }
}
