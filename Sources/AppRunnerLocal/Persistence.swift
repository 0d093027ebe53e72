import AWSCore
import AppRunner
import CSQLite
import FoundationEssentials

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum LocalStoreError: Error, CustomStringConvertible {
    /// The file is locked by another store (path asked for, who holds it when the system says).
    case inUse(String, LockHolder?)
    case cannotOpen(String, Int32)

    var description: String {
        switch self {
        case .inUse(let path, let holder):
            let who = holder.map { holder in
                "process \(holder.pid == getpid() ? "pid \(holder.pid) (this one)" : "pid \(holder.pid)")" + (holder.statePath.map { ", serving \($0)," } ?? "")
            } ?? "another process"
            return "\(who) holds \(path), or the file it names (is a runnerdeck serve already running on it?)"
        case .cannotOpen(let path, let code):
            return "cannot open \(path): \(String(cString: strerror(code)))"
        }
    }
}

/// Who holds the lock on a state file: from `/proc/locks` (Linux), and the `--state` its command line names.
struct LockHolder: Sendable, Equatable {
    var pid: Int32
    var statePath: String?

    /// The process holding a `flock` on the file open at `descriptor`, when the system tells.
    static func of(descriptor: Int32) -> LockHolder? {
        // The open file's device and inode, through its /proc/self/fd link (struct stat's fields are not
        // visible to this module under MemberImportVisibility: NIO's C module owns glibc's declaration).
        // (attributesOfItem does not follow links, so ask it about the path the link names).
        guard let file = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(descriptor)"),
              let attributes = try? FileManager.default.attributesOfItem(atPath: file),
              let device = Self.number(attributes[.systemNumber]), let inode = Self.number(attributes[.systemFileNumber]),
              // Read to the end: /proc files claim a size of 0.
              let locks = (try? SystemIO.readFile("/proc/locks")).map({ String(decoding: $0, as: UTF8.self) }) else { return nil }
        let major = ((device >> 8) & 0xfff) | ((device >> 32) & ~UInt64(0xfff))
        let minor = (device & 0xff) | ((device >> 12) & ~UInt64(0xff))
        let identity = String(cFormat: "%02llx:%02llx:%llu", major, minor, inode)
        // e.g. "1: FLOCK  ADVISORY  WRITE 4242 fd:01:393612 0 EOF"
        for line in locks.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count >= 6, fields[1] == "FLOCK", fields[5] == identity, let pid = Int32(fields[4]) else { continue }
            return LockHolder(pid: pid, statePath: statePath(of: pid))
        }
        return nil
    }

    /// A file attribute's number, whichever integer type holds it (FoundationEssentials: UInt, UInt64).
    private static func number(_ value: Any?) -> UInt64? {
        switch value {
        case let number as UInt64: return number
        case let number as UInt: return UInt64(number)
        case let number as Int: return UInt64(truncatingIfNeeded: number)
        case let number as Int64: return UInt64(truncatingIfNeeded: number)
        default: return nil
        }
    }

    /// The `--state` argument of process `pid`, when it is a runnerdeck serve.
    static func statePath(of pid: Int32) -> String? {
        guard let data = try? SystemIO.readFile("/proc/\(pid)/cmdline") else { return nil }
        let arguments = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        for (index, argument) in arguments.enumerated() {
            if argument == "--state", index + 1 < arguments.count { return arguments[index + 1] }
            if argument.hasPrefix("--state=") { return String(argument.dropFirst("--state=".count)) }
        }
        return nil
    }
}

/// What a stored record is: the `kind` column of the `records` table. The raw values are what files
/// written by earlier versions hold, so they load unchanged.
enum RecordKind: String, CaseIterable, Sendable {
    case service
    case operation
    case autoScaling = "autoscaling"
    case connection
    case vpcConnector = "vpcconnector"
    case vpcIngress = "ingress"
    case observability
    case serviceTags = "servicetags"
    /// Account settings (the default auto scaling configuration).
    case meta
}

/// One record to write: its JSON, or nil to delete it (the resource is gone from memory).
struct RecordChange: Sendable {
    var kind: RecordKind
    var id: String
    var json: Data?
}

/// Every stored record, by kind, in insertion order.
typealias StoredRecords = [RecordKind: [(id: String, json: Data)]]

/// Local App Runner's SQLite store: every record as JSON of its Codable form, keyed by kind and id.
/// WAL on a file; in memory for the demo and tests. Writes go through at once, so nothing accepted
/// is lost on `kill -9`. Opening is synchronous (once, at start); every later access goes through
/// ``SQLiteDatabase``'s async API, so SQLite waits off Swift's cooperative threads.
///
/// A file is used by one store at a time, whatever name reaches it (a symlink, a hard link): the store
/// holds an exclusive `flock` on the file itself, and SQLite runs in exclusive locking mode, so its WAL
/// index lives in memory and there is no `-shm` file (one that cannot be written made SQLite fault
/// with SIGBUS). Other programs (the `sqlite3` shell) can read the file once the server has stopped.
final class LocalStore: Sendable {
    let database: SQLiteDatabase
    /// The state file, open and `flock`ed while the store is open; the kernel drops the lock when the
    /// process dies (kill -9 included).
    private let lockDescriptor: Int32

    /// - Parameter path: a file, or nil for a private in-memory database.
    init(path: String?) throws {
        if let path {
            let descriptor = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else { throw LocalStoreError.cannotOpen(path, errno) }
            guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
                let holder = LockHolder.of(descriptor: descriptor)
                close(descriptor)
                throw LocalStoreError.inUse(path, holder)
            }
            lockDescriptor = descriptor
        } else {
            lockDescriptor = -1
        }
        do {
            if let path {
                database = try SQLiteDatabase(.file(path))
                try database.sync { db in
                    // Before the first WAL access, so SQLite never creates a shared-memory index.
                    try db.execute("PRAGMA locking_mode = EXCLUSIVE")
                    let mode = try db.fetchOne("PRAGMA journal_mode = WAL").map { try $0.text(0) }
                    guard mode?.lowercased() == "wal" else {
                        throw SQLiteError(code: SQLITE_CANTOPEN, message: "the file cannot use a write-ahead log (journal mode \(mode ?? "unknown"))")
                    }
                }
            } else {
                database = try SQLiteDatabase(.memory)
            }
        } catch {
            // Not fully initialised, so deinit will not run: let go of the lock here.
            if lockDescriptor >= 0 { close(lockDescriptor) }
            throw error
        }
        // From here a throw runs deinit, which lets go of the lock.
        try database.sync { db in
            try db.transaction {
                try db.execute("""
                CREATE TABLE IF NOT EXISTS records (
                    kind TEXT NOT NULL,
                    id TEXT NOT NULL,
                    json BLOB NOT NULL,
                    PRIMARY KEY (kind, id)
                )
                """)
                try Self.createLogTable(db)
            }
        }
    }

    deinit {
        // SQLite first (it checkpoints on close under its own lock), then the file and its flock: closing
        // any descriptor of the file drops the process's POSIX locks, SQLite's included.
        database.close()
        if lockDescriptor >= 0 { close(lockDescriptor) }
    }

    /// Makes the database refuse (or accept again) every write, as a full disk or a read-only file would
    /// (tests of the failed-write path): SQLite rolls back each transaction at its commit, which fails as a
    /// write to a read-only file does.
    func setReadOnly(_ readOnly: Bool) async throws {
        try await database.perform { db in db.vetoCommits(readOnly) }
    }

    /// Writes every change (and log events, trimmed to `retention`) in one transaction: all of them are stored, or none.
    func save(_ changes: [RecordChange], logs: [StoredLogEvent] = [], retention: LogRetention = LogRetention()) async throws {
        guard !changes.isEmpty || !logs.isEmpty else { return }
        do {
            try await database.write { db in
                try Self.apply(changes, in: db)
                try Self.append(logs, retention: retention, in: db)
            }
        } catch let error as SQLiteError where error.code == csqlite_constraint_commithook() {
            // Only ``setReadOnly(_:)`` sets a commit hook.
            throw SQLiteError(code: SQLITE_READONLY, message: "attempt to write a readonly database", sql: error.sql)
        }
    }

    /// The synchronous form of ``save(_:)``, for opening a store (nothing else runs yet).
    func saveWhileOpening(_ changes: [RecordChange]) throws {
        guard !changes.isEmpty else { return }
        try database.sync { db in try db.transaction { try Self.apply(changes, in: db) } }
    }

    func loadAll() async throws -> StoredRecords {
        try await database.perform { db in try Self.fetchAll(db) }
    }

    /// The synchronous form of ``loadAll()``, for opening a store (nothing else runs yet).
    func loadAllWhileOpening() throws -> StoredRecords {
        try database.sync { db in try Self.fetchAll(db) }
    }

    private static func apply(_ changes: [RecordChange], in db: SQLiteConnection) throws {
        for change in changes {
            if let json = change.json {
                try db.execute("INSERT OR REPLACE INTO records (kind, id, json) VALUES (?, ?, ?)",
                               [.text(change.kind.rawValue), .text(change.id), .blob(json)])
            } else {
                try db.execute("DELETE FROM records WHERE kind = ? AND id = ?", [.text(change.kind.rawValue), .text(change.id)])
            }
        }
    }

    /// Rows of kinds this version does not know are left alone (a newer version wrote them).
    private static func fetchAll(_ db: SQLiteConnection) throws -> StoredRecords {
        var records: StoredRecords = [:]
        for row in try db.fetchAll("SELECT kind, id, json FROM records ORDER BY rowid") {
            guard let kind = RecordKind(rawValue: try row.text(0)) else { continue }
            records[kind, default: []].append((id: try row.text(1), json: try row.data(2)))
        }
        return records
    }
}
