import AppRunner
import Foundation
import GRDB

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum LocalStoreError: Error, CustomStringConvertible {
    case inUse(String)
    case lockFile(String, Int32)

    var description: String {
        switch self {
        case .inUse(let path):
            return "another process holds \(path) (is a runnerdeck serve already running on it?)"
        case .lockFile(let path, let code):
            return "cannot open the lock file \(path): \(String(cString: strerror(code)))"
        }
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
/// GRDB's async API, so SQLite waits off Swift's cooperative threads.
final class LocalStore: Sendable {
    private let writer: any DatabaseWriter
    /// An exclusive `flock` on `<path>.lock`, held while the store is open: two processes caching the same
    /// file would overwrite each other's records. The kernel drops it when the process dies (kill -9 included).
    private let lockDescriptor: Int32

    /// - Parameter path: a file, or nil for a private in-memory database.
    init(path: String?) throws {
        if let path {
            let lockPath = path + ".lock"
            let descriptor = open(lockPath, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else { throw LocalStoreError.lockFile(lockPath, errno) }
            guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
                close(descriptor)
                throw LocalStoreError.inUse(path)
            }
            lockDescriptor = descriptor
        } else {
            lockDescriptor = -1
        }
        do {
            if let path {
                var configuration = Configuration()
                configuration.journalMode = .wal
                writer = try DatabasePool(path: path, configuration: configuration)
            } else {
                writer = try DatabaseQueue()
            }
        } catch {
            // Not fully initialised, so deinit will not run: let go of the lock here.
            if lockDescriptor >= 0 { close(lockDescriptor) }
            throw error
        }
        try writer.write { db in
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS records (
                    kind TEXT NOT NULL,
                    id TEXT NOT NULL,
                    json BLOB NOT NULL,
                    PRIMARY KEY (kind, id)
                )
                """)
        }
    }

    deinit {
        if lockDescriptor >= 0 { close(lockDescriptor) }
    }

    /// Makes the database refuse (or accept again) every write, as a full disk or a read-only file would
    /// (tests of the failed-write path).
    func setReadOnly(_ readOnly: Bool) async throws {
        try await writer.writeWithoutTransaction { db in
            try db.execute(sql: readOnly ? "PRAGMA query_only = 1" : "PRAGMA query_only = 0")
        }
    }

    /// Writes every change in one transaction: all of them are stored, or none.
    func save(_ changes: [RecordChange]) async throws {
        guard !changes.isEmpty else { return }
        try await writer.write { db in try Self.apply(changes, in: db) }
    }

    /// The synchronous form of ``save(_:)``, for opening a store (nothing else runs yet).
    func saveWhileOpening(_ changes: [RecordChange]) throws {
        guard !changes.isEmpty else { return }
        try writer.write { db in try Self.apply(changes, in: db) }
    }

    func loadAll() async throws -> StoredRecords {
        try await writer.read { db in try Self.fetchAll(db) }
    }

    /// The synchronous form of ``loadAll()``, for opening a store (nothing else runs yet).
    func loadAllWhileOpening() throws -> StoredRecords {
        try writer.read { db in try Self.fetchAll(db) }
    }

    private static func apply(_ changes: [RecordChange], in db: Database) throws {
        for change in changes {
            if let json = change.json {
                try db.execute(sql: "INSERT OR REPLACE INTO records (kind, id, json) VALUES (?, ?, ?)",
                               arguments: [change.kind.rawValue, change.id, json])
            } else {
                try db.execute(sql: "DELETE FROM records WHERE kind = ? AND id = ?", arguments: [change.kind.rawValue, change.id])
            }
        }
    }

    /// Rows of kinds this version does not know are left alone (a newer version wrote them).
    private static func fetchAll(_ db: Database) throws -> StoredRecords {
        var records: StoredRecords = [:]
        for row in try Row.fetchAll(db, sql: "SELECT kind, id, json FROM records ORDER BY rowid") {
            guard let kind = RecordKind(rawValue: row["kind"]) else { continue }
            records[kind, default: []].append((id: row["id"], json: row["json"]))
        }
        return records
    }
}
