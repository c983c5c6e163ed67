package io.lsem.jdbc.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lsem.jdbc.LsemConnection;
import io.lsem.jdbc.clock.Hlc;
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
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Global timestamps against a real server: the BEGIN values are visible inside the transaction
 * (also to triggers and column defaults) and ride with the first statement, the ledger row and
 * commit LSN ride with COMMIT (round trips counted through a TCP proxy, timestamps on and off),
 * only writing transactions are recorded, commit timestamps respect causality across instances
 * whose clocks disagree, transparent retry keeps the logical id, and retention deletes old rows.
 */
@ExtendWith(PostgresExtension.class)
class TimestampsTest {

  @BeforeAll
  static void schema(TestDatabase db) throws SQLException {
    try (Connection c = db.lsem(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE item(id int PRIMARY KEY, v int,"
          + " stamped bigint DEFAULT current_setting('lsem.start_ts', true)::bigint, by_txn text)");
      s.execute("CREATE FUNCTION note_txn() RETURNS trigger LANGUAGE plpgsql AS"
          + " $$ BEGIN NEW.by_txn := current_setting('lsem.txn_id', true); RETURN NEW; END $$");
      s.execute("CREATE TRIGGER item_txn BEFORE INSERT ON item FOR EACH ROW EXECUTE FUNCTION note_txn()");
      s.execute("CREATE SEQUENCE fail_seq");
      s.execute("CREATE FUNCTION fail_times(k int) RETURNS int LANGUAGE plpgsql AS $$"
          + " BEGIN IF nextval('fail_seq') <= k THEN RAISE EXCEPTION 'injected' USING ERRCODE = '40001'; END IF;"
          + " RETURN 1; END $$");
    }
  }

  private static LsemConnection lsem(Connection c) throws SQLException {
    return c.unwrap(LsemConnection.class);
  }

  private static Properties props(String... kv) {
    Properties p = new Properties();
    for (int i = 0; i < kv.length; i += 2) {
      p.setProperty(kv[i], kv[i + 1]);
    }
    return p;
  }

  private static long ledgerRows(TestDatabase db) throws SQLException {
    try (Connection c = db.plain(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT count(*) FROM lsem.commit_log")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void valuesAreVisibleInsideTheTransactionAndRideWithTheFirstStatement(TestDatabase db) throws Exception {
    try (FaultProxy proxy = FaultProxy.start(db.server().host(), db.server().port())) {
      long[] trips = new long[2];
      for (int on = 0; on < 2; on++) {
        Properties p = db.credentials();
        p.putAll(props("timestamps", on == 1 ? "on" : "off", "retry", "false"));
        try (Connection c = DriverManager.getConnection(proxy.url("lsem:", db.name()), p)) {
          c.setAutoCommit(false);
          proxy.resetRoundTrips();
          try (PreparedStatement q = c.prepareStatement(
              "SELECT current_setting('lsem.txn_id', true), current_setting('lsem.start_ts', true)");
               ResultSet rs = q.executeQuery()) {
            rs.next();
            if (on == 1) {
              assertEquals(lsem(c).currentTransactionId().toString(), rs.getString(1));
              assertEquals(lsem(c).currentStartTimestamp(), Long.parseLong(rs.getString(2)));
            } else {
              assertTrue(rs.getString(1) == null || rs.getString(1).isEmpty());
            }
          }
          try (PreparedStatement ins = c.prepareStatement("INSERT INTO item(id, v) VALUES (?, 1)")) {
            ins.setInt(1, 100 + on);
            ins.executeUpdate();
          }
          c.commit();
          trips[on] = proxy.roundTrips();
        }
      }
      assertEquals(3, trips[0], "query, insert, commit");
      assertEquals(trips[0], trips[1], "timestamps add no round trip");
    }
  }

  @Test
  void triggersAndColumnDefaultsSeeTheValues(TestDatabase db) throws SQLException {
    try (Connection c = db.lsem()) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.executeUpdate("INSERT INTO item(id, v) VALUES (1, 1)");
      }
      UUID txn = lsem(c).currentTransactionId();
      long start = lsem(c).currentStartTimestamp();
      c.commit();
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT stamped, by_txn FROM item WHERE id = 1")) {
        rs.next();
        assertEquals(start, rs.getLong(1), "column default");
        assertEquals(txn.toString(), rs.getString(2), "trigger");
      }
    }
  }

  @Test
  void sqlTextBeginAndCommitAreTimestampedToo(TestDatabase db) throws Exception {
    long before = ledgerRows(db);
    try (FaultProxy proxy = FaultProxy.start(db.server().host(), db.server().port());
         Connection c = DriverManager.getConnection(proxy.url("lsem:", db.name()), db.credentials());
         Statement s = c.createStatement()) {
      proxy.resetRoundTrips();
      s.execute("BEGIN");
      s.execute("INSERT INTO item(id, v) VALUES (2, 2)");
      UUID txn = lsem(c).currentTransactionId();
      s.execute("COMMIT");
      assertEquals(3, proxy.roundTrips());
      try (ResultSet rs = s.executeQuery("SELECT by_txn FROM item WHERE id = 2")) {
        rs.next();
        assertEquals(txn.toString(), rs.getString(1));
      }
    }
    assertEquals(before + 1, ledgerRows(db));
  }

  @Test
  void onlyWritingTransactionsAreRecordedWithTheirXid(TestDatabase db) throws SQLException {
    try (Connection c = db.lsem(); Connection other = db.plain()) {
      c.setAutoCommit(false);
      long before = ledgerRows(db);
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
          "SELECT count(*) FROM item, pg_current_xact_id_if_assigned() x WHERE x IS NULL")) {
        rs.next();
      }
      String noXid;
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_current_xact_id_if_assigned()")) {
        rs.next();
        noXid = rs.getString(1);
      }
      long lsnBefore = walPosition(other);
      c.commit();
      assertNull(noXid, "a read-only transaction gets no xid");
      assertEquals(before, ledgerRows(db), "nor a ledger row");
      assertTrue(lsem(c).lastCommitTimestamp() > 0);

      String xid;
      try (Statement s = c.createStatement()) {
        s.executeUpdate("INSERT INTO item(id, v) VALUES (3, 3)");
        try (ResultSet rs = s.executeQuery("SELECT pg_current_xact_id()")) {
          rs.next();
          xid = rs.getString(1);
        }
      }
      UUID txn = lsem(c).currentTransactionId();
      long start = lsem(c).currentStartTimestamp();
      c.commit();
      try (Statement s = other.createStatement(); ResultSet rs = s.executeQuery(
          "SELECT xid::text, start_ts, commit_ts, attempts, pg_wal_lsn_diff('" + lsem(c).lastCommitLsn()
              + "', '" + Long.toHexString(lsnBefore >>> 32) + "/" + Long.toHexString(lsnBefore & 0xffffffffL)
              + "'), (SELECT lsem.commit_ts(xmin) FROM item WHERE id = 3)"
              + " FROM lsem.commit_log WHERE txn_id = '" + txn + "'")) {
        assertTrue(rs.next(), "the ledger row exists");
        assertEquals(xid, rs.getString(1), "it is tied to PostgreSQL's xid8");
        assertEquals(start, rs.getLong(2));
        assertEquals(lsem(c).lastCommitTimestamp(), rs.getLong(3));
        assertTrue(rs.getLong(3) > rs.getLong(2), "commit_ts > start_ts");
        assertEquals(1, rs.getInt(4));
        assertTrue(rs.getLong(5) > 0, "the commit LSN is past the WAL position before the commit");
        assertEquals(rs.getLong(3), rs.getLong(6), "the row's xmin maps to its commit timestamp");
      }
    }
  }

  private static long walPosition(Connection c) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
        "SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0')::bigint")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void commitTimestampsRespectCausalityAcrossInstancesWithSkewedClocks(TestDatabase db) throws SQLException {
    Properties ahead = db.credentials();
    ahead.setProperty("timestampOracle", SkewedOracles.Ahead.class.getName());
    Properties behind = db.credentials();
    behind.setProperty("timestampOracle", SkewedOracles.Behind.class.getName());
    try (Connection a = DriverManager.getConnection(db.lsemUrl(), ahead);
         Connection b = DriverManager.getConnection(db.lsemUrl(), behind)) {
      a.setAutoCommit(false);
      b.setAutoCommit(false);
      try (Statement s = a.createStatement()) {
        s.executeUpdate("INSERT INTO item(id, v) VALUES (10, 10)");
      }
      a.commit();
      long t1 = lsem(a).lastCommitTimestamp();
      try (Statement s = b.createStatement(); ResultSet rs = s.executeQuery("SELECT v FROM item WHERE id = 10")) {
        rs.next();
        s.executeUpdate("INSERT INTO item(id, v) VALUES (11, " + rs.getInt(1) + ")");
      }
      b.commit();
      long t2 = lsem(b).lastCommitTimestamp();
      assertTrue(t2 > t1, "T2 read T1's data: " + Hlc.format(t2) + " > " + Hlc.format(t1));
      assertTrue(Hlc.millis(t1) - System.currentTimeMillis() > 3_000, "T1 came from the clock 5 s ahead");

      try (Statement s = b.createStatement()) {
        s.executeUpdate("UPDATE item SET v = 99 WHERE id = 10");
      }
      b.commit();
      assertTrue(lsem(b).lastCommitTimestamp() > t2, "an overwrite, too");
      try (Statement s = b.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
        rs.next();
        assertTrue(lsem(b).currentStartTimestamp() > lsem(b).lastCommitTimestamp(),
            "the slow instance's clock caught up with what it saw");
      }
      b.commit();
    }
  }

  @Test
  void aStartingInstanceIsSeededFromTheLedger(TestDatabase db) throws SQLException {
    Properties ahead = db.credentials();
    ahead.setProperty("timestampOracle", SkewedOracles.Ahead.class.getName());
    long recorded;
    try (Connection a = DriverManager.getConnection(db.lsemUrl(), ahead); Statement s = a.createStatement()) {
      s.executeUpdate("INSERT INTO item(id, v) VALUES (20, 20)");
      recorded = lsem(a).lastCommitTimestamp();
    }
    Properties fresh = db.credentials();
    fresh.setProperty("timestampOracle", SkewedOracles.Fresh.class.getName());
    try (Connection c = DriverManager.getConnection(db.lsemUrl(), fresh)) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute("SELECT 1");
      }
      assertTrue(lsem(c).currentStartTimestamp() > recorded, "never below recorded history");
      c.rollback();
    }
  }

  @Test
  void transparentRetryKeepsTheLogicalIdAndCountsAttempts(TestDatabase db) throws SQLException {
    try (Connection c = db.lsem(props("retryBackoffBase", "1ms"))) {
      c.setAutoCommit(false);
      String seen;
      try (Statement s = c.createStatement();
           ResultSet rs = s.executeQuery("SELECT current_setting('lsem.txn_id'), current_setting('lsem.start_ts')")) {
        rs.next();
        seen = rs.getString(1);
        rs.getString(2);
      }
      try (Statement s = c.createStatement()) {
        s.executeUpdate("INSERT INTO item(id, v) VALUES (30, 30)");
        s.execute("SELECT fail_times(1)");
      }
      c.commit();
      assertEquals(1, lsem(c).retryStats().recovered(), "the replay read the same id and start timestamp");
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
          "SELECT attempts FROM lsem.commit_log WHERE txn_id = '" + seen + "'")) {
        assertTrue(rs.next());
        assertEquals(2, rs.getInt(1));
      }
      c.commit();
    }
  }

  @Test
  void observeAcceptsCausalTokensWithinTheMaximumOffset(TestDatabase db) throws SQLException {
    try (Connection c = db.lsem(props("clockMaxOffset", "1s"))) {
      SQLException far = assertThrows(SQLException.class,
          () -> lsem(c).observe(Hlc.of(System.currentTimeMillis() + 60_000, 0)));
      assertEquals("22023", far.getSQLState());
      assertTrue(far.getMessage().contains("clockMaxOffset"), far.getMessage());
      long token = Hlc.of(System.currentTimeMillis() + 500, 7);
      lsem(c).observe(token);
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute("SELECT 1");
      }
      assertTrue(lsem(c).currentStartTimestamp() > token);
      c.rollback();
    }
  }

  @Test
  void retentionDeletesOldRowsInSmallBatches(TestDatabase db) throws SQLException {
    try (Connection admin = db.plain(); Statement s = admin.createStatement()) {
      s.execute("INSERT INTO lsem.commit_log SELECT gen_random_uuid(), g::text::xid8, 1, g, 1"
          + " FROM generate_series(2, 6) g");
    }
    Properties p = props("ledgerRetention", "1h", "ledgerPurgeBatch", "2", "ledgerPurgeInterval", "0s");
    try (Connection c = db.lsem(p); Connection check = db.plain()) {
      c.setAutoCommit(false);
      int[] expectedLeft = {3, 1, 0};
      for (int left : expectedLeft) {
        try (Statement s = c.createStatement()) {
          s.executeUpdate("UPDATE item SET v = v + 1 WHERE id = 1");
        }
        c.commit();
        try (Statement s = check.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM lsem.commit_log WHERE commit_ts < 10")) {
          rs.next();
          assertEquals(left, rs.getInt(1), "one batch of at most 2 rows per commit");
        }
      }
    }
  }

  @Test
  void switchedOffNothingIsSentOrCreated(TestDatabase db) throws SQLException {
    TestDatabase fresh = db.server().createEmptyDatabase("timestamps_off");
    try (Connection c = fresh.lsem(props("timestamps", "off"))) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute("CREATE TABLE t(a int)");
      }
      assertNull(lsem(c).currentTransactionId());
      c.commit();
      try (Statement s = c.createStatement();
           ResultSet rs = s.executeQuery("SELECT to_regnamespace('lsem') IS NULL")) {
        rs.next();
        assertTrue(rs.getBoolean(1), "no lsem schema");
      }
      c.commit();
    } finally {
      fresh.drop();
    }
  }

  @Test
  void aRoleThatCannotCreateTheSchemaGetsAClearErrorOnlyWhenItAskedForTimestamps(TestDatabase db) throws SQLException {
    TestDatabase fresh = db.server().createEmptyDatabase("timestamps_noperm");
    try (Connection admin = fresh.plain(); Statement s = admin.createStatement()) {
      s.execute("DROP ROLE IF EXISTS lsem_plain_user");
      s.execute("CREATE ROLE lsem_plain_user LOGIN");
      s.execute("REVOKE CREATE ON DATABASE " + fresh.name() + " FROM PUBLIC");
    }
    try {
      Properties on = props("user", "lsem_plain_user", "timestamps", "on", "installLedger", "true");
      SQLException e = assertThrows(SQLException.class, () -> DriverManager.getConnection(fresh.lsemUrl(), on));
      assertTrue(e.getMessage().contains("could not be created"), e.getMessage());
      assertTrue(e.getMessage().contains("timestamps=off"), e.getMessage());
      try (Connection c = DriverManager.getConnection(fresh.lsemUrl(), props("user", "lsem_plain_user"))) {
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
          s.execute("SELECT 1");
        }
        assertNull(lsem(c).currentTransactionId(), "auto: off without the schema");
        c.rollback();
      }
    } finally {
      fresh.drop();
    }
  }

  @Test
  void theDriverCreatesNothingUnaskedEvenForARoleThatMay(TestDatabase db) throws SQLException {
    TestDatabase fresh = db.server().createEmptyDatabase("timestamps_unasked");
    try {
      // the admin role may create schemas: the old default installed the ledger here
      try (Connection c = fresh.lsem()) {
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
          s.execute("CREATE TABLE t(a int)");
        }
        assertNull(lsem(c).currentTransactionId(), "auto: off without an installed ledger");
        c.commit();
      }
      SQLException e = assertThrows(SQLException.class, () -> fresh.lsem(props("timestamps", "on")));
      assertTrue(e.getMessage().contains("not installed") && e.getMessage().contains("lsem install"), e.getMessage());
      assertTrue(noLsemSchema(fresh), "timestamps=auto and timestamps=on created nothing");
      // asked for: installLedger=true installs it, and timestamps are on
      try (Connection c = fresh.lsem(props("installLedger", "true"))) {
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
          s.execute("INSERT INTO t VALUES (1)");
        }
        assertNotNull(lsem(c).currentTransactionId());
        c.commit();
      }
      assertFalse(noLsemSchema(fresh), "installLedger=true installed the ledger");
    } finally {
      fresh.drop();
    }
  }

  private static boolean noLsemSchema(TestDatabase db) throws SQLException {
    try (Connection c = db.plain(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT pg_catalog.to_regnamespace('lsem') IS NULL")) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  @Test
  void transactionIdIsStableAndDistinct(TestDatabase db) throws SQLException {
    try (Connection c = db.lsem()) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute("SELECT 1");
      }
      UUID first = lsem(c).currentTransactionId();
      assertNotNull(first);
      c.commit();
      assertNull(lsem(c).currentTransactionId());
      try (Statement s = c.createStatement()) {
        s.execute("SELECT 1");
      }
      assertFalse(first.equals(lsem(c).currentTransactionId()));
      c.commit();
    }
  }
}
