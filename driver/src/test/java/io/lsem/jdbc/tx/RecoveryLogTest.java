package io.lsem.jdbc.tx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.lsem.jdbc.LsemConnection;
import io.lsem.jdbc.ledger.Ledger;
import io.lsem.testkit.FaultProxy;
import io.lsem.testkit.PostgresExtension;
import io.lsem.testkit.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.PGConnection;

/**
 * Issue 12: every recovery is logged at INFO, once per event (replay, reconnect, resolution of a
 * lost COMMIT, give-up), on the {@code io.lsem.jdbc.recovery} logger, naming the transaction by
 * its logical id — and never showing a bound parameter value. The test binding (slf4j-simple) writes to whatever
 * {@code System.err} is at the time, so the test reads the lines it caused.
 */
@ExtendWith(PostgresExtension.class)
class RecoveryLogTest {
  private static final String SECRET = "secret-parameter-4711";

  private final ByteArrayOutputStream log = new ByteArrayOutputStream();
  private PrintStream stderr;

  @BeforeAll
  static void schema(TestDatabase db) throws SQLException {
    try (Connection c = db.plain(); Statement s = c.createStatement()) {
      s.execute(Ledger.script()); // installed explicitly: timestamps=on below must not install it
      s.execute("CREATE TABLE note(id serial PRIMARY KEY, v text NOT NULL)");
      s.execute("CREATE SEQUENCE fail_seq");
      s.execute("CREATE FUNCTION fail_once() RETURNS int LANGUAGE plpgsql AS $$ BEGIN"
          + " IF nextval('fail_seq') = 1 THEN RAISE EXCEPTION 'injected conflict' USING ERRCODE = '40001'; END IF;"
          + " RETURN 1; END $$");
    }
  }

  @BeforeEach
  void capture(TestDatabase db) throws SQLException {
    try (Connection c = db.plain(); Statement s = c.createStatement()) {
      s.execute("TRUNCATE note");
      s.execute("SELECT setval('fail_seq', 1, false)");
    }
    stderr = System.err;
    System.setErr(new PrintStream(new OutputStream() {
      @Override
      public void write(int b) {
        stderr.write(b);
        log.write(b);
      }

      @Override
      public void write(byte[] b, int off, int len) {
        stderr.write(b, off, len);
        log.write(b, off, len);
      }
    }, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restore() {
    System.setErr(stderr);
  }

  @Test
  void replayIsLoggedOnceWithTheLogicalIdAndNoParameterValue(TestDatabase db) throws SQLException {
    UUID id;
    try (Connection c = lsem(db); PreparedStatement ps = c.prepareStatement("INSERT INTO note(v) VALUES (?)");
         Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      ps.setString(1, SECRET);
      assertEquals(1, ps.executeUpdate());
      id = c.unwrap(LsemConnection.class).currentTransactionId();
      assertNotNull(id);
      try (ResultSet rs = s.executeQuery("SELECT fail_once()")) {
        rs.next();
      }
      c.commit();
    }
    String lines = lines();
    assertEquals(1, count(lines, "INFO io.lsem.jdbc.recovery - replaying transaction " + id + " "), lines);
    assertEquals(1, count(lines, "after SQLSTATE 40001"), lines);
    assertFalse(lines.contains(SECRET), "no parameter value in the log: " + lines);
  }

  @Test
  void reconnectIsLoggedWithTheLogicalId(TestDatabase db) throws SQLException {
    UUID id;
    try (Connection c = lsem(db); PreparedStatement ps = c.prepareStatement("INSERT INTO note(v) VALUES (?)")) {
      c.setAutoCommit(false);
      ps.setString(1, SECRET);
      ps.executeUpdate();
      id = c.unwrap(LsemConnection.class).currentTransactionId();
      try (Connection admin = db.plain(); Statement s = admin.createStatement()) {
        s.execute("SELECT pg_terminate_backend(" + c.unwrap(PGConnection.class).getBackendPID() + ", 10000)");
      }
      ps.setString(1, SECRET + "-2");
      ps.executeUpdate();
      c.commit();
    }
    String lines = lines();
    assertEquals(1, count(lines, "during transaction " + id + " (#1); reconnected"), lines);
    assertEquals(1, count(lines, "replaying transaction " + id + " (#1) on the new connection"), lines);
    assertFalse(lines.contains(SECRET), "no parameter value in the log: " + lines);
  }

  /** The fault proxy cuts the connection right after COMMIT went out: the ledger resolves it, logged once. */
  @Test
  void resolutionOfALostCommitIsLogged(TestDatabase db) throws Exception {
    UUID id;
    Properties p = db.credentials();
    p.putAll(settings());
    try (FaultProxy proxy = FaultProxy.start(db.server().host(), db.server().port());
         Connection c = DriverManager.getConnection(proxy.url("lsem:", db.name()), p);
         PreparedStatement ps = c.prepareStatement("INSERT INTO note(v) VALUES (?)")) {
      c.setAutoCommit(false);
      ps.setString(1, SECRET);
      ps.executeUpdate();
      id = c.unwrap(LsemConnection.class).currentTransactionId();
      proxy.cutAfterClientSends("COMMIT");
      c.commit();
    }
    String lines = lines();
    assertEquals(1, count(lines, "the lost COMMIT of transaction " + id + " (#1) was resolved: COMMITTED"), lines);
    assertEquals(0, count(lines, "replaying transaction " + id), "a committed transaction is not replayed: " + lines);
    assertFalse(lines.contains(SECRET), "no parameter value in the log: " + lines);
    try (Connection c = db.plain(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT count(*) FROM note")) {
      rs.next();
      assertEquals(1, rs.getInt(1));
    }
  }

  @Test
  void giveUpIsLogged(TestDatabase db) throws SQLException {
    try (Connection c = lsem(db); Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      assertThrows(SQLException.class,
          () -> s.execute("INSERT INTO note(v) VALUES ('" + SECRET + "'); COMMIT; SELECT fail_once()"));
    }
    String lines = lines();
    assertEquals(1, count(lines, "INFO io.lsem.jdbc.recovery - recovery gave up on transaction "), lines);
    assertEquals(1, count(lines, "a transaction ended inside it before the error (SQLSTATE 40001)"), lines);
    assertFalse(lines.contains(SECRET), "no SQL text in the log: " + lines);
  }

  private String lines() {
    System.err.flush();
    return log.toString(StandardCharsets.UTF_8);
  }

  private static int count(String text, String part) {
    int n = 0;
    for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
      n++;
    }
    return n;
  }

  private static Connection lsem(TestDatabase db) throws SQLException {
    return db.lsem(settings());
  }

  private static Properties settings() {
    Properties p = new Properties();
    p.setProperty("timestamps", "on");
    p.setProperty("retryBackoffBase", "1ms");
    p.setProperty("failoverTimeout", "10s");
    return p;
  }
}
