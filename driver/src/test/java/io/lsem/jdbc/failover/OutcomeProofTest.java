package io.lsem.jdbc.failover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lsem.jdbc.error.TransactionOutcomeUnknownException;
import io.lsem.testkit.FaultProxy;
import io.lsem.testkit.PostgresExtension;
import io.lsem.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.postgresql.PGConnection;

/**
 * Issue 12, item 3: running something again after a lost connection rests on proof, not on the
 * SQL text. {@code SELECT add_row(…)} looks like a read to the classifier but INSERTs. The fault
 * proxy cuts the connection right after the call (or the COMMIT) was sent, before the answer
 * arrives. Rows are counted once the lost backend has exited, so a late commit is counted too.
 */
@ExtendWith(PostgresExtension.class)
class OutcomeProofTest {

  @BeforeAll
  static void schema(TestDatabase db) throws SQLException {
    try (Connection c = db.plain(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE proof_row(note text NOT NULL)");
      s.execute("CREATE FUNCTION add_row(n text) RETURNS int LANGUAGE sql AS"
          + " $$ INSERT INTO proof_row VALUES (n); SELECT 1 $$");
    }
  }

  @BeforeEach
  void reset(TestDatabase db) throws SQLException {
    try (Connection c = db.plain(); Statement s = c.createStatement()) {
      s.execute("TRUNCATE proof_row");
    }
  }

  private static Connection open(TestDatabase db, FaultProxy proxy, String... kv) throws SQLException {
    Properties p = db.credentials();
    p.setProperty("failoverTimeout", "10s");
    for (int i = 0; i < kv.length; i += 2) {
      p.setProperty(kv[i], kv[i + 1]);
    }
    return DriverManager.getConnection(proxy.url("lsem:", db.name()), p);
  }

  /** Rows once backend {@code pid} (the lost one) has exited: a wait on the server, not a sleep. */
  private static int rowsAfterExit(TestDatabase db, int pid) throws SQLException {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
    try (Connection c = db.plain(); Statement s = c.createStatement()) {
      for (;;) {
        try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE pid = " + pid)) {
          rs.next();
          if (rs.getInt(1) == 0) {
            break;
          }
        }
        assertTrue(System.nanoTime() < deadline, "backend " + pid + " did not exit");
      }
      try (ResultSet rs = s.executeQuery("SELECT count(*) FROM proof_row")) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  private static int pid(Connection c) throws SQLException {
    return c.unwrap(PGConnection.class).getBackendPID();
  }

  @ParameterizedTest(name = "mode={0} timestamps={1}")
  @CsvSource({"extended, on", "extended, off", "simple, on", "simple, off"})
  void anAutocommitSelectThatWritesIsNotRunAgain(String mode, String timestamps, TestDatabase db) throws Exception {
    try (FaultProxy proxy = FaultProxy.start(db.server().host(), db.server().port());
         Connection c = open(db, proxy, "preferQueryMode", mode, "timestamps", timestamps);
         Statement s = c.createStatement()) {
      int before = pid(c);
      proxy.cutAfterClientSends("add_row");
      SQLException unknown = null;
      try (ResultSet rs = s.executeQuery("SELECT add_row('x')")) {
        rs.next();
      } catch (SQLException e) {
        unknown = e;
      }
      int rows = rowsAfterExit(db, before);
      if (unknown == null) {
        assertEquals(1, rows, "reported done: exactly one row");
      } else {
        assertInstanceOf(TransactionOutcomeUnknownException.class, unknown, unknown.toString());
        assertTrue(rows <= 1, "reported unknown, and never applied twice: " + rows);
      }
      assertNotEquals(before, pid(c), "the connection was re-established");
      try (ResultSet rs = s.executeQuery("SELECT 1")) {
        assertTrue(rs.next(), "and works again");
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"answer lost", "never sent"})
  void aLostCommitOfAFunctionsWriteIsResolvedByItsXid(String fault, TestDatabase db) throws Exception {
    try (FaultProxy proxy = FaultProxy.start(db.server().host(), db.server().port());
         Connection c = open(db, proxy, "timestamps", "off")) {
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement("SELECT add_row(?)")) {
        ps.setString(1, "t");
        ps.executeQuery().close();
      }
      int before = pid(c);
      if (fault.equals("answer lost")) {
        proxy.cutAfterClientSends("COMMIT");
      } else {
        proxy.cutInsteadOfSending("COMMIT");
      }
      c.commit(); // committed (resolved by pg_xact_status), or aborted and replayed: both end in one row
      assertNotEquals(before, pid(c), "the COMMIT's connection was lost and replaced");
      assertEquals(1, rowsAfterExit(db, before), "exactly one row, never two");
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"answer lost", "never sent"})
  void aLostCommitOfATransactionWithoutXidIsReplayed(String fault, TestDatabase db) throws Exception {
    try (FaultProxy proxy = FaultProxy.start(db.server().host(), db.server().port());
         Connection c = open(db, proxy, "timestamps", "off")) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM proof_row")) {
        rs.next();
        assertEquals(0, rs.getInt(1));
      }
      int before = pid(c);
      if (fault.equals("answer lost")) {
        proxy.cutAfterClientSends("COMMIT");
      } else {
        proxy.cutInsteadOfSending("COMMIT");
      }
      c.commit(); // no xid was assigned: it wrote nothing, running it again is harmless
      assertNotEquals(before, pid(c));
    }
  }
}
