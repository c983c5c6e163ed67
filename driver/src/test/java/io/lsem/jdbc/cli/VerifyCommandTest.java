package io.lsem.jdbc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lsem.jdbc.ledger.Ledger;
import io.lsem.testkit.PostgresExtension;
import io.lsem.testkit.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
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
      // A fresh ledger each time (some tests drop its constraints to corrupt it).
      s.execute("DROP SCHEMA IF EXISTS lsem CASCADE");
      s.execute(Ledger.script());
      s.execute("CREATE EXTENSION IF NOT EXISTS pageinspect");
      s.execute("DROP TABLE IF EXISTS account");
      // No autovacuum: the overwritten row versions stay in the page for the causality check.
      s.execute("CREATE TABLE account(id int PRIMARY KEY, balance int) WITH (autovacuum_enabled = false)");
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
    assertTrue(output().contains("ledger rows checked: 6"), output());
    assertTrue(output().contains("table account: 5 rows, 5 written by recorded transactions, 0 not mapped"), output());
    assertTrue(output().contains("ok        row versions of account: each overwritten version's writer has a lower"
        + " commit timestamp than its overwriter (1 pairs of recorded writers)"), output());
    assertTrue(output().contains("verified: no violation"), output());
    assertFalse(output().contains(db.password()) && !db.password().isEmpty(), "the password is never printed");
  }

  @Test
  void swappedTimestampsOfARowsTwoWritersBreakCausality() throws SQLException {
    // The insert of account 1 (the oldest transaction) and its update (the newest) trade their
    // timestamps: every ledger-only check still holds; the row versions show the overwrite order.
    corrupt("UPDATE lsem.commit_log l SET start_ts = o.start_ts, commit_ts = o.commit_ts FROM lsem.commit_log o"
        + " WHERE (l.commit_ts, o.commit_ts) IN ((" + oldest() + ", " + newest() + "), (" + newest() + ", " + oldest() + "))");
    assertEquals(1, verify(), output());
    assertTrue(output().contains("VIOLATION row versions of account: each overwritten version's writer has a lower"
        + " commit timestamp than its overwriter: 1 of 1 pairs, e.g. public.account (0,1) written by"), output());
    assertTrue(output().contains("1 check(s) violated"), output());
  }

  @Test
  void withoutPageinspectRowVersionsAreUncheckedNotViolated() throws SQLException {
    corrupt("DROP EXTENSION pageinspect");
    corrupt("UPDATE lsem.commit_log l SET start_ts = o.start_ts, commit_ts = o.commit_ts FROM lsem.commit_log o"
        + " WHERE (l.commit_ts, o.commit_ts) IN ((" + oldest() + ", " + newest() + "), (" + newest() + ", " + oldest() + "))");
    assertEquals(0, verify(), output());
    assertTrue(output().contains("unchecked row versions of account"), output());
    assertTrue(output().contains("needs the pageinspect extension"), output());
  }

  @Test
  void oneXidRecordedTwiceIsAViolation() throws SQLException {
    corrupt("DROP INDEX lsem.commit_log_xid"); // the ledger itself refuses a second row per xid
    corrupt("INSERT INTO lsem.commit_log SELECT gen_random_uuid(), xid, start_ts - 2, start_ts - 1, 1"
        + " FROM lsem.commit_log WHERE commit_ts = " + oldest());
    assertEquals(1, verify(), output());
    assertTrue(output().contains("VIOLATION each PostgreSQL transaction (xid8) is recorded once: 1 found"), output());
    assertTrue(output().contains("1 xmin value(s) match more than one recorded xid8"), output());
  }

  @Test
  void oneLogicalIdRecordedTwiceIsAViolation() throws SQLException {
    corrupt("ALTER TABLE lsem.commit_log DROP CONSTRAINT commit_log_pkey");
    corrupt("DROP INDEX lsem.commit_log_xid");
    corrupt("INSERT INTO lsem.commit_log SELECT txn_id, xid, start_ts, commit_ts, attempts FROM lsem.commit_log"
        + " WHERE commit_ts = " + oldest());
    assertEquals(1, verify(), output());
    assertTrue(output().contains("VIOLATION logical transaction ids are unique: 1 found"), output());
    assertTrue(output().contains("appears 2 times"), output());
  }

  @Test
  void aLedgerRowPointingAtAnotherTransactionLeavesItsRowsUnmapped() throws SQLException {
    String other;
    try (Connection plain = db.plain(); Statement s = plain.createStatement()) {
      plain.setAutoCommit(false);
      try (ResultSet rs = s.executeQuery("SELECT pg_current_xact_id()::text")) { // a committed xid, no rows
        rs.next();
        other = rs.getString(1);
      }
      plain.commit();
    }
    corrupt("UPDATE lsem.commit_log SET xid = '" + other + "' WHERE xid::xid = (SELECT xmin FROM account WHERE id = 5)");
    assertEquals(0, verify(), output());
    assertTrue(output().contains("table account: 5 rows, 4 written by recorded transactions, 1 not mapped"), output());
    assertEquals(1, verify("--strict"), output());
    assertTrue(output().contains("VIOLATION every row of account was written by a recorded transaction (--strict): 1 found"),
        output());
  }

  @Test
  void sinceLimitsTheLedgerChecksToLaterCommits() throws SQLException {
    long newest = newest();
    corrupt("UPDATE lsem.commit_log SET commit_ts = start_ts WHERE commit_ts = " + oldest());
    assertEquals(1, verify(), output());
    assertEquals(0, verify("--since", Long.toString(newest)), output());
    assertTrue(output().contains("ledger rows checked: 1 of 6 (committed at or after --since)"), output());
    assertEquals(0, verify("--since", "2999-01-01"), output());
    assertTrue(output().contains("ledger rows checked: 0 of 6"), output());
    assertEquals(1, verify("--since", "1970-01-01T00:00:00Z"), output());
  }

  @Test
  void severalTablesInOneOption() {
    assertEquals(0, verify("--table", "public.account,account"), output());
    assertTrue(output().contains("table public.account: 5 rows"), output());
    assertTrue(output().contains("table account: 5 rows"), output());
  }

  @Test
  void aRowLockIsNotAnOverwrite() throws SQLException {
    try (Connection c = db.lsem()) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.executeQuery("SELECT * FROM account WHERE id = 3 FOR UPDATE").close(); // takes an xid: recorded
      }
      c.commit();
    }
    assertEquals(7, scalar("SELECT count(*) FROM lsem.commit_log"));
    // The locker (newest) and the row's writer trade timestamps: no order is owed between them.
    long writer = scalar("SELECT commit_ts FROM account, lsem.commit_of(account.xmin) WHERE id = 3");
    corrupt("UPDATE lsem.commit_log l SET start_ts = o.start_ts, commit_ts = o.commit_ts FROM lsem.commit_log o"
        + " WHERE (l.commit_ts, o.commit_ts) IN ((" + writer + ", " + newest() + "), (" + newest() + ", " + writer + "))");
    assertEquals(0, verify(), output());
    assertTrue(output().contains("(1 pairs of recorded writers)"), output());
  }

  @Test
  void partitionsAreReadThroughTheirParent() throws SQLException {
    corrupt("DROP TABLE IF EXISTS ledger_entry");
    corrupt("CREATE TABLE ledger_entry(id int, amount int) PARTITION BY RANGE (id)");
    corrupt("CREATE TABLE ledger_entry_low PARTITION OF ledger_entry FOR VALUES FROM (0) TO (10)"
        + " WITH (autovacuum_enabled = false)");
    corrupt("CREATE TABLE ledger_entry_high PARTITION OF ledger_entry FOR VALUES FROM (10) TO (20)"
        + " WITH (autovacuum_enabled = false)");
    try (Connection c = db.lsem()) {
      c.setAutoCommit(false);
      for (String sql : new String[] {"INSERT INTO ledger_entry VALUES (1, 1), (11, 1)",
          "UPDATE ledger_entry SET amount = 2", "DELETE FROM ledger_entry WHERE id = 11"}) {
        try (Statement s = c.createStatement()) {
          s.executeUpdate(sql);
        }
        c.commit();
      }
    }
    assertEquals(0, verify("--table", "ledger_entry"), output());
    assertTrue(output().contains("table ledger_entry: 1 rows, 1 written by recorded transactions, 0 not mapped"), output());
    // insert → update of both rows, update → delete of one
    assertTrue(output().contains("row versions of ledger_entry: each overwritten version's writer has a lower commit"
        + " timestamp than its overwriter (3 pairs of recorded writers)"), output());
  }

  private long oldest() throws SQLException {
    return scalar("SELECT min(commit_ts) FROM lsem.commit_log");
  }

  private long newest() throws SQLException {
    return scalar("SELECT max(commit_ts) FROM lsem.commit_log");
  }

  private long scalar(String sql) throws SQLException {
    try (Connection plain = db.plain(); Statement s = plain.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
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
  void aTimestampInTheFutureIsAViolation() throws SQLException {
    long future = (System.currentTimeMillis() + 3_600_000L) << 18;
    corrupt("UPDATE lsem.commit_log SET commit_ts = " + future
        + " WHERE txn_id = (SELECT txn_id FROM lsem.commit_log ORDER BY commit_ts DESC LIMIT 1)");
    assertEquals(1, verify(), output());
    assertTrue(output().contains("VIOLATION no timestamp is from the future"), output());
    assertTrue(output().contains("ledger rows above lsem.clock (appended with timestamps from a shared oracle): 1"), output());
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
    assertTrue(output().contains("cannot connect to --url jdbc:postgresql://127.0.0.1:1/nowhere as --user x"), output());
    assertEquals(2, lsem("verify", "--url", "jdbc:postgresql://127.0.0.1:1/nowhere", "--password", "s3cr3t-pw"), output());
    assertFalse(output().contains("s3cr3t-pw"), output());
    assertEquals(2, lsem("verify", "--url", "jdbc:postgresql://127.0.0.1:1/nowhere?password=s3cr3t-pw"), output());
    assertFalse(output().contains("s3cr3t-pw"), output());
    assertEquals(2, lsem("verify", "--url"), output());
    assertTrue(output().contains("--url needs a value"), output());
    assertEquals(2, lsem("verify", "--url", db.lsemUrl(), "--since", "yesterday"), output());
    assertTrue(output().contains("bad --since 'yesterday'; expected a commit timestamp"), output());
    assertEquals(2, lsem("verify", "--url", db.lsemUrl(), "--table", "account,,x"), output());
    assertTrue(output().contains("bad --table ''; expected [SCHEMA.]TABLE[,...]"), output());
    assertEquals(2, lsem("verify", "--url", db.lsemUrl(), "--frobnicate"), output());
    assertTrue(output().contains("unknown option '--frobnicate' for verify"), output());
    assertEquals(2, lsem("install", "--url", db.lsemUrl(), "--strict"), output());
    assertTrue(output().contains("--strict is an option of verify, not of install"), output());
    assertEquals(2, verify("--table", "no_such_table"), output());
    assertTrue(output().contains("bad --table 'no_such_table': no such table in this database"), output());
    out.reset();
    assertEquals(2, Lsem.run(new String[] {"check"}, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(out, true, StandardCharsets.UTF_8)));
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("unknown command 'check'; expected verify or install"));
    assertEquals(0, lsem("--help"), output());
    assertTrue(output().contains("usage: lsem verify"), output());
  }

  @Test
  void installCreatesTheLedger() throws SQLException {
    corrupt("DROP SCHEMA lsem CASCADE");
    assertEquals(1, verify(), output());
    assertTrue(output().contains("no ledger"), output());
    assertEquals(Ledger.SCRIPT_RESOURCE, Lsem.LEDGER_SCRIPT, "install runs the driver's own script");
    assertEquals(0, lsem("install", "--url", db.lsemUrl(), "--user", db.user()), output());
    assertEquals(0, verify(), output());
  }
}
