import CSQLite
import Foundation
import Testing

@testable import AppRunnerLocal

/// The SQLite layer under Local App Runner's store: values round-trip exactly, errors carry SQLite's code
/// and message, transactions roll back on a throw and on a vetoed commit, async calls run one at a time,
/// and a file keeps what was committed.
@Suite(.timeLimit(.minutes(2))) struct SQLiteDatabaseTests {
    /// A database file in the temporary directory, removed (with its WAL) when `body` ends.
    func withFile(_ body: (String) async throws -> Void) async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sqlite-\(UUID().uuidString).sqlite").path
        defer {
            for suffix in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        try await body(path)
    }

    @Test func everyTypeRoundTripsExactly() throws {
        let connection = try SQLiteConnection(.memory)
        try connection.execute("CREATE TABLE t (v)")
        let values: [SQLiteValue] = [
            .text("héllo, 世界 ✓ 🚀"), .text("nul\u{0}inside"), .text(""),
            .integer(.min), .integer(.max), .integer(0),
            .real(-0.5), .real(.greatestFiniteMagnitude),
            .blob(Data([0, 1, 0, 255, 0])), .blob(Data()),
            .null,
        ]
        for value in values {
            try connection.execute("INSERT INTO t (v) VALUES (?)", [value])
        }
        let read = try connection.fetchAll("SELECT v, typeof(v) FROM t ORDER BY rowid")
        #expect(read.map { $0[0] } == values)
        // The empty text and blob are stored as such, not as NULL.
        #expect(try read.map { try $0.text(1) } == ["text", "text", "text", "integer", "integer", "integer", "real", "real", "blob", "blob", "null"])
    }

    @Test func typedColumnsReadTheirTypeAndRefuseAnother() throws {
        let connection = try SQLiteConnection(.memory)
        let row = try #require(try connection.fetchOne("SELECT ?, ?, ?, ?, ?", [.text("ünï"), .integer(42), .real(2.5), .blob(Data([7, 0, 8])), .null]))
        #expect(try row.text(0) == "ünï")
        #expect(try row.int64(1) == 42)
        #expect(try row.double(2) == 2.5)
        #expect(try row.data(3) == Data([7, 0, 8]))
        #expect(try row.data(0) == Data("ünï".utf8))
        #expect(row[4] == .null)
        #expect(row.count == 5)
        #expect(throws: SQLiteError.self) { try row.text(1) }
        #expect(throws: SQLiteError.self) { try row.int64(4) }
        #expect(throws: SQLiteError.self) { try row.int64(5) }
        #expect(try connection.fetchOne("SELECT 1 WHERE 0") == nil)
    }

    @Test func badSQLCarriesSQLitesCodeAndMessage() throws {
        let connection = try SQLiteConnection(.memory)
        do {
            try connection.execute("SELEC 1")
            Issue.record("expected an error")
        } catch let error as SQLiteError {
            #expect(error.code == SQLITE_ERROR)
            #expect(error.message.contains("syntax error"))
            #expect(error.sql == "SELEC 1")
            #expect(error.description == "SQLite error 1: near \"SELEC\": syntax error - while executing `SELEC 1`")
        }
        do {
            try connection.execute("SELECT ?", [.integer(1), .integer(2)])
            Issue.record("expected an error")
        } catch let error as SQLiteError {
            #expect(error.code == SQLITE_RANGE)
        }
        try connection.execute("CREATE TABLE u (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
        do {
            try connection.execute("INSERT INTO u (name) VALUES (?)", [.null])
            Issue.record("expected an error")
        } catch let error as SQLiteError {
            #expect(error.primaryCode == SQLITE_CONSTRAINT)
            #expect(error.message.contains("NOT NULL constraint failed: u.name"))
        }
        // One statement at a time: the rest is not silently dropped.
        #expect(throws: SQLiteError.self) { try connection.execute("INSERT INTO u (name) VALUES ('a'); DELETE FROM u") }
        #expect(try connection.fetchOne("SELECT COUNT(*) FROM u")?.int64(0) == 0)
    }

    struct Refused: Error {}

    @Test func aThrowInsideATransactionRollsItBack() throws {
        let connection = try SQLiteConnection(.memory)
        try connection.execute("CREATE TABLE t (v INTEGER)")
        #expect(throws: Refused.self) {
            try connection.transaction {
                try connection.execute("INSERT INTO t (v) VALUES (1)")
                throw Refused()
            }
        }
        #expect(try connection.fetchOne("SELECT COUNT(*) FROM t")?.int64(0) == 0)
        #expect(!connection.isInTransaction)
        // A failing statement inside: rolled back too, and the next transaction starts cleanly.
        #expect(throws: SQLiteError.self) {
            try connection.transaction {
                try connection.execute("INSERT INTO t (v) VALUES (2)")
                try connection.execute("INSERT INTO missing (v) VALUES (3)")
            }
        }
        let stored = try connection.transaction {
            try connection.execute("INSERT INTO t (v) VALUES (4)")
            return try connection.fetchAll("SELECT v FROM t").map { try $0.int64(0) }
        }
        #expect(stored == [4])
    }

    @Test func aVetoedCommitIsRolledBack() throws {
        let connection = try SQLiteConnection(.memory)
        try connection.execute("CREATE TABLE t (v INTEGER)")
        connection.vetoCommits(true)
        do {
            try connection.transaction { try connection.execute("INSERT INTO t (v) VALUES (1)") }
            Issue.record("expected the commit to fail")
        } catch let error as SQLiteError {
            #expect(error.code == csqlite_constraint_commithook())
            #expect(error.primaryCode == SQLITE_CONSTRAINT)
        }
        #expect(!connection.isInTransaction)
        #expect(try connection.fetchOne("SELECT COUNT(*) FROM t")?.int64(0) == 0)
        connection.vetoCommits(false)
        try connection.transaction { try connection.execute("INSERT INTO t (v) VALUES (1)") }
        #expect(try connection.fetchOne("SELECT COUNT(*) FROM t")?.int64(0) == 1)
    }

    @Test func concurrentAsyncCallsRunOneAtATime() async throws {
        let database = try SQLiteDatabase(.memory)
        try await database.write { try $0.executeScript("CREATE TABLE counter (n INTEGER NOT NULL); INSERT INTO counter VALUES (0)") }
        // Read, wait, write back: interleaved, increments would be lost (or BEGIN would fail inside another).
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<40 {
                group.addTask {
                    try await database.write { connection in
                        let n = try connection.fetchOne("SELECT n FROM counter")?.int64(0) ?? -1
                        usleep(500)
                        try connection.execute("UPDATE counter SET n = ?", [.integer(n + 1)])
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try await database.perform { try $0.fetchOne("SELECT n FROM counter")?.int64(0) } == 40)
    }

    @Test func aReopenedFileSeesWhatWasCommitted() async throws {
        try await withFile { path in
            do {
                let database = try SQLiteDatabase(.file(path))
                try await database.write { connection in
                    try connection.execute("CREATE TABLE t (k TEXT, v BLOB)")
                    try connection.execute("INSERT INTO t VALUES (?, ?)", [.text("kept"), .blob(Data([1, 0, 2]))])
                }
                await #expect(throws: Refused.self) {
                    try await database.write { connection in
                        try connection.execute("INSERT INTO t VALUES (?, ?)", [.text("lost"), .null])
                        throw Refused()
                    }
                }
            }
            let reopened = try SQLiteDatabase(.file(path))
            let rows = try await reopened.perform { try $0.fetchAll("SELECT k, v FROM t ORDER BY rowid") }
            #expect(rows.map { $0[0] } == [.text("kept")])
            #expect(try rows.first?.data(1) == Data([1, 0, 2]))
        }
    }

    @Test func aFileThatIsNotADatabaseIsRefused() async throws {
        try await withFile { path in
            try Data("this is not an SQLite database".utf8).write(to: URL(fileURLWithPath: path))
            do {
                let connection = try SQLiteConnection(.file(path))
                _ = try connection.fetchAll("SELECT * FROM sqlite_master")
                Issue.record("expected an error")
            } catch let error as SQLiteError {
                #expect(error.code == SQLITE_NOTADB)
                #expect(error.message == "file is not a database")
            }
            #expect(throws: SQLiteError.self) { try SQLiteConnection(.file(path + "/below-a-file")) }
        }
    }

    @Test func theStoreKeepsItsWriteAheadLogPrivateAndFoldsItBackOnClose() async throws {
        try await withFile { path in
            do {
                let store = try LocalStore(path: path)
                try await store.save([RecordChange(kind: .service, id: "a", json: Data("{}".utf8))])
                #expect(FileManager.default.fileExists(atPath: path + "-wal"))
                #expect(!FileManager.default.fileExists(atPath: path + "-shm"))
            }
            #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
            let connection = try SQLiteConnection(.file(path))
            #expect(try connection.fetchOne("PRAGMA journal_mode")?.text(0) == "wal")
            #expect(try connection.fetchAll("SELECT kind, id, json FROM records").map { $0[0] } == [.text("service")])
        }
    }

    @Test func aReadOnlyStoreRefusesWritesAsSQLiteDoes() async throws {
        let store = try LocalStore(path: nil)
        try await store.setReadOnly(true)
        do {
            try await store.save([RecordChange(kind: .service, id: "a", json: Data("{}".utf8))])
            Issue.record("expected the write to be refused")
        } catch let error as SQLiteError {
            #expect(error.code == SQLITE_READONLY)
            #expect(error.message == "attempt to write a readonly database")
        }
        #expect(try await store.loadAll().isEmpty)
        try await store.setReadOnly(false)
        try await store.save([RecordChange(kind: .service, id: "a", json: Data("{}".utf8))])
        #expect(try await store.loadAll()[.service]?.map(\.id) == ["a"])
    }
}
