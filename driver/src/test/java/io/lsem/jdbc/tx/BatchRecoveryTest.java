package io.lsem.jdbc.tx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lsem.jdbc.LsemConnection;
import io.lsem.jdbc.ledger.Ledger;
import io.lsem.testkit.PostgresExtension;
import io.lsem.testkit.TestDatabase;
import java.sql.BatchUpdateException;
import java.sql.Connection;
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

/**
 * Issue 12, item 1: a batch that fails with a serialization failure is sent again after the
 * replay with the rows it had — pgjdbc empties its batch when the batch fails, and an empty batch
 * sent again would report success for updates that were never written. The reproduction: a
 * SERIALIZABLE transaction reads a row, another session commits an update of rows 1 and 2, the
 * transaction updates rows 1 and 2 in one two-row batch (40001), the driver replays.
 */
@ExtendWith(PostgresExtension.class)
class BatchRecoveryTest {

  @BeforeAll
  static void schema(TestDatabase db) throws SQLException {
    try (Connection c = db.plain(); Statement s = c.createStatement()) {
      s.execute(Ledger.script()); // installed explicitly: timestamps=on below must not install it
      s.execute("CREATE TABLE acct(id int PRIMARY KEY, v int NOT NULL)");
      s.execute("CREATE SEQUENCE fail_seq");
      s.execute("CREATE FUNCTION fail_once() RETURNS int LANGUAGE plpgsql AS $$ BEGIN"
          + " IF nextval('fail_seq') = 1 THEN RAISE EXCEPTION 'injected' USING ERRCODE = '40001'; END IF;"
          + " RETURN 1; END $$");
    }
  }

  @BeforeEach
  void reset(TestDatabase db) throws SQLException {
    try (Connection c = db.plain(); Statement s = c.createStatement()) {
      s.execute("TRUNCATE acct");
      s.execute("SELECT setval('fail_seq', 1, false)");
      s.execute("INSERT INTO acct SELECT g, 100 FROM generate_series(1, 3) g");
    }
  }

  @ParameterizedTest(name = "prepared={0} mode={1} timestamps={2}")
  @CsvSource({
      "true,  extended, on", "true,  extended, off", "true,  simple, on", "true,  simple, off",
      "false, extended, on", "false, extended, off", "false, simple, on", "false, simple, off"})
  void failedBatchIsSentAgainWithItsRows(boolean prepared, String mode, String timestamps, TestDatabase db)
      throws SQLException {
    try (Connection c = lsem(db, mode, timestamps, "true")) {
      int[] counts = conflictingBatch(db, c, prepared);
      assertArrayEquals(new int[] {1, 1}, counts, "the batch's own counts after the replay");
      c.commit();
      assertTrue(c.unwrap(LsemConnection.class).retryStats().replays() > 0, "the driver replayed");
    }
    assertEquals(111, value(db, 1), "row 1 has the other session's +1 and this transaction's +10");
    assertEquals(111, value(db, 2), "row 2 has the other session's +1 and this transaction's +10");
  }

  @ParameterizedTest(name = "prepared={0} mode={1} timestamps={2}")
  @CsvSource({"true, extended, on", "true, simple, off", "false, extended, off", "false, simple, on"})
  void withoutRetryTheBatchFailsTyped(boolean prepared, String mode, String timestamps, TestDatabase db)
      throws SQLException {
    try (Connection c = lsem(db, mode, timestamps, "false")) {
      SQLException e = assertThrows(SQLException.class, () -> conflictingBatch(db, c, prepared));
      BatchUpdateException batch = assertInstanceOf(BatchUpdateException.class, e);
      assertEquals("40001", batch.getSQLState());
      c.rollback();
    }
    assertEquals(101, value(db, 1), "only the other session's update");
    assertEquals(101, value(db, 2), "only the other session's update");
  }

  /**
   * A batch that succeeded is replayed, when a later call fails, with its rows, and its counts are
   * compared: here the replay updates nothing (row 3 changed meanwhile), which must stop the
   * replay instead of committing a transaction that lost its updates.
   */
  @ParameterizedTest(name = "prepared={0} mode={1} timestamps={2}")
  @CsvSource({"true, extended, on", "true, simple, off", "false, extended, off", "false, simple, on"})
  void replayedBatchCountsAreCompared(boolean prepared, String mode, String timestamps, TestDatabase db)
      throws SQLException {
    String update = "UPDATE acct SET v = v + 10 WHERE id = %s AND (SELECT v FROM acct WHERE id = 3) = 100";
    try (Connection c = lsem(db, mode, timestamps, "true")) {
      c.setAutoCommit(false);
      int[] counts;
      if (prepared) {
        try (PreparedStatement ps = c.prepareStatement(String.format(update, "?"))) {
          ps.setInt(1, 1);
          ps.addBatch();
          ps.setInt(1, 2);
          ps.addBatch();
          counts = ps.executeBatch();
        }
      } else {
        try (Statement s = c.createStatement()) {
          s.addBatch(String.format(update, 1));
          s.addBatch(String.format(update, 2));
          counts = s.executeBatch();
        }
      }
      assertArrayEquals(new int[] {1, 1}, counts);
      try (Connection other = db.plain(); Statement s = other.createStatement()) {
        s.executeUpdate("UPDATE acct SET v = 0 WHERE id = 3");
      }
      try (Statement s = c.createStatement()) {
        SQLException e = assertThrows(SQLException.class, () -> s.executeQuery("SELECT fail_once()"));
        assertInstanceOf(io.lsem.jdbc.error.ReplayMismatchException.class, e, e.toString());
        assertTrue(e.getMessage().contains("executeBatch()"), e.getMessage());
      }
    }
    assertEquals(100, value(db, 1), "nothing of the transaction committed");
    assertEquals(100, value(db, 2), "nothing of the transaction committed");
  }

  /**
   * An autocommit batch in simple query mode goes out one message per entry, each committed on its
   * own: when the second entry fails with 40001 the first has committed, so the batch is not sent
   * again (that applied the first twice). In extended mode the batch is one implicit transaction
   * that the failure rolls back whole, so it is sent again.
   */
  @ParameterizedTest(name = "prepared={0} mode={1}")
  @CsvSource({"false, simple", "true, simple", "false, extended", "true, extended"})
  void autocommitBatchSentAsSeveralMessagesIsNotSentAgain(boolean prepared, String mode, TestDatabase db)
      throws SQLException {
    String failing = "UPDATE acct SET v = v + 10 WHERE id = %s AND fail_once() = 1";
    try (Connection c = lsem(db, mode, "off", "true")) {
      c.setAutoCommit(true);
      ThrowingBatch batch = () -> {
        if (prepared) {
          try (PreparedStatement ps = c.prepareStatement("UPDATE acct SET v = v + 10 WHERE id = ? AND"
              + " (? OR fail_once() = 1)")) {
            ps.setInt(1, 1);
            ps.setBoolean(2, true); // the first row does not call fail_once()
            ps.addBatch();
            ps.setInt(1, 2);
            ps.setBoolean(2, false);
            ps.addBatch();
            return ps.executeBatch();
          }
        }
        try (Statement s = c.createStatement()) {
          s.addBatch("UPDATE acct SET v = v + 10 WHERE id = 1");
          s.addBatch(String.format(failing, 2));
          return s.executeBatch();
        }
      };
      if (mode.equals("simple")) {
        SQLException e = assertThrows(SQLException.class, batch::run);
        assertEquals("40001", e.getSQLState(), e.toString());
        assertEquals(110, value(db, 1), "the first entry committed on its own, once");
        assertEquals(100, value(db, 2), "the failed entry was rolled back");
      } else {
        assertArrayEquals(new int[] {1, 1}, batch.run(), "rolled back whole, sent again");
        assertEquals(110, value(db, 1));
        assertEquals(110, value(db, 2));
      }
    }
  }

  @FunctionalInterface
  private interface ThrowingBatch {
    int[] run() throws SQLException;
  }

  /** Reads row 3, lets another session update rows 1 and 2, then updates them in a batch. */
  private static int[] conflictingBatch(TestDatabase db, Connection c, boolean prepared) throws SQLException {
    c.setAutoCommit(false);
    c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT v FROM acct WHERE id = 3")) {
      rs.next();
      assertEquals(100, rs.getInt(1));
    }
    try (Connection other = db.plain(); Statement s = other.createStatement()) {
      s.executeUpdate("UPDATE acct SET v = v + 1 WHERE id IN (1, 2)");
    }
    if (prepared) {
      try (PreparedStatement ps = c.prepareStatement("UPDATE acct SET v = v + 10 WHERE id = ?")) {
        ps.setInt(1, 1);
        ps.addBatch();
        ps.setInt(1, 2);
        ps.addBatch();
        return ps.executeBatch();
      }
    }
    try (Statement s = c.createStatement()) {
      s.addBatch("UPDATE acct SET v = v + 10 WHERE id = 1");
      s.addBatch("UPDATE acct SET v = v + 10 WHERE id = 2");
      return s.executeBatch();
    }
  }

  private static Connection lsem(TestDatabase db, String mode, String timestamps, String retry) throws SQLException {
    Properties p = new Properties();
    p.setProperty("preferQueryMode", mode);
    p.setProperty("timestamps", timestamps);
    p.setProperty("retry", retry);
    p.setProperty("retryBackoffBase", "1ms");
    return db.lsem(p);
  }

  private static int value(TestDatabase db, int id) throws SQLException {
    try (Connection c = db.plain(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT v FROM acct WHERE id = " + id)) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
