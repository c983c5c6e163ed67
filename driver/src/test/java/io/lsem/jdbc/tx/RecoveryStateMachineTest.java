package io.lsem.jdbc.tx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.lsem.jdbc.LsemConnection;
import io.lsem.jdbc.ledger.Ledger;
import io.lsem.jdbc.wrap.ConnectionWrapper;
import io.lsem.testkit.PostgresExtension;
import io.lsem.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 12: recovery is one state machine fed by distinct tracker events. An interrupted
 * transaction (its COMMIT failed, or the driver rolled it back to replay it) is reported as
 * interrupted — not as an ordinary rollback — and the replay's BEGIN says it is a replay, so that
 * every layer (recording, timestamps) decides from the event itself, never from another
 * listener's flags: the ledger row of a transaction replayed after its COMMIT failed carries the
 * logical id the application saw, with two attempts.
 */
@ExtendWith(PostgresExtension.class)
class RecoveryStateMachineTest {

  /** Records the events as "kind#number". */
  static final class Recorder implements TransactionListener {
    final List<String> events = new ArrayList<>();

    @Override
    public void beforeBegin(Transaction tx) {
      events.add((tx.isReplay() ? "replay-begin#" : "begin#") + tx.number());
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
    public void afterInterrupted(Transaction tx) {
      events.add("interrupted#" + tx.number());
    }
  }

  @BeforeAll
  static void schema(TestDatabase db) throws SQLException {
    try (Connection c = db.plain(); Statement s = c.createStatement()) {
      s.execute(Ledger.script()); // installed explicitly: timestamps=on below must not install it
      s.execute("CREATE TABLE t(id serial PRIMARY KEY, v text NOT NULL)");
      s.execute("CREATE SEQUENCE fail_seq");
      s.execute("CREATE FUNCTION fail_once() RETURNS int LANGUAGE plpgsql AS $$ BEGIN"
          + " IF nextval('fail_seq') = 1 THEN RAISE EXCEPTION 'injected conflict' USING ERRCODE = '40001'; END IF;"
          + " RETURN 1; END $$");
      // fails the first COMMIT that checks it, as SSI's commit-time check does
      s.execute("CREATE FUNCTION fail_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
          + " PERFORM fail_once(); RETURN NULL; END $$");
      s.execute("CREATE TABLE checked(id int)");
      s.execute("CREATE CONSTRAINT TRIGGER checked_at_commit AFTER INSERT ON checked DEFERRABLE INITIALLY DEFERRED"
          + " FOR EACH ROW EXECUTE FUNCTION fail_at_commit()");
    }
  }

  @BeforeEach
  void reset(TestDatabase db) throws SQLException {
    try (Connection c = db.plain(); Statement s = c.createStatement()) {
      s.execute("TRUNCATE t, checked, lsem.commit_log");
      s.execute("SELECT setval('fail_seq', 1, false)");
    }
  }

  @Test
  void failedCommitIsAnInterruptionAndTheReplayKeepsTheLogicalId(TestDatabase db) throws SQLException {
    UUID id;
    Recorder events = new Recorder();
    try (Connection c = lsem(db); Statement s = c.createStatement()) {
      RetryController recovery = c.unwrap(ConnectionWrapper.class).session().retryController();
      c.unwrap(ConnectionWrapper.class).tracker().addListener(events);
      c.setAutoCommit(false);
      s.executeUpdate("INSERT INTO checked VALUES (1)");
      id = c.unwrap(LsemConnection.class).currentTransactionId();
      assertEquals(RetryController.Phase.RECORDING, recovery.phase());
      c.commit(); // 40001 at COMMIT: interrupted, replayed, committed
      assertEquals(RetryController.Phase.IDLE, recovery.phase());
    }
    assertEquals(List.of("begin#1", "interrupted#1", "replay-begin#2", "committed#2"), events.events);
    try (Connection c = db.plain(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT txn_id, attempts FROM lsem.commit_log")) {
      rs.next();
      assertEquals(id, rs.getObject(1), "the ledger row has the logical id the application saw");
      assertEquals(2, rs.getInt(2), "two runs");
    }
  }

  @Test
  void rollbackForRetryIsAnInterruption(TestDatabase db) throws SQLException {
    Recorder events = new Recorder();
    try (Connection c = lsem(db); Statement s = c.createStatement()) {
      RetryController recovery = c.unwrap(ConnectionWrapper.class).session().retryController();
      c.unwrap(ConnectionWrapper.class).tracker().addListener(events);
      c.setAutoCommit(false);
      s.executeUpdate("INSERT INTO t(v) VALUES ('x')");
      try (ResultSet rs = s.executeQuery("SELECT fail_once()")) {
        rs.next();
      }
      assertEquals(RetryController.Phase.RECORDING, recovery.phase(), "the replayed transaction goes on");
      c.commit();
    }
    assertEquals(List.of("begin#1", "interrupted#1", "replay-begin#2", "committed#2"), events.events);
  }

  @Test
  void giveUpLeavesNothingRecorded(TestDatabase db) throws SQLException {
    try (Connection c = lsem(db); Statement s = c.createStatement()) {
      RetryController recovery = c.unwrap(ConnectionWrapper.class).session().retryController();
      c.setAutoCommit(false);
      assertThrows(SQLException.class, () -> s.execute("INSERT INTO t(v) VALUES ('y'); COMMIT; SELECT fail_once()"));
      assertEquals(RetryController.Phase.IDLE, recovery.phase());
      assertEquals(false, recovery.journal().isActive(), "the ended transaction's recording was dropped");
    }
  }

  private static Connection lsem(TestDatabase db) throws SQLException {
    Properties p = new Properties();
    p.setProperty("timestamps", "on");
    p.setProperty("retryBackoffBase", "1ms");
    return db.lsem(p);
  }
}
