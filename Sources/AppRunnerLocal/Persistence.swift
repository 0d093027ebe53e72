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

/// Local App Runner's SQLite store: every record as JSON of its Codable form, keyed by kind and id.
/// WAL on a file; in memory for the demo and tests. Writes go through at once, so nothing accepted
/// is lost on `kill -9`.
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
    func setReadOnly(_ readOnly: Bool) throws {
        try writer.writeWithoutTransaction { db in
            try db.execute(sql: readOnly ? "PRAGMA query_only = 1" : "PRAGMA query_only = 0")
        }
    }

    func save(_ changes: [(kind: String, id: String, json: Data?)]) throws {
        guard !changes.isEmpty else { return }
        try writer.write { db in
            for change in changes {
                if let json = change.json {
                    try db.execute(sql: "INSERT OR REPLACE INTO records (kind, id, json) VALUES (?, ?, ?)",
                                   arguments: [change.kind, change.id, json])
                } else {
                    try db.execute(sql: "DELETE FROM records WHERE kind = ? AND id = ?", arguments: [change.kind, change.id])
                }
            }
        }
    }

    func load(kind: String) throws -> [(id: String, json: Data)] {
        try writer.read { db in
            try Row.fetchAll(db, sql: "SELECT id, json FROM records WHERE kind = ? ORDER BY rowid", arguments: [kind]).map { row in
                (id: row["id"], json: row["json"])
            }
        }
    }
}
