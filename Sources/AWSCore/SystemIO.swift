import FoundationEssentials

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading and writing file descriptors with the C library, in place of Foundation's `FileHandle`
/// (full Foundation, which pulls in ICU).
public enum SystemIO {
    /// A failed system call: its name and `errno`.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let call: String
        public let code: Int32

        public init(_ call: String, code: Int32 = errno) {
            self.call = call
            self.code = code
        }

        /// The C library's text for `code` ("No such file or directory").
        public var reason: String { String(cString: strerror(code)) }
        public var description: String { "\(call): \(reason)" }
    }

    /// Writes all of `bytes` to `descriptor`, retrying after EINTR and short writes.
    public static func write(_ bytes: some Collection<UInt8>, to descriptor: Int32) throws(Failure) {
        let failure: Int32? = bytes.withContiguousStorageIfAvailable { buffer in
            writeAll(UnsafeRawBufferPointer(buffer), to: descriptor)
        } ?? Array(bytes).withUnsafeBytes { writeAll($0, to: descriptor) }
        if let failure { throw Failure("write", code: failure) }
    }

    /// `text` as UTF-8 to `descriptor`; errors are ignored (diagnostics on stderr).
    public static func write(_ text: String, toDescriptor descriptor: Int32) {
        try? write(Array(text.utf8), to: descriptor)
    }

    private static func writeAll(_ buffer: UnsafeRawBufferPointer, to descriptor: Int32) -> Int32? {
        guard let base = buffer.baseAddress else { return nil }
        var offset = 0
        while offset < buffer.count {
            let written = systemWrite(descriptor, base + offset, buffer.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += written
        }
        return nil
    }

    /// Everything `descriptor` yields until end of file.
    public static func readToEnd(_ descriptor: Int32) throws(Failure) -> Data {
        var data = Data()
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { systemRead(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw Failure("read")
            }
            if count == 0 { return data }
            data.append(contentsOf: chunk[0..<count])
        }
    }

    /// The whole file at `path` (regular files and character devices such as /dev/null alike).
    public static func readFile(_ path: String) throws(Failure) -> Data {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw Failure("open") }
        defer { close(descriptor) }
        return try readToEnd(descriptor)
    }

    /// Opens `path` for appending, created with `mode` (less the umask) when missing.
    public static func openForAppending(_ path: String, mode: mode_t = 0o666) throws(Failure) -> Int32 {
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw Failure("open") }
        return descriptor
    }

    /// Closes `descriptor`.
    public static func close(_ descriptor: Int32) {
        _ = systemClose(descriptor)
    }

    /// The home directory of the process: `HOME`, else the user database's entry for the user.
    public static func homeDirectory() -> String {
        if let home = getenv("HOME").map({ String(cString: $0) }), !home.isEmpty { return home }
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16_384)
        guard getpwuid_r(getuid(), &entry, &buffer, buffer.count, &result) == 0, result != nil, let directory = entry.pw_dir else {
            return "/"
        }
        return String(cString: directory)
    }
}

// The C functions under other names, so that the methods named `write` above can call them.
private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, buffer, count)
}

private func systemClose(_ descriptor: Int32) -> Int32 {
    close(descriptor)
}

private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}
