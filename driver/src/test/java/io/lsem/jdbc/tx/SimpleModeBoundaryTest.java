package io.lsem.jdbc.tx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lsem.jdbc.LsemConnection;
import io.lsem.jdbc.TransactionStatus;
import io.lsem.jdbc.error.SerializationFailureException;
import io.lsem.jdbc.ledger.Ledger;
import io.lsem.testkit.PostgresExtension;
import io.lsem.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 12, item 4: with {@code preferQueryMode=simple} the server splits a text at the
 * statements of a {@code BEGIN ATOMIC … END} function body only at its END; the driver must see
 * the same boundaries. {@code CREATE FUNCTION … BEGIN ATOMIC SELECT 1; END; COMMIT; BEGIN}
 * commits the open transaction and begins a new one: the committed INSERT is never replayed (the
 * new transaction began in a call that also committed, so a serialization failure in it reaches
 * the application typed); and {@code … END; BEGIN} starts a transaction the driver sees begin,
 * records (a failure in it is replayed) and gives its ledger row.
 */
@ExtendWith(PostgresExtension.class)
class SimpleModeBoundaryTest {

  @BeforeAll
  static void schema(TestDatabase db) throws SQLException {
    try (Connection c = db.plain(); Statement s = c.createStatement()) {
      s.execute(Ledger.script()); // installed explicitly: timestamps=on below must not install it
      s.execute("CREATE TABLE dup(id serial PRIMARY KEY, note text NOT NULL)");
      s.execute("CREATE SEQUENCE fail_seq");
      s.execute("CREATE FUNCTION fail_once() RETURNS int LANGUAGE plpgsql AS $$ BEGIN"
          + " IF nextval('fail_seq') = 1 THEN RAISE EXCEPTION 'injected conflict' USING ERRCODE = '40001'; END IF;"
          + " RETURN 1; END $$");
    }
  }

  @BeforeEach
  void reset(TestDatabase db) throws SQLException {
    try (Connection c = db.plain(); Statement s = c.createStatement()) {
      s.execute("TRUNCATE dup");
      s.execute("SELECT setval('fail_seq', 1, false)");
      s.execute("DROP FUNCTION IF EXISTS atomic_one(), atomic_case(int)");
    }
  }

  /**
   * The reproduction as written: the INSERT committed by the text's COMMIT is never replayed. The
   * driver knows the text ended the transaction (its number moves on) and does not replay the new
   * one, whose first call also committed the old one: the failure reaches the application.
   */
  @ParameterizedTest(name = "timestamps={0} end={1}")
  @CsvSource({"on, api", "off, api", "on, sql", "off, sql"})
  void commitAfterAtomicBodyEndsTheTransaction(String timestamps, String end, TestDatabase db) throws SQLException {
    try (Connection c = lsem(db, timestamps); Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      s.execute("INSERT INTO dup(note) VALUES ('a1')");
      LsemConnection lsem = c.unwrap(LsemConnection.class);
      long first = lsem.transactionStatus().transactionNumber();
      s.execute("CREATE FUNCTION atomic_one() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END; COMMIT; BEGIN");
      assertEquals(first + 1, lsem.transactionStatus().transactionNumber(), "the text ended one and began the next");
      assertEquals(TransactionStatus.Cause.SQL_BEGIN, lsem.transactionStatus().cause());
      s.execute("INSERT INTO dup(note) VALUES ('a2')");
      SQLException e = assertThrows(SQLException.class, () -> s.executeQuery("SELECT fail_once()"));
      assertInstanceOf(SerializationFailureException.class, e, e.toString());
      assertEquals(0, lsem.retryStats().recovered(), "nothing was replayed");
      try {
        commit(c, end); // ends the failed transaction: the server rolls it back
      } catch (SQLException commitOfFailed) {
        c.rollback();
      }
    }
    assertEquals(1, rows(db, "a1"), "the INSERT the text committed, once");
    assertEquals(0, rows(db, "a2"), "the failed transaction's INSERT was rolled back");
  }

  /**
   * {@code … END; BEGIN} in autocommit: the BEGIN after the body starts a transaction the driver
   * records (a failure in it is replayed) and gives a logical id, whose ledger row is written.
   */
  @ParameterizedTest(name = "timestamps={0}")
  @CsvSource({"on", "off"})
  void beginAfterAtomicBodyStartsARecordedTransaction(String timestamps, TestDatabase db) throws SQLException {
    UUID id;
    try (Connection c = lsem(db, timestamps); Statement s = c.createStatement()) {
      s.execute("CREATE FUNCTION atomic_case(x int) RETURNS int LANGUAGE sql"
          + " BEGIN ATOMIC SELECT CASE WHEN x > 0 THEN 1 ELSE 0 END; END; BEGIN");
      LsemConnection lsem = c.unwrap(LsemConnection.class);
      assertEquals(TransactionStatus.Cause.SQL_BEGIN, lsem.transactionStatus().cause(),
          "a BEGIN the driver saw, not one it adopted from the server's state");
      id = lsem.currentTransactionId();
      s.execute("INSERT INTO dup(note) VALUES ('b1')");
      try (ResultSet rs = s.executeQuery("SELECT fail_once()")) {
        rs.next();
      }
      assertTrue(lsem.retryStats().recovered() > 0, "the transaction was recorded and replayed");
      s.execute("COMMIT");
    }
    assertEquals(1, rows(db, "b1"));
    if (timestamps.equals("on")) {
      assertNotNull(id, "the transaction has a logical id");
      try (Connection c = db.plain(); Statement s = c.createStatement();
           ResultSet rs = s.executeQuery("SELECT count(*) FROM lsem.commit_log WHERE txn_id = '" + id + "'")) {
        rs.next();
        assertEquals(1, rs.getInt(1), "its ledger row");
      }
    }
  }

  private static void commit(Connection c, String how) throws SQLException {
    if (how.equals("api")) {
      c.commit();
    } else {
      try (Statement s = c.createStatement()) {
        s.execute("COMMIT");
      }
    }
  }

  private static Connection lsem(TestDatabase db, String timestamps) throws SQLException {
    Properties p = new Properties();
    p.setProperty("preferQueryMode", "simple");
    p.setProperty("timestamps", timestamps);
    p.setProperty("retryBackoffBase", "1ms");
    return db.lsem(p);
  }

  private static int rows(TestDatabase db, String note) throws SQLException {
    try (Connection c = db.plain(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT count(*) FROM dup WHERE note = '" + note + "'")) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
