package io.lsem.jdbc.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lsem.jdbc.StderrCapture;
import io.lsem.jdbc.LsemConnection;
import io.lsem.jdbc.TransactionBreakdown;
import io.lsem.testkit.PostgresExtension;
import io.lsem.testkit.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The per-transaction breakdown of issue 17: each layer made slow on purpose gets the time (within
 * 10 %), and the parts add up to the transaction's wall time; the slow-transaction log and the
 * JFR event carry it.
 */
@ExtendWith(PostgresExtension.class)
class TransactionBreakdownTest {
  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

  @BeforeAll
  static void schema(TestDatabase db) throws SQLException {
    try (Connection c = db.plain(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE layered(a int)");
      s.execute("CREATE SEQUENCE layered_fail");
      s.execute("CREATE FUNCTION layered_fail_once() RETURNS int LANGUAGE plpgsql AS $$ BEGIN"
          + " IF nextval('layered_fail') = 1 THEN RAISE EXCEPTION 'injected' USING ERRCODE = '40001'; END IF;"
          + " RETURN 1; END $$");
    }
  }

  private static Connection lsem(TestDatabase db, String... kv) throws SQLException {
    Properties p = new Properties();
    p.setProperty("timestamps", "off");
    p.setProperty("retryBackoffBase", "1ms");
    for (int i = 0; i < kv.length; i += 2) {
      p.setProperty(kv[i], kv[i + 1]);
    }
    Connection c = db.lsem(p);
    c.setAutoCommit(false);
    c.unwrap(LsemConnection.class).lastTransactionBreakdown(); // measured from the first question on
    return c;
  }

  private static TransactionBreakdown last(Connection c) throws SQLException {
    TransactionBreakdown b = c.unwrap(LsemConnection.class).lastTransactionBreakdown();
    assertNotNull(b);
    long sum = b.poolWaitNanos() + b.serverNanos() + b.oracleNanos() + b.coordinationNanos() + b.retryNanos()
        + b.applicationNanos() + b.driverNanos();
    assertTrue(Math.abs(sum - b.totalNanos()) <= b.totalNanos() / 20, "the parts add up to the whole: " + b);
    return b;
  }

  private static void think(long nanos) {
    long until = System.nanoTime() + nanos;
    for (long left = nanos; left > 0; left = until - System.nanoTime()) {
      LockSupport.parkNanos(left); // the application's think time, what is being measured
    }
  }

  /** Nobody looks: nothing is measured (the clock is not read); the first question starts it. */
  @Test
  void nothingIsMeasuredUntilAsked(TestDatabase db) throws SQLException {
    Properties p = new Properties();
    p.setProperty("timestamps", "off");
    try (Connection c = db.lsem(p); Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      s.execute("SELECT 1");
      c.commit();
      assertEquals(null, c.unwrap(LsemConnection.class).lastTransactionBreakdown());
      s.execute("SELECT 1");
      c.commit();
      assertNotNull(c.unwrap(LsemConnection.class).lastTransactionBreakdown());
    }
  }

  /** A pool of one whose connection another thread holds for 300 ms: the wait is the next transaction's. */
  @Test
  void thePoolWait(TestDatabase db) throws Exception {
    io.lsem.jdbc.pool.LsemDataSource ds = new io.lsem.jdbc.pool.LsemDataSource(db.lsemUrl());
    ds.setUser(db.user());
    ds.setPassword(db.password());
    ds.setProperty("poolMaxSize", "1");
    ds.setProperty("timestamps", "off");
    try (ds) {
      java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
      Thread holder = new Thread(() -> {
        try (Connection c = ds.getConnection()) {
          held.countDown();
          think(300 * MS); // the other borrower's work
        } catch (SQLException e) {
          throw new IllegalStateException(e);
        }
      });
      holder.start();
      held.await();
      try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
        c.unwrap(LsemConnection.class).lastTransactionBreakdown();
        c.setAutoCommit(false);
        s.execute("SELECT 1");
        c.commit();
        TransactionBreakdown b = last(c);
        assertTrue(b.poolWaitNanos() >= 250 * MS && b.poolWaitNanos() >= 0.8 * b.totalNanos(), b.toString());
        s.execute("SELECT 1");
        c.commit();
        assertEquals(0, last(c).poolWaitNanos(), "only the transaction right after the borrow waited");
      }
      holder.join();
    }
  }

  @Test
  void theServerLayer(TestDatabase db) throws SQLException {
    try (Connection c = lsem(db); Statement s = c.createStatement()) {
      s.execute("SELECT pg_sleep(0.3)");
      c.commit();
      TransactionBreakdown b = last(c);
      assertTrue(b.serverNanos() >= 0.9 * b.totalNanos() && b.serverNanos() >= 300 * MS, b.toString());
    }
  }

  @Test
  void theApplicationBetweenCalls(TestDatabase db) throws SQLException {
    try (Connection c = lsem(db); Statement s = c.createStatement()) {
      s.execute("INSERT INTO layered VALUES (1)");
      think(300 * MS);
      c.commit();
      TransactionBreakdown b = last(c);
      assertTrue(b.applicationNanos() >= 0.9 * b.totalNanos() && b.applicationNanos() >= 300 * MS, b.toString());
    }
  }

  @Test
  void transparentRetry(TestDatabase db) throws SQLException {
    try (Connection c = lsem(db); Statement s = c.createStatement()) {
      s.execute("SELECT pg_sleep(0.2)");
      s.execute("SELECT layered_fail_once()"); // 40001 once: rolled back, the pg_sleep replayed
      c.commit();
      TransactionBreakdown b = last(c);
      assertEquals(2, b.attempts(), b.toString());
      assertTrue(b.retryNanos() >= 200 * MS && b.retryNanos() <= 1.1 * 200 * MS + 50 * MS, "the replay: " + b);
      assertTrue(b.serverNanos() >= 200 * MS && b.serverNanos() <= 1.1 * 200 * MS + 50 * MS, "the first run: " + b);
    }
  }

  @Test
  void theTimestampOracle(TestDatabase db) throws SQLException {
    try (Connection c = lsem(db, "timestamps", "on", "timestampOracle", SlowOracle.class.getName());
         Statement s = c.createStatement()) {
      s.execute("INSERT INTO layered VALUES (2)");
      c.commit();
      TransactionBreakdown b = last(c);
      long expected = 2 * SlowOracle.DELAY_NANOS; // BEGIN and COMMIT
      assertTrue(b.oracleNanos() >= expected && b.oracleNanos() >= 0.8 * b.totalNanos(), b.toString());
      assertTrue(b.serverNanos() < b.oracleNanos() / 2, "the oracle's wait is not the server's: " + b);
    }
  }

  /**
   * An XA branch whose transaction manager takes 200 ms between the branch's end and its PREPARE:
   * that time is coordination, the application's pause before the end is the application's.
   */
  @Test
  void theTransactionManagersTimeIsCoordination(TestDatabase db) throws Exception {
    io.lsem.jdbc.LsemXADataSource ds = new io.lsem.jdbc.LsemXADataSource();
    ds.setUrl(db.lsemUrl());
    ds.setUser(db.user());
    ds.setPassword(db.password());
    ds.setProperty("timestamps", "off");
    javax.sql.XAConnection xa = ds.getXAConnection();
    try {
      byte[] gtrid = ("breakdown-" + System.nanoTime()).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      javax.transaction.xa.Xid xid = new javax.transaction.xa.Xid() {
        public int getFormatId() {
          return 1;
        }

        public byte[] getGlobalTransactionId() {
          return gtrid;
        }

        public byte[] getBranchQualifier() {
          return new byte[] {1};
        }
      };
      javax.transaction.xa.XAResource r = xa.getXAResource();
      r.start(xid, javax.transaction.xa.XAResource.TMNOFLAGS);
      Connection c = xa.getConnection();
      c.unwrap(LsemConnection.class).lastTransactionBreakdown(); // measure from here on
      try (Statement s = c.createStatement()) {
        s.execute("INSERT INTO layered VALUES (1)");
        think(100 * MS); // the application
      }
      r.end(xid, javax.transaction.xa.XAResource.TMSUCCESS);
      think(200 * MS); // the transaction manager, deciding
      r.prepare(xid);
      r.commit(xid, false);
      TransactionBreakdown b = last(c);
      assertTrue(Math.abs(b.coordinationNanos() - 200 * MS) <= 20 * MS, "coordination: " + b);
      assertTrue(Math.abs(b.applicationNanos() - 100 * MS) <= 10 * MS, "application: " + b);
    } finally {
      xa.close();
    }
  }

  @Test
  void aSlowTransactionIsLoggedOnceWithItsBreakdown(TestDatabase db) throws Exception {
    String log = StderrCapture.captured(() -> {
      try (Connection c = lsem(db, "slowTransactionThreshold", "100ms"); Statement s = c.createStatement()) {
        s.execute("INSERT INTO layered VALUES (4711)");
        s.execute("SELECT pg_sleep(0.15), 'secret-literal'");
        c.commit();
        s.execute("SELECT 1");
        c.commit(); // fast: not logged
      }
    });
    assertEquals(1, log.split("slow transaction", -1).length - 1, log);
    assertTrue(log.contains("server"), log);
    assertTrue(log.contains("statements: INSERT INTO layered VALUES (?) | SELECT pg_sleep(?), ?"), log);
    assertTrue(!log.contains("4711") && !log.contains("secret-literal"), "no literal value is logged: " + log);
  }

  /**
   * A recording started while a connection is open and unmeasured: the transaction that begins
   * next is measured from its BEGIN, not from the clock's origin, and its parts still add up.
   */
  @Test
  void aRecordingStartedLaterMeasuresFromTheBegin(TestDatabase db, @TempDir Path dir) throws Exception {
    Path file = dir.resolve("later.jfr");
    Properties p = new Properties();
    p.setProperty("timestamps", "off");
    try (Connection c = db.lsem(p); Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      s.execute("SELECT 1");
      c.commit(); // nobody measures this one
      try (Recording recording = new Recording()) {
        recording.enable("io.lsem.jdbc.Transaction");
        recording.start();
        s.execute("SELECT pg_sleep(0.05)");
        s.execute("SELECT 2");
        c.commit();
        recording.stop();
        recording.dump(file);
      }
    }
    List<RecordedEvent> events = RecordingFile.readAllEvents(file).stream()
        .filter(e -> e.getEventType().getName().equals("io.lsem.jdbc.Transaction")).toList();
    assertEquals(1, events.size());
    RecordedEvent e = events.get(0);
    long total = e.getLong("total");
    assertTrue(total >= 50 * MS && total < 5_000 * MS, "total " + total);
    assertTrue(e.getLong("server") >= 50 * MS, "the first call's sleep is server time: " + e);
    long sum = e.getLong("poolWait") + e.getLong("server") + e.getLong("oracle") + e.getLong("retry")
        + e.getLong("application") + e.getLong("driver");
    assertTrue(Math.abs(sum - total) <= total / 20, "the parts add up: " + e);
  }

  @Test
  void aFlightRecordingHasOneEventPerTransaction(TestDatabase db, @TempDir Path dir) throws Exception {
    Path file = dir.resolve("lsem.jfr");
    try (Recording recording = new Recording()) {
      recording.enable("io.lsem.jdbc.Transaction");
      recording.start();
      try (Connection c = lsem(db); Statement s = c.createStatement()) {
        s.execute("SELECT pg_sleep(0.05)");
        c.commit();
      }
      recording.stop();
      recording.dump(file);
    }
    long server = 0;
    int events = 0;
    for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
      if (e.getEventType().getName().equals("io.lsem.jdbc.Transaction")) {
        events++;
        server = e.getLong("server");
      }
    }
    assertEquals(1, events);
    assertTrue(server >= 50 * MS, "server " + server);
    assertTrue(Files.size(file) > 0);
  }

}
