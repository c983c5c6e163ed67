package io.lsem.jdbc.tx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.lsem.jdbc.LsemConnection;
import io.lsem.jdbc.TransactionStatus.Cause;
import io.lsem.jdbc.TransactionStatus.State;
import io.lsem.jdbc.wrap.ConnectionWrapper;
import io.lsem.testkit.PostgresExtension;
import io.lsem.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The boundary events later layers hook into (timestamps, recording, failover) fire exactly
 * once, in order, with the right transaction: before BEGIN and COMMIT go out, after the server
 * confirms a commit or a rollback — whether the boundary came through the API or SQL text.
 */
@ExtendWith(PostgresExtension.class)
class TransactionEventsTest {

  /** Records events as "kind#number". */
  static final class Recorder implements TransactionListener {
    final List<String> events = new ArrayList<>();

    @Override
    public void beforeBegin(Transaction tx) {
      events.add("begin#" + tx.number() + ":" + tx.beginCause());
    }

    @Override
    public void beforeCommit(Transaction tx) {
      events.add("commit?#" + tx.number());
    }

    @Override
    public void afterCommit(Transaction tx) {
      events.add("committed#" + tx.number());
    }

    @Override
    public void afterRollback(Transaction tx) {
      events.add("rolledback#" + tx.number());
    }

    @Override
    public void afterPrepare(Transaction tx) {
      events.add("prepared#" + tx.number());
    }
  }

  @BeforeAll
  static void schema(TestDatabase db) throws SQLException {
    try (Connection c = db.plain(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE t(id serial PRIMARY KEY, v int)");
      s.execute("CREATE TABLE parent(id int PRIMARY KEY)");
      s.execute("CREATE TABLE child(id serial PRIMARY KEY, parent_id int REFERENCES parent(id) "
          + "DEFERRABLE INITIALLY DEFERRED)");
    }
  }

  private static Recorder record(Connection c) throws SQLException {
    Recorder r = new Recorder();
    c.unwrap(ConnectionWrapper.class).tracker().addListener(r);
    return r;
  }

  private static State state(Connection c) throws SQLException {
    return c.unwrap(LsemConnection.class).transactionStatus().state();
  }

  private static Cause cause(Connection c) throws SQLException {
    return c.unwrap(LsemConnection.class).transactionStatus().cause();
  }

  @Test
  void implicitBeginAndApiCommit(TestDatabase db) throws SQLException {
    try (Connection c = db.lsem()) {
      Recorder r = record(c);
      c.setAutoCommit(false);
      assertEquals(State.IDLE, state(c));
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO t(v) VALUES (?)")) {
        ps.setInt(1, 1);
        ps.executeUpdate();
        assertEquals(State.ACTIVE, state(c));
        assertEquals(Cause.IMPLICIT_BEGIN, cause(c));
        ps.setInt(1, 2);
        ps.executeUpdate();
      }
      c.commit();
      assertEquals(State.IDLE, state(c));
      assertEquals(Cause.API_COMMIT, cause(c));
      c.commit(); // nothing open: nothing sent, no event
      assertEquals(List.of("begin#1:IMPLICIT_BEGIN", "commit?#1", "committed#1"), r.events);
    }
  }

  @Test
  void sqlTextBoundariesInOneMultiStatementString(TestDatabase db) throws SQLException {
    try (Connection c = db.lsem(); Statement s = c.createStatement()) {
      Recorder r = record(c);
      s.execute("BEGIN; INSERT INTO t(v) VALUES (1); COMMIT; BEGIN; INSERT INTO t(v) VALUES (2)");
      assertEquals(State.ACTIVE, state(c));
      s.execute("/* COMMIT */ ROLLBACK");
      assertEquals(Cause.SQL_ROLLBACK, cause(c));
      assertEquals(List.of("begin#1:SQL_BEGIN", "commit?#1", "begin#2:SQL_BEGIN", "committed#1", "rolledback#2"),
          r.events);
    }
  }

  @Test
  void failedStatementThenRollbackToSavepointThenCommit(TestDatabase db) throws SQLException {
    try (Connection c = db.lsem(); Statement s = c.createStatement()) {
      Recorder r = record(c);
      c.setAutoCommit(false);
      s.execute("INSERT INTO t(v) VALUES (10)");
      Savepoint sp = c.setSavepoint();
      assertThrows(SQLException.class, () -> s.execute("SELECT 1/0"));
      assertEquals(State.FAILED, state(c));
      assertEquals(Cause.STATEMENT_FAILED, cause(c));
      c.rollback(sp);
      assertEquals(State.ACTIVE, state(c));
      assertEquals(Cause.SAVEPOINT_RESTORED, cause(c));
      c.commit();
      assertEquals(List.of("begin#1:IMPLICIT_BEGIN", "commit?#1", "committed#1"), r.events);
    }
  }

  @Test
  void commitOfAFailedTransactionIsARollback(TestDatabase db) throws SQLException {
    try (Connection c = db.lsem(); Statement s = c.createStatement()) {
      Recorder r = record(c);
      c.setAutoCommit(false);
      assertThrows(SQLException.class, () -> s.execute("SELECT 1/0"));
      c.commit();
      assertEquals(State.IDLE, state(c));
      assertEquals(Cause.FAILED_TRANSACTION_ENDED, cause(c));
      assertEquals(List.of("begin#1:IMPLICIT_BEGIN", "rolledback#1"), r.events);
    }
  }

  @Test
  void deferredConstraintFailingAtCommit(TestDatabase db) throws SQLException {
    try (Connection c = db.lsem(); Statement s = c.createStatement()) {
      Recorder r = record(c);
      c.setAutoCommit(false);
      s.execute("INSERT INTO child(parent_id) VALUES (42)");
      SQLException e = assertThrows(SQLException.class, c::commit);
      assertEquals("23503", e.getSQLState());
      assertEquals(State.IDLE, state(c));
      assertEquals(Cause.COMMIT_FAILED, cause(c));
      assertEquals(List.of("begin#1:IMPLICIT_BEGIN", "commit?#1", "rolledback#1"), r.events);
    }
  }

  @Test
  void chainKeepsGoingAndAutocommitOnCommits(TestDatabase db) throws SQLException {
    try (Connection c = db.lsem(); Statement s = c.createStatement()) {
      Recorder r = record(c);
      s.execute("BEGIN ISOLATION LEVEL REPEATABLE READ");
      s.execute("COMMIT AND CHAIN");
      assertEquals(State.ACTIVE, state(c));
      assertEquals(Cause.CHAINED, cause(c));
      assertEquals(io.lsem.jdbc.sql.Isolation.REPEATABLE_READ,
          c.unwrap(ConnectionWrapper.class).tracker().current().isolation());
      c.setAutoCommit(false);
      s.execute("SELECT 1");
      c.setAutoCommit(true);
      assertEquals(Cause.AUTOCOMMIT_ENABLED, cause(c));
      assertEquals(List.of("begin#1:SQL_BEGIN", "commit?#1", "begin#2:CHAINED", "committed#1",
          "commit?#2", "committed#2"), r.events);
    }
  }

  @Test
  void prepareTransactionAndCloseWithOpenTransaction(TestDatabase db) throws SQLException {
    List<String> closeEvents;
    try (Connection c = db.lsem(); Statement s = c.createStatement()) {
      Recorder r = record(c);
      s.execute("BEGIN");
      s.execute("INSERT INTO t(v) VALUES (7)");
      s.execute("PREPARE TRANSACTION 'events_test'");
      assertEquals(Cause.PREPARED, cause(c));
      s.execute("ROLLBACK PREPARED 'events_test'");
      c.setAutoCommit(false);
      s.execute("SELECT 1");
      closeEvents = r.events;
    }
    assertEquals(List.of("begin#1:SQL_BEGIN", "prepared#1", "begin#2:IMPLICIT_BEGIN", "rolledback#2"), closeEvents);
  }

  @Test
  void readOnlyConnectionBeginsReadOnlyTransactions(TestDatabase db) throws SQLException {
    try (Connection c = db.lsem(); Statement s = c.createStatement()) {
      c.setReadOnly(true);
      c.setAutoCommit(false);
      s.execute("SELECT 1");
      assertEquals(Boolean.TRUE, c.unwrap(ConnectionWrapper.class).tracker().current().readOnly());
      SQLException e = assertThrows(SQLException.class, () -> s.execute("INSERT INTO t(v) VALUES (1)"));
      assertEquals("25006", e.getSQLState());
      assertEquals(State.FAILED, state(c));
    }
  }
}
