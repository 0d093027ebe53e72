import CSQLite
import Dispatch
import Synchronization

// Only Data from Foundation: FoundationEssentials has it without CoreFoundation and ICU (issue 17).
import struct FoundationEssentials.Data

/// A value bound to a statement or read from a column, by SQLite storage class.
enum SQLiteValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob(Data)
}

/// A failure SQLite reported: its (extended) result code and `sqlite3_errmsg`, and the statement run.
struct SQLiteError: Error, CustomStringConvertible, Sendable, Equatable {
    var code: Int32
    var message: String
    var sql: String?

    /// The primary result code (SQLITE_CONSTRAINT for SQLITE_CONSTRAINT_COMMITHOOK, …).
    var primaryCode: Int32 { code & 0xff }

    var description: String {
        "SQLite error \(code): \(message)" + (sql.map { " - while executing `\($0)`" } ?? "")
    }

    /// The connection's latest error, reported as `code` (what the failing call returned).
    init(_ code: Int32, _ handle: OpaquePointer?, sql: String? = nil) {
        self.init(code: code, message: handle.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(code)), sql: sql)
    }

    init(code: Int32, message: String, sql: String? = nil) {
        self.code = code
        self.message = message
        self.sql = sql
    }
}

/// One result row, read out of its statement (values stay valid after the statement is finalized).
struct SQLiteRow: Sendable, Equatable {
    var values: [SQLiteValue]

    var count: Int { values.count }
    /// The value of column `index`; NULL past the last column.
    subscript(index: Int) -> SQLiteValue { values.indices.contains(index) ? values[index] : .null }

    func text(_ index: Int) throws -> String {
        if case .text(let text) = self[index] { return text }
        throw mismatch(index, "text")
    }

    func int64(_ index: Int) throws -> Int64 {
        if case .integer(let value) = self[index] { return value }
        throw mismatch(index, "an integer")
    }

    func double(_ index: Int) throws -> Double {
        switch self[index] {
        case .real(let value): return value
        case .integer(let value): return Double(value)
        default: throw mismatch(index, "a real")
        }
    }

    /// A blob, or the UTF-8 of a text (SQLite converts between the two the same way).
    func data(_ index: Int) throws -> Data {
        switch self[index] {
        case .blob(let data): return data
        case .text(let text): return Data(text.utf8)
        default: throw mismatch(index, "a blob")
        }
    }

    private func mismatch(_ index: Int, _ expected: String) -> SQLiteError {
        SQLiteError(code: SQLITE_MISMATCH, message: "column \(index) is \(index < count ? "\(self[index])" : "missing"), not \(expected)")
    }
}

/// One SQLite connection, used synchronously by one thread at a time (``SQLiteDatabase`` guarantees it).
/// Every statement is finalized before the call that prepared it returns, so closing never waits for one.
final class SQLiteConnection {
    enum Location: Sendable {
        case file(String)
        /// A private database in memory, gone when the connection closes.
        case memory
    }

    private var handle: OpaquePointer?

    /// Opens (creating) a file read-write, or a private in-memory database. SQLITE_OPEN_NOMUTEX: SQLite's
    /// own per-connection mutex (FULLMUTEX) is not needed, as the connection is never used by two threads
    /// at once. SQLite waits up to `busyTimeout` milliseconds for a lock another connection holds.
    init(_ location: Location, busyTimeout: Int32 = 5_000) throws {
        let path: String
        switch location {
        case .file(let file): path = file
        case .memory: path = ":memory:"
        }
        var opened: OpaquePointer?
        let code = sqlite3_open_v2(path, &opened, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nil)
        guard code == SQLITE_OK, let opened else {
            let error = SQLiteError(code, opened)
            sqlite3_close_v2(opened)
            throw error
        }
        handle = opened
        sqlite3_extended_result_codes(opened, 1)
        sqlite3_busy_timeout(opened, busyTimeout)
    }

    deinit { close() }

    /// Closes the connection (a file in WAL mode is checkpointed first); later calls throw SQLITE_MISUSE.
    func close() {
        guard let handle else { return }
        sqlite3_close_v2(handle)
        self.handle = nil
    }

    /// Whether a transaction is open.
    var isInTransaction: Bool { handle.map { sqlite3_get_autocommit($0) == 0 } ?? false }

    /// Runs one statement (a second one in `sql` is an error), discarding any rows.
    func execute(_ sql: String, _ arguments: [SQLiteValue] = []) throws {
        try withStatement(sql, arguments) { statement in
            while try step(statement, sql) {}
        }
    }

    /// Runs every statement of `sql`, which takes no arguments.
    func executeScript(_ sql: String) throws {
        let handle = try open()
        let code = sqlite3_exec(handle, sql, nil, nil, nil)
        guard code == SQLITE_OK else { throw SQLiteError(code, handle, sql: sql) }
    }

    func fetchAll(_ sql: String, _ arguments: [SQLiteValue] = []) throws -> [SQLiteRow] {
        try withStatement(sql, arguments) { statement in
            var rows: [SQLiteRow] = []
            while try step(statement, sql) { rows.append(row(statement)) }
            return rows
        }
    }

    func fetchOne(_ sql: String, _ arguments: [SQLiteValue] = []) throws -> SQLiteRow? {
        try withStatement(sql, arguments) { statement in try step(statement, sql) ? row(statement) : nil }
    }

    /// Runs `body` in a `BEGIN IMMEDIATE` transaction: committed when it returns, rolled back when it (or
    /// the commit) throws. A commit the commit hook vetoes fails with SQLITE_CONSTRAINT_COMMITHOOK.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        guard !isInTransaction else {
            throw SQLiteError(code: SQLITE_MISUSE, message: "a transaction is already open")
        }
        try execute("BEGIN IMMEDIATE TRANSACTION")
        do {
            let result = try body()
            try execute("COMMIT TRANSACTION")
            return result
        } catch {
            // SQLite has already rolled back after some errors (a vetoed commit, a full disk); a failing
            // ROLLBACK leaves nothing more to undo, and the body's error is the one to report.
            if isInTransaction { try? execute("ROLLBACK TRANSACTION") }
            throw error
        }
    }

    /// Makes every commit fail and roll back (`true`), or succeed again: a commit hook returning non-zero.
    func vetoCommits(_ veto: Bool) {
        guard let handle else { return }
        let refuse: @convention(c) (UnsafeMutableRawPointer?) -> Int32 = { _ in 1 }
        sqlite3_commit_hook(handle, veto ? refuse : nil, nil)
    }

    private func open() throws -> OpaquePointer {
        guard let handle else { throw SQLiteError(code: SQLITE_MISUSE, message: "the database connection is closed") }
        return handle
    }

    /// Prepares `sql`, binds `arguments` (?1, ?2, …), runs `body`, and finalizes the statement whatever happens.
    private func withStatement<T>(_ sql: String, _ arguments: [SQLiteValue], _ body: (OpaquePointer) throws -> T) throws -> T {
        let handle = try open()
        var prepared: OpaquePointer?
        var rest = ""
        let code = sql.withCString { text in
            var tail: UnsafePointer<CChar>?
            let code = sqlite3_prepare_v2(handle, text, -1, &prepared, &tail)
            if let tail { rest = String(cString: tail) }
            return code
        }
        defer { sqlite3_finalize(prepared) }
        guard code == SQLITE_OK else { throw SQLiteError(code, handle, sql: sql) }
        guard rest.allSatisfy({ $0.isWhitespace || $0 == ";" }) else {
            throw SQLiteError(code: SQLITE_MISUSE, message: "more than one statement (use executeScript)", sql: sql)
        }
        guard let statement = prepared else {
            throw SQLiteError(code: SQLITE_MISUSE, message: "no statement (only whitespace or a comment)", sql: sql)
        }
        let parameters = Int(sqlite3_bind_parameter_count(statement))
        guard parameters == arguments.count else {
            throw SQLiteError(code: SQLITE_RANGE, message: "\(arguments.count) arguments for \(parameters) parameters", sql: sql)
        }
        for (offset, argument) in arguments.enumerated() {
            let code = bind(argument, at: Int32(offset + 1), in: statement)
            guard code == SQLITE_OK else { throw SQLiteError(code, handle, sql: sql) }
        }
        return try body(statement)
    }

    private func bind(_ value: SQLiteValue, at index: Int32, in statement: OpaquePointer) -> Int32 {
        switch value {
        case .null:
            return sqlite3_bind_null(statement, index)
        case .integer(let value):
            return sqlite3_bind_int64(statement, index, value)
        case .real(let value):
            return sqlite3_bind_double(statement, index, value)
        case .text(let text):
            // The UTF-8 with its length (a NUL inside is kept), plus a terminator so that even the empty text
            // has an address (a null pointer would bind NULL).
            let bytes = Array(text.utf8) + [0]
            return bytes.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { chars in
                    sqlite3_bind_text64(statement, index, chars.baseAddress, sqlite3_uint64(chars.count - 1), csqlite_transient(), UInt8(SQLITE_UTF8))
                }
            }
        case .blob(let data):
            guard !data.isEmpty else { return sqlite3_bind_zeroblob(statement, index, 0) }
            return data.withUnsafeBytes { buffer in
                sqlite3_bind_blob64(statement, index, buffer.baseAddress, sqlite3_uint64(buffer.count), csqlite_transient())
            }
        }
    }

    /// Steps `statement`: true with a row ready, false when done.
    private func step(_ statement: OpaquePointer, _ sql: String) throws -> Bool {
        switch sqlite3_step(statement) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let code: throw SQLiteError(code, handle, sql: sql)
        }
    }

    private func row(_ statement: OpaquePointer) -> SQLiteRow {
        SQLiteRow(values: (0..<sqlite3_column_count(statement)).map { column in
            switch sqlite3_column_type(statement, column) {
            case SQLITE_INTEGER:
                return .integer(sqlite3_column_int64(statement, column))
            case SQLITE_FLOAT:
                return .real(sqlite3_column_double(statement, column))
            case SQLITE_TEXT:
                // The pointer first, then its length in bytes (SQLite's documented order).
                guard let text = sqlite3_column_text(statement, column) else { return .text("") }
                return .text(String(decoding: UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(statement, column))), as: UTF8.self))
            case SQLITE_BLOB:
                guard let blob = sqlite3_column_blob(statement, column) else { return .blob(Data()) }
                return .blob(Data(bytes: blob, count: Int(sqlite3_column_bytes(statement, column))))
            default:
                return .null
            }
        })
    }
}

/// One ``SQLiteConnection`` shared across tasks. Async calls run one at a time, in the order they were
/// made, on a private serial DispatchQueue, so SQLite's blocking I/O never holds one of Swift's
/// cooperative threads; the mutex lets ``sync(_:)`` (while opening) and ``close()`` use the connection
/// off that queue, and makes the type Sendable without `@unchecked`.
final class SQLiteDatabase: Sendable {
    private let connection: Mutex<SQLiteConnection>
    private let queue = DispatchQueue(label: "runnerdeck.sqlite")

    init(_ location: SQLiteConnection.Location) throws {
        connection = Mutex(try SQLiteConnection(location))
    }

    /// Runs `body` on the calling thread (opening, before any async call runs).
    func sync<T: Sendable>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        try connection.withLock { connection throws -> T in try body(connection) }
    }

    /// Runs `body` on the database's queue, outside any transaction.
    func perform<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            // `self` is kept until the work ran.
            queue.async {
                continuation.resume(with: Result { try self.sync(body) })
            }
        }
    }

    /// Runs `body` in a transaction (see ``SQLiteConnection/transaction(_:)``) on the database's queue.
    func write<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        try await perform { connection in try connection.transaction { try body(connection) } }
    }

    /// Closes the connection now (later calls throw SQLITE_MISUSE).
    func close() {
        connection.withLock { $0.close() }
    }
}
