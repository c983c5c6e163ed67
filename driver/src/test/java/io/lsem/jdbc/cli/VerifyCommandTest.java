package io.lsem.jdbc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lsem.testkit.PostgresExtension;
import io.lsem.testkit.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code lsem verify} on a history made by real transactions through the driver (exit 0), and on
 * copies of it corrupted one way at a time (exit 1, naming the check); bad arguments exit 2.
 */
@ExtendWith(PostgresExtension.class)
class VerifyCommandTest {
  private TestDatabase db;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @BeforeEach
  void history(TestDatabase db) throws SQLException {
    this.db = db;
    try (Connection plain = db.plain(); Statement s = plain.createStatement()) {
      s.execute("DO $$ BEGIN IF to_regclass('lsem.commit_log') IS NOT NULL THEN TRUNCATE lsem.commit_log; END IF; END $$");
      s.execute("DROP TABLE IF EXISTS account");
      s.execute("CREATE TABLE account(id int PRIMARY KEY, balance int)");
    }
    try (Connection c = db.lsem()) {
      c.setAutoCommit(false);
      for (int i = 1; i <= 5; i++) {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO account VALUES (?, 100)")) {
          ps.setInt(1, i);
          ps.executeUpdate();
        }
        c.commit();
      }
      try (Statement s = c.createStatement()) {
        s.executeUpdate("UPDATE account SET balance = balance + 1 WHERE id = 1");
      }
      c.commit();
    }
  }

  private int verify(String... more) {
    String[] args = new String[6 + more.length];
    args[0] = "verify";
    args[1] = "--url";
    args[2] = db.lsemUrl();
    args[3] = "--user";
    args[4] = db.user();
    args[5] = "--table";
    args = java.util.Arrays.copyOf(args, 7 + more.length);
    args[6] = "account";
    System.arraycopy(more, 0, args, 7, more.length);
    return lsem(args);
  }

  private int lsem(String... args) {
    out.reset();
    err.reset();
    return new Lsem(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
        Map.of("LSEM_PASSWORD", db.password())).run(args);
  }

  private String output() {
    return out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
  }

  private void corrupt(String sql) throws SQLException {
    try (Connection plain = db.plain(); Statement s = plain.createStatement()) {
      s.execute(sql);
    }
  }

  @Test
  void aHistoryMadeThroughTheDriverVerifies() {
    assertEquals(0, verify(), output());
    assertTrue(output().contains("ledger rows: 6"), output());
    assertTrue(output().contains("table account: 5 rows, 5 written by recorded transactions, 0 not mapped"), output());
    assertTrue(output().contains("verified: no violation"), output());
    assertFalse(output().contains(db.password()) && !db.password().isEmpty(), "the password is never printed");
  }

  @Test
  void aCommitTimestampNotAboveItsStartIsAViolation() throws SQLException {
    corrupt("UPDATE lsem.commit_log SET commit_ts = start_ts WHERE txn_id = (SELECT txn_id FROM lsem.commit_log LIMIT 1)");
    assertEquals(1, verify(), output());
    assertTrue(output().contains("VIOLATION every commit timestamp is above its start timestamp: 1 found"), output());
  }

  @Test
  void twoTransactionsWithOneCommitTimestampAreAViolation() throws SQLException {
    corrupt("UPDATE lsem.commit_log SET commit_ts = (SELECT max(commit_ts) FROM lsem.commit_log)"
        + " WHERE txn_id = (SELECT txn_id FROM lsem.commit_log ORDER BY commit_ts LIMIT 1)");
    assertEquals(1, verify(), output());
    assertTrue(output().contains("VIOLATION commit timestamps are unique"), output());
  }

  @Test
  void aRecordedTransactionThatNeverCommittedIsAViolation() throws SQLException {
    try (Connection plain = db.plain(); Statement s = plain.createStatement()) {
      plain.setAutoCommit(false);
      s.execute("INSERT INTO account VALUES (99, 0)"); // takes an xid, then rolls back
      String xid;
      try (java.sql.ResultSet rs = s.executeQuery("SELECT pg_current_xact_id()::text")) {
        rs.next();
        xid = rs.getString(1);
      }
      plain.rollback();
      plain.setAutoCommit(true);
      s.execute("INSERT INTO lsem.commit_log SELECT gen_random_uuid(), '" + xid + "', start_ts - 10, start_ts - 5, 1"
          + " FROM lsem.commit_log LIMIT 1");
    }
    assertEquals(1, verify(), output());
    assertTrue(output().contains("VIOLATION every recorded transaction committed in PostgreSQL"), output());
    assertTrue(output().contains("is aborted"), output());
  }

  @Test
  void aTransactionIdFromTheFutureIsAViolation() throws SQLException {
    corrupt("INSERT INTO lsem.commit_log SELECT gen_random_uuid(), (pg_current_xact_id()::text::bigint + 1000000)::text::xid8,"
        + " start_ts, commit_ts + 1, 1 FROM lsem.commit_log ORDER BY commit_ts DESC LIMIT 1");
    corrupt("SELECT setval('lsem.clock', (SELECT max(commit_ts) FROM lsem.commit_log))");
    assertEquals(1, verify(), output());
    assertTrue(output().contains("not yet assigned"), output());
  }

  @Test
  void aTimestampAboveTheClockOrInTheFutureIsAViolation() throws SQLException {
    long future = (System.currentTimeMillis() + 3_600_000L) << 18;
    corrupt("UPDATE lsem.commit_log SET commit_ts = " + future
        + " WHERE txn_id = (SELECT txn_id FROM lsem.commit_log ORDER BY commit_ts DESC LIMIT 1)");
    assertEquals(1, verify(), output());
    assertTrue(output().contains("VIOLATION no commit timestamp is above the database's clock"), output());
    assertTrue(output().contains("VIOLATION no timestamp is from the future"), output());
  }

  @Test
  void rowsWrittenOutsideTheLedgerAreCountedAndFailOnlyStrictly() throws SQLException {
    corrupt("INSERT INTO account VALUES (50, 1)"); // a plain pgjdbc write: no ledger row
    assertEquals(0, verify(), output());
    assertTrue(output().contains("table account: 6 rows, 5 written by recorded transactions, 1 not mapped"), output());
    assertEquals(1, verify("--strict"), output());
    assertTrue(output().contains("VIOLATION every row of account was written by a recorded transaction"), output());
  }

  @Test
  void badArgumentsAndUnreachableDatabasesExitTwo() {
    assertEquals(2, lsem(), output());
    assertTrue(output().contains("no command given"), output());
    assertEquals(2, lsem("verfy", "--url", db.lsemUrl()), output());
    assertTrue(output().contains("unknown command 'verfy'; expected verify or install"), output());
    assertEquals(2, lsem("verify"), output());
    assertTrue(output().contains("--url is required"), output());
    assertEquals(2, lsem("verify", "--url", "postgres://x?password=secret"), output());
    assertTrue(output().contains("expected jdbc:postgresql://") && !output().contains("secret"), output());
    assertEquals(2, lsem("verify", "--url", db.lsemUrl(), "--max-offset", "soon"), output());
    assertTrue(output().contains("bad --max-offset 'soon'"), output());
    assertEquals(2, lsem("verify", "--url", "jdbc:postgresql://127.0.0.1:1/nowhere", "--user", "x"), output());
    assertTrue(output().contains("cannot verify"), output());
  }

  @Test
  void installCreatesTheLedger() throws SQLException {
    corrupt("DROP SCHEMA lsem CASCADE");
    assertEquals(1, verify(), output());
    assertTrue(output().contains("no ledger"), output());
    assertEquals(0, lsem("install", "--url", db.lsemUrl(), "--user", db.user()), output());
    assertEquals(0, verify(), output());
  }
}
