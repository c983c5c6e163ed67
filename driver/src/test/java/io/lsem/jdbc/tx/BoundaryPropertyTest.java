package io.lsem.jdbc.tx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 12, items 1, 2 and 4, over generated calls: multi-statement strings (or batches) of
 * INSERTs, procedures and DO blocks that commit, BEGIN, COMMIT/END, ROLLBACK, AND CHAIN,
 * savepoints and a {@code fail_once()} that raises 40001 on its first call, sent after some
 * recorded work (autocommit off) or alone (autocommit on), then ended by commit or rollback.
 * Whatever the driver does — replay, make the call again, or give up typed — no INSERT may be
 * applied twice, and the tracker's view of the boundaries must agree with the server's
 * ({@code mispredictions() == 0}). The seed is fixed, so a failure names the sequence that broke
 * it; {@code -Dlsem.boundary.runs} sets the calls per seed (100 by default: about a second each).
 */
@ExtendWith(PostgresExtension.class)
class BoundaryPropertyTest {
  private static final String[] CONTROL = {"COMMIT", "ROLLBACK", "BEGIN", "COMMIT AND CHAIN", "SAVEPOINT s1",
      "SELECT 1", "END", "ROLLBACK TO SAVEPOINT s1", "ROLLBACK AND CHAIN", "START TRANSACTION"};

  @BeforeAll
  static void schema(TestDatabase db) throws SQLException {
    try (Connection c = db.plain(); Statement s = c.createStatement()) {
      s.execute(Ledger.script()); // installed explicitly: timestamps=on below must not install it
      s.execute("CREATE TABLE dup(id serial PRIMARY KEY, note text NOT NULL)");
      s.execute("CREATE SEQUENCE fail_seq");
      s.execute("CREATE PROCEDURE p_commit(n text) LANGUAGE plpgsql AS $$ BEGIN"
          + " INSERT INTO dup(note) VALUES (n); COMMIT; END $$");
      s.execute("CREATE FUNCTION fail_once() RETURNS int LANGUAGE plpgsql AS $$ BEGIN"
          + " IF nextval('fail_seq') = 1 THEN RAISE EXCEPTION 'injected conflict' USING ERRCODE = '40001'; END IF;"
          + " RETURN 1; END $$");
    }
  }

  @ParameterizedTest(name = "mode={0} timestamps={1} seed={2}")
  @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a recovery loop fails, not hangs
  @CsvSource({"extended, on, 101", "extended, off, 102", "simple, on, 103", "simple, off, 104", "extended, on, 105", "extended, off, 106", "simple, on, 107", "simple, off, 108", "extended, on, 12", "extended, off, 13", "simple, on, 14", "simple, off, 15"})
  void noInsertIsAppliedTwice(String mode, String timestamps, long seed, TestDatabase db) throws SQLException {
    Random random = new Random(seed);
    Properties p = new Properties();
    p.setProperty("preferQueryMode", mode);
    p.setProperty("timestamps", timestamps);
    p.setProperty("retryBackoffBase", "1ms");
    int note = 0;
    try (Connection admin = db.plain(); Statement a = admin.createStatement(); Connection c = db.lsem(p)) {
      a.execute("TRUNCATE dup");
      int runs = Integer.getInteger("lsem.boundary.runs", 100); // more on demand: -Dlsem.boundary.runs=5000
      for (int run = 0; run < runs; run++) {
        a.execute("SELECT setval('fail_seq', 1, false)");
        boolean autoCommit = random.nextBoolean();
        c.setAutoCommit(autoCommit);
        List<String> parts = new ArrayList<>();
        if (!autoCommit) {
          try (Statement s = c.createStatement()) {
            s.execute("INSERT INTO dup(note) VALUES ('n" + (++note) + "')"); // recorded work before the call
          }
        }
        boolean batch = random.nextInt(4) == 0; // the same statements through Statement.addBatch
        int statements = 2 + random.nextInt(5);
        int failAt = random.nextInt(statements);
        for (int i = 0; i < statements; i++) {
          if (i == failAt && random.nextInt(5) == 0) {
            // the backend ends itself here: the connection is lost mid-call
            parts.add(batch ? "INSERT INTO dup(note) SELECT 'never' WHERE pg_terminate_backend(pg_backend_pid())"
                : "SELECT pg_terminate_backend(pg_backend_pid())");
          } else if (i == failAt) {
            parts.add(batch ? "INSERT INTO dup(note) SELECT 'never' WHERE fail_once() = 0" : "SELECT fail_once()");
          } else if (random.nextInt(3) == 0) {
            String n = "n" + (++note);
            switch (random.nextInt(4)) {
              case 0: parts.add("CALL p_commit('" + n + "')"); break; // INSERT; COMMIT inside a procedure
              case 1: parts.add("DO $$ BEGIN INSERT INTO dup(note) VALUES ('" + n + "'); COMMIT; END $$"); break;
              default: parts.add("INSERT INTO dup(note) VALUES ('" + n + "')");
            }
          } else {
            parts.add(CONTROL[random.nextInt(CONTROL.length)]);
          }
        }
        String sql = (batch ? "batch: " : "") + String.join("; ", parts);
        try (Statement s = c.createStatement()) {
          if (batch) {
            for (String part : parts) {
              s.addBatch(part);
            }
            s.executeBatch();
          } else {
            s.execute(sql);
          }
        } catch (SQLException typed) {
          // giving up, typed, is allowed; applying anything twice is not
        }
        boolean commit = random.nextBoolean();
        try (Statement s = c.createStatement()) {
          if (autoCommit) {
            s.execute(commit ? "COMMIT" : "ROLLBACK"); // ends a transaction the string's BEGIN left open
          } else if (commit) {
            c.commit();
          } else {
            c.rollback();
          }
        } catch (SQLException endOfFailedTransaction) {
          try (Statement s = c.createStatement()) {
            s.execute("ROLLBACK");
          }
        }
        try (ResultSet rs = a.executeQuery("SELECT note, count(*) FROM dup GROUP BY note HAVING count(*) > 1")) {
          assertTrue(!rs.next(), "seed " + seed + ", run " + run + ": applied twice by [" + sql + "] (autocommit "
              + autoCommit + ")");
        }
      }
      assertEquals(0, c.unwrap(ConnectionWrapper.class).tracker().mispredictions(), "the tracker agreed with the server");
    }
  }
}
