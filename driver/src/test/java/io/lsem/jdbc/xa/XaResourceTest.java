package io.lsem.jdbc.xa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lsem.jdbc.LsemXADataSource;
import io.lsem.testkit.PostgresExtension;
import io.lsem.testkit.PostgresServer;
import io.lsem.testkit.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.XAConnection;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The driver's XA resource driven step by step as a transaction manager does, over two databases:
 * both branches record the same logical id and commit timestamp with the global transaction id;
 * recovery lists only LSEM's prepared branches and finishes them from a new connection; the
 * application's handle cannot end a branch; bad calls get the XA error code they call for.
 */
@ExtendWith(PostgresExtension.class)
class XaResourceTest {
  private static final AtomicInteger GLOBALS = new AtomicInteger();
  private static TestDatabase second;
  private static final String PREPARED_HERE =
      "SELECT count(*) FROM pg_prepared_xacts WHERE database = current_database()";

  /** A failed test must not leave prepared branches behind: they hold locks and keep the database from being dropped. */
  @org.junit.jupiter.api.AfterEach
  void rollBackLeftovers(TestDatabase db) throws SQLException {
    for (TestDatabase d : List.of(db, second)) {
      List<String> gids = new ArrayList<>();
      try (Connection c = d.plain(); Statement s = c.createStatement();
           ResultSet rs = s.executeQuery("SELECT gid FROM pg_prepared_xacts WHERE database = current_database()")) {
        while (rs.next()) {
          gids.add(rs.getString(1));
        }
        for (String gid : gids) {
          s.execute("ROLLBACK PREPARED '" + gid + "'");
        }
      }
    }
  }

  @BeforeAll
  static void schema(TestDatabase db) throws SQLException {
    second = db.server().createDatabase("xa_second");
    for (TestDatabase d : List.of(db, second)) {
      try (Connection c = d.plain(); Statement s = c.createStatement()) {
        s.execute("CREATE TABLE account(id int PRIMARY KEY, balance bigint NOT NULL)");
        s.execute("INSERT INTO account VALUES (1, 100), (2, 100)");
        s.execute("CREATE SEQUENCE fail_seq");
        s.execute("CREATE FUNCTION fail_first(n int) RETURNS int LANGUAGE plpgsql AS $$ BEGIN"
            + " IF nextval('fail_seq') = n THEN RAISE EXCEPTION 'injected' USING ERRCODE = '40001'; END IF;"
            + " RETURN 1; END $$");
      }
    }
  }

  static LsemXADataSource dataSource(TestDatabase db, String... properties) throws SQLException {
    LsemXADataSource ds = new LsemXADataSource();
    ds.setUrl(db.lsemUrl());
    ds.setUser(db.user());
    ds.setPassword(db.password());
    ds.setProperty("timestamps", "on");
    for (int i = 0; i < properties.length; i += 2) {
      ds.setProperty(properties[i], properties[i + 1]);
    }
    return ds;
  }

  static Xid xid(String global, int branch) {
    byte[] gtrid = global.getBytes(StandardCharsets.US_ASCII);
    return new Xid() {
      public int getFormatId() {
        return 4711;
      }

      public byte[] getGlobalTransactionId() {
        return gtrid.clone();
      }

      public byte[] getBranchQualifier() {
        return new byte[] {(byte) branch};
      }
    };
  }

  private static String newGlobal() {
    return "g-" + ProcessHandle.current().pid() + "-" + GLOBALS.incrementAndGet();
  }

  private static void work(XAConnection xa, String sql) throws SQLException {
    try (Connection c = xa.getConnection(); Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static List<String> ledger(TestDatabase db, String gtridLike) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Connection c = db.plain(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
        "SELECT txn_id, commit_ts, xa_gtrid, pg_xact_status(xid) FROM lsem.commit_log WHERE xa_gtrid LIKE '"
            + gtridLike + "'")) {
      while (rs.next()) {
        rows.add(rs.getString(1) + " " + rs.getLong(2) + " " + rs.getString(3) + " " + rs.getString(4));
      }
    }
    return rows;
  }

  private static long count(TestDatabase db, String sql) throws SQLException {
    try (Connection c = db.plain(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void twoBranchesShareTheLogicalIdAndTheCommitTimestamp(TestDatabase db) throws Exception {
    String global = newGlobal();
    XAConnection one = dataSource(db).getXAConnection();
    XAConnection two = dataSource(second).getXAConnection();
    try {
      Xid x1 = xid(global, 1);
      Xid x2 = xid(global, 2);
      one.getXAResource().start(x1, XAResource.TMNOFLAGS);
      two.getXAResource().start(x2, XAResource.TMNOFLAGS);
      work(one, "UPDATE account SET balance = balance - 10 WHERE id = 1");
      work(two, "UPDATE account SET balance = balance + 10 WHERE id = 1");
      one.getXAResource().end(x1, XAResource.TMSUCCESS);
      two.getXAResource().end(x2, XAResource.TMSUCCESS);
      assertEquals(XAResource.XA_OK, one.getXAResource().prepare(x1));
      assertEquals(XAResource.XA_OK, two.getXAResource().prepare(x2));
      assertEquals(1, count(db, "SELECT count(*) FROM pg_prepared_xacts WHERE database = current_database()"));
      one.getXAResource().commit(x1, false);
      two.getXAResource().commit(x2, false);
    } finally {
      one.close();
      two.close();
    }
    assertEquals(90, count(db, "SELECT balance FROM account WHERE id = 1"));
    assertEquals(110, count(second, "SELECT balance FROM account WHERE id = 1"));
    List<String> first = ledger(db, "4711\\_%");
    List<String> other = ledger(second, "4711\\_%");
    String mine = first.stream().filter(r -> r.contains(java.util.Base64.getEncoder().withoutPadding()
        .encodeToString(global.getBytes(StandardCharsets.US_ASCII)))).findFirst().orElseThrow();
    assertTrue(other.contains(mine), "the same id, commit timestamp and global id in both databases: " + mine
        + " vs " + other);
    assertTrue(mine.endsWith(" committed"), mine);
    assertEquals(0, count(db, PREPARED_HERE));
  }

  /** A conflict inside a branch (before PREPARE) is replayed by the driver; the branch keeps the global id. */
  @Test
  void aBranchReplayedByTransparentRetryKeepsTheGlobalId(TestDatabase db) throws Exception {
    for (int failAt : new int[] {1, 2}) {
      String global = newGlobal();
      try (Connection c = db.plain(); Statement s = c.createStatement()) {
        s.execute("SELECT setval('fail_seq', 1, false)");
      }
      XAConnection one = dataSource(db).getXAConnection();
      XAConnection two = dataSource(second).getXAConnection();
      try {
        Xid x1 = xid(global, 1);
        Xid x2 = xid(global, 2);
        one.getXAResource().start(x1, XAResource.TMNOFLAGS);
        two.getXAResource().start(x2, XAResource.TMNOFLAGS);
        try (Connection c = one.getConnection(); Statement s = c.createStatement()) {
          s.execute("UPDATE account SET balance = balance - fail_first(" + failAt + ") WHERE id = 2");
          s.execute("UPDATE account SET balance = balance - fail_first(" + failAt + ") WHERE id = 2");
        }
        work(two, "UPDATE account SET balance = balance + 2 WHERE id = 2");
        one.getXAResource().end(x1, XAResource.TMSUCCESS);
        two.getXAResource().end(x2, XAResource.TMSUCCESS);
        one.getXAResource().prepare(x1);
        two.getXAResource().prepare(x2);
        one.getXAResource().commit(x1, false);
        two.getXAResource().commit(x2, false);
      } finally {
        one.close();
        two.close();
      }
      String encoded = java.util.Base64.getEncoder().withoutPadding().encodeToString(global.getBytes(StandardCharsets.US_ASCII));
      List<String> first = ledger(db, "4711\\_" + encoded);
      List<String> other = ledger(second, "4711\\_" + encoded);
      assertEquals(1, first.size(), first.toString());
      assertEquals(first, other, "the replayed branch recorded the global id (failing call " + failAt + ")");
    }
  }

  @Test
  void recoveryListsOnlyLsemsBranchesAndFinishesThem(TestDatabase db) throws Exception {
    String global = newGlobal();
    Xid xid = xid(global, 1);
    try (Connection plain = db.plain(); Statement s = plain.createStatement()) {
      plain.setAutoCommit(false);
      s.execute("CREATE TABLE IF NOT EXISTS elsewhere(a int)");
      s.execute("INSERT INTO elsewhere VALUES (1)");
      s.execute("PREPARE TRANSACTION 'someone_else_" + global + "'"); // another program's branch
    }
    XAConnection crashed = dataSource(db).getXAConnection();
    crashed.getXAResource().start(xid, XAResource.TMNOFLAGS);
    work(crashed, "UPDATE account SET balance = balance + 1 WHERE id = 2");
    crashed.getXAResource().end(xid, XAResource.TMSUCCESS);
    crashed.getXAResource().prepare(xid);
    crashed.close(); // the application is gone between PREPARE and COMMIT PREPARED
    long before = count(db, "SELECT balance FROM account WHERE id = 2");

    XAConnection recovery = dataSource(db).getXAConnection();
    try {
      Xid[] found = recovery.getXAResource().recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN);
      assertEquals(1, found.length, "only LSEM's branch, not the other program's");
      assertTrue(XidCodec.same(xid, found[0]));
      assertEquals(0, recovery.getXAResource().recover(XAResource.TMNOFLAGS).length, "the rest of the scan is empty");
      recovery.getXAResource().commit(found[0], false);
      XAException again = assertThrows(XAException.class, () -> recovery.getXAResource().commit(xid, false));
      assertEquals(XAException.XAER_NOTA, again.errorCode, "a finished branch is unknown: " + again.getMessage());
    } finally {
      recovery.close();
      try (Connection plain = db.plain(); Statement s = plain.createStatement()) {
        s.execute("ROLLBACK PREPARED 'someone_else_" + global + "'");
      }
    }
    assertEquals(before + 1, count(db, "SELECT balance FROM account WHERE id = 2"));
    assertEquals(0, count(db, PREPARED_HERE));
  }

  @Test
  void theApplicationsHandleCannotEndABranch(TestDatabase db) throws Exception {
    XAConnection xa = dataSource(db).getXAConnection();
    try {
      Xid xid = xid(newGlobal(), 1);
      xa.getXAResource().start(xid, XAResource.TMNOFLAGS);
      Connection c = xa.getConnection();
      SQLException commit = assertThrows(SQLException.class, c::commit);
      assertEquals("55000", commit.getSQLState());
      assertTrue(commit.getMessage().contains("XA global transaction"), commit.getMessage());
      assertThrows(SQLException.class, () -> c.setAutoCommit(true));
      assertThrows(SQLException.class, c::rollback);
      xa.getXAResource().end(xid, XAResource.TMSUCCESS);
      xa.getXAResource().rollback(xid);
      assertTrue(xa.getConnection().getAutoCommit(), "outside a branch a new handle is in autocommit");
    } finally {
      xa.close();
    }
  }

  @Test
  void badCallsGetTheirXaErrorCodes(TestDatabase db) throws Exception {
    XAConnection xa = dataSource(db).getXAConnection();
    XAResource r = xa.getXAResource();
    Xid xid = xid(newGlobal(), 1);
    assertEquals(XAException.XAER_INVAL, assertThrows(XAException.class, () -> r.start(null, XAResource.TMNOFLAGS)).errorCode);
    assertEquals(XAException.XAER_NOTA, assertThrows(XAException.class, () -> r.end(xid, XAResource.TMSUCCESS)).errorCode);
    r.start(xid, XAResource.TMNOFLAGS);
    assertEquals(XAException.XAER_PROTO, assertThrows(XAException.class, () -> r.prepare(xid)).errorCode,
        "prepare before end");
    assertEquals(XAException.XAER_PROTO,
        assertThrows(XAException.class, () -> r.start(xid(newGlobal(), 2), XAResource.TMNOFLAGS)).errorCode,
        "no interleaving");
    r.end(xid, XAResource.TMSUCCESS);
    r.rollback(xid);
    assertEquals(XAException.XAER_NOTA, assertThrows(XAException.class, () -> r.forget(xid)).errorCode);
    xa.close();
    XAException closed = assertThrows(XAException.class, () -> r.recover(XAResource.TMSTARTRSCAN));
    assertEquals(XAException.XAER_RMFAIL, closed.errorCode);
    assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
    assertThrows(SQLException.class, xa::getConnection);
  }

  /** A write skew between two SERIALIZABLE branches: the second PREPARE fails, typed, and nothing is left. */
  @Test
  void aSerializationFailureAtPrepareRollsTheBranchBack(TestDatabase db) throws Exception {
    XAConnection one = dataSource(db).getXAConnection();
    XAConnection two = dataSource(db).getXAConnection();
    try {
      Xid x1 = xid(newGlobal(), 1);
      Xid x2 = xid(newGlobal(), 1);
      one.getXAResource().start(x1, XAResource.TMNOFLAGS);
      two.getXAResource().start(x2, XAResource.TMNOFLAGS);
      Connection c1 = one.getConnection();
      Connection c2 = two.getConnection();
      c1.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
      c2.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
      try (Statement s1 = c1.createStatement(); Statement s2 = c2.createStatement()) {
        s1.executeQuery("SELECT sum(balance) FROM account").close();
        s2.executeQuery("SELECT sum(balance) FROM account").close();
        s1.execute("UPDATE account SET balance = balance + 1 WHERE id = 1");
        s2.execute("UPDATE account SET balance = balance + 1 WHERE id = 2");
      }
      one.getXAResource().end(x1, XAResource.TMSUCCESS);
      two.getXAResource().end(x2, XAResource.TMSUCCESS);
      one.getXAResource().prepare(x1);
      XAException e = assertThrows(XAException.class, () -> two.getXAResource().prepare(x2));
      assertEquals(XAException.XA_RBROLLBACK, e.errorCode, e.getMessage());
      assertNotNull(e.getCause());
      assertEquals("40001", ((SQLException) e.getCause()).getSQLState());
      assertInstanceOf(io.lsem.jdbc.error.SerializationFailureException.class, e.getCause());
      one.getXAResource().rollback(x1);
    } finally {
      one.close();
      two.close();
    }
    assertEquals(0, count(db, PREPARED_HERE));
  }

  /** A server without prepared transactions: the PREPARE says so and what to change, and leaves nothing. */
  @Test
  void maxPreparedTransactionsZeroIsNamed() throws Exception {
    PostgresServer off = PostgresServer.startPrivate("max_prepared_transactions", "0");
    try {
      TestDatabase db = off.createDatabase("xa_off");
      XAConnection xa = dataSource(db).getXAConnection();
      try {
        Xid xid = xid(newGlobal(), 1);
        xa.getXAResource().start(xid, XAResource.TMNOFLAGS);
        work(xa, "CREATE TABLE t(a int)");
        xa.getXAResource().end(xid, XAResource.TMSUCCESS);
        XAException e = assertThrows(XAException.class, () -> xa.getXAResource().prepare(xid));
        assertEquals(XAException.XAER_RMERR, e.errorCode);
        assertTrue(e.getMessage().contains("max_prepared_transactions = 0"), e.getMessage());
        assertEquals(0, count(db, "SELECT count(*) FROM pg_class WHERE relname = 't'"), "the branch was rolled back");
      } finally {
        xa.close();
      }
    } finally {
      off.stop();
    }
  }
}
