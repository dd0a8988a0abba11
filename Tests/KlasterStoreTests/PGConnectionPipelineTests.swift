import KlasterCore
@testable import KlasterStore
import KlasterTestSupport
import Testing

/// `PGConnection`'s round-trip savings: the BEGIN sent with the first
/// statement and deferred statements sent with the COMMIT (pipeline mode)
/// behave exactly like statements sent one by one.
@Suite struct PGConnectionPipelineTests {
    let server: PostgresServer
    let url: String

    init() throws {
        server = try PostgresServer.shared()
        url = try server.createDatabase(prefix: "pipe")
    }

    private func connect() throws -> PGConnection { try PGConnection(url: url, password: PostgresServer.password) }
    private var database: String { String(url.split(separator: "/").last!) }
    static let insert = "INSERT INTO t (k, v) VALUES ($1::integer, $2::text)"
    static let append = "UPDATE t SET v = v || $2::text WHERE k = $1::integer"

    @Test func deferredStatementsRunInOrderAndCommitWithTheTransaction() throws {
        let c = try connect()
        try c.execute("CREATE TABLE t (k integer PRIMARY KEY, v text NOT NULL)")
        try c.transaction { () throws(KlasterError) in
            try c.runDeferred(prepared: "ins", Self.insert, ["1", "a"])
            try c.runDeferred(prepared: "app", Self.append, ["1", "b"])
            // A statement that returns rows sees everything deferred before it.
            #expect(try c.scalarInt("SELECT count(*) FROM t WHERE v = 'ab'") == 1)
            try c.runDeferred(prepared: "app", Self.append, ["1", "c"])
            try c.runDeferred(prepared: "ins", Self.insert, ["2", "x"])
        }
        #expect(try server.admin("SELECT k, v FROM t ORDER BY k", database: database) == "1|abc\n2|x\n")
    }

    @Test func aFailingDeferredStatementFailsTheTransactionAndLeavesTheConnectionUsable() throws {
        let c = try connect()
        try c.execute("CREATE TABLE t (k integer PRIMARY KEY, v text NOT NULL)")
        let e = #expect(throws: KlasterError.self) {
            try c.transaction { () throws(KlasterError) in
                _ = try c.run(prepared: "ins", Self.insert, ["1", "a"])
                try c.runDeferred(prepared: "ins", Self.insert, ["2", "b"])
                try c.runDeferred(prepared: "ins", Self.insert, ["2", "again"])  // duplicate key
                try c.runDeferred(prepared: "ins", Self.insert, ["3", "c"])
            }
        }
        #expect(e?.code == .dataError)
        #expect(e?.message.contains("duplicate key") == true)
        #expect(try c.scalarInt("SELECT count(*) FROM t") == 0)
        try c.transaction { () throws(KlasterError) in try c.runDeferred(prepared: "ins", Self.insert, ["4", "d"]) }
        #expect(try server.admin("SELECT k, v FROM t", database: database) == "4|d\n")
    }

    @Test func aBodyThatThrowsBeforeSendingAnythingCommitsNothing() throws {
        let c = try connect()
        try c.execute("CREATE TABLE t (k integer PRIMARY KEY, v text NOT NULL)")
        #expect(throws: KlasterError.self) {
            try c.transaction { () throws(KlasterError) in
                try c.runDeferred(prepared: "ins", Self.insert, ["1", "a"])
                throw KlasterError(.software, "stop")
            }
        }
        try c.transaction { () throws(KlasterError) in try c.runDeferred(prepared: "ins", Self.insert, ["2", "b"]) }
        #expect(try server.admin("SELECT k FROM t", database: database) == "2\n")
    }
}
