import AppRunner
import Foundation
import GRDB

/// Local App Runner's SQLite store: every record as JSON of its Codable form, keyed by kind and id.
/// WAL on a file; in memory for the demo and tests. Writes go through at once, so nothing accepted
/// is lost on `kill -9`.
final class LocalStore: Sendable {
    private let writer: any DatabaseWriter

    /// - Parameter path: a file, or nil for a private in-memory database.
    init(path: String?) throws {
        if let path {
            var configuration = Configuration()
            configuration.journalMode = .wal
            writer = try DatabasePool(path: path, configuration: configuration)
        } else {
            writer = try DatabaseQueue()
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
