import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A TCP server on 127.0.0.1 that misbehaves on purpose: it reads a request head, then stays silent,
/// dribbles a response a byte at a time, or sends part of a body and closes. Blocking sockets on
/// threads, each with bounded waits, so a test can never hang on it.
final class RawServer: Sendable {
    enum Behaviour: Sendable {
        /// Accepts and reads, never answers.
        case silent
        /// A 200 head announcing 100,000 bytes, then one byte every `interval` seconds.
        case dribble(interval: Double)
        /// A 200 head announcing `declared` bytes, `sent` of them, then close.
        case cutOff(declared: Int, sent: Int)
        /// Closes the connection as soon as the request head is in.
        case close
    }

    let port: Int
    private let listener: Int32
    private let counter: Counter

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func increment() { lock.lock(); value += 1; lock.unlock() }
        var count: Int { lock.lock(); defer { lock.unlock() }; return value }
    }

    /// Connections accepted so far.
    var connections: Int { counter.count }

    private init(port: Int, listener: Int32, counter: Counter) {
        self.port = port
        self.listener = listener
        self.counter = counter
    }

    var url: String { "http://127.0.0.1:\(port)" }

    static func start(_ behaviour: Behaviour) throws -> RawServer {
        guard let (fd, port) = loopbackSocket() else { throw POSIXError(.EADDRINUSE) }
        guard listen(fd, 16) == 0 else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        let counter = Counter()
        let server = RawServer(port: port, listener: fd, counter: counter)
        Thread.detachNewThread {
            while true {
                let connection = accept(fd, nil, nil)
                guard connection >= 0 else { return }
                counter.increment()
                Thread.detachNewThread { serve(connection, behaviour) }
            }
        }
        return server
    }

    /// Stops accepting (connections already served end by their own bounds).
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private static func serve(_ fd: Int32, _ behaviour: Behaviour) {
        defer { close(fd) }
        // No read waits longer than 20 s, whatever the client does.
        var limit = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var head: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        let end: [UInt8] = Array("\r\n\r\n".utf8)
        while !head.hasSubsequence(end), head.count < 1 << 20 {
            let count = recv(fd, &buffer, buffer.count, 0)
            guard count > 0 else { return }
            head.append(contentsOf: buffer[0..<count])
        }
        switch behaviour {
        case .silent:
            // Wait for the client to give up (or 20 s).
            while recv(fd, &buffer, buffer.count, 0) > 0 {}
        case .dribble(let interval):
            guard write(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: 100000\r\n\r\n") else { return }
            for _ in 0..<600 {
                guard write(fd, " ") else { return }
                usleep(useconds_t(interval * 1_000_000))
            }
        case .cutOff(let declared, let sent):
            _ = write(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: \(declared)\r\n\r\n"
                + String(repeating: " ", count: sent))
        case .close:
            return
        }
    }

    private static func write(_ fd: Int32, _ text: String) -> Bool {
        let bytes = Array(text.utf8)
        #if os(Linux)
        let flags = Int32(MSG_NOSIGNAL)
        #else
        let flags: Int32 = 0
        #endif
        return bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, flags) } == bytes.count
    }
}

extension Array where Element == UInt8 {
    func hasSubsequence(_ subsequence: [UInt8]) -> Bool {
        guard count >= subsequence.count else { return false }
        for start in 0...(count - subsequence.count) where self[start..<(start + subsequence.count)].elementsEqual(subsequence) {
            return true
        }
        return false
    }
}
