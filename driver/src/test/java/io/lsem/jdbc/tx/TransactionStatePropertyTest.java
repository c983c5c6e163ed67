package io.lsem.jdbc.tx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.lsem.jdbc.LsemConnection;
import io.lsem.jdbc.TransactionStatus;
import io.lsem.jdbc.sql.Isolation;
import io.lsem.jdbc.wrap.ConnectionWrapper;
import io.lsem.testkit.PostgresExtension;
import io.lsem.testkit.TestDatabase;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.core.BaseConnection;
import org.postgresql.jdbc.PgConnection;

/**
 * Property: after every call, on any sequence of calls, the tracked transaction state equals
 * the server's own report (pgjdbc's transaction state, from ReadyForQuery), the tracker never
 * had to correct a prediction, and the isolation level and access mode it believes the open
 * transaction has are the server's. Sequences are generated from a seed (printed on failure)
 * and mix the JDBC API with SQL text sent through every statement type, batches and pgjdbc's
 * internal execSQLUpdate, including tricky texts (comments, quotes, dollar quotes,
 * multi-statement strings, errors, AND CHAIN, prepared transactions, deferred constraint
 * failures at COMMIT).
 */
@ExtendWith(PostgresExtension.class)
class TransactionStatePropertyTest {
  private static final int SEQUENCES = 60;
  private static final int STEPS = 40;

  private static final String[] SQL = {
      "BEGIN", "begin isolation level serializable", "START TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY",
      "start transaction read write", "COMMIT", "END", "end work", "ROLLBACK", "ABORT", "commit and chain",
      "rollback and chain", "commit and no chain", "SAVEPOINT s1", "savepoint \"S2\"", "RELEASE s1",
      "release savepoint \"S2\"", "ROLLBACK TO s1", "rollback to savepoint \"S2\"", "SELECT 1",
      "INSERT INTO t(v) VALUES (1)", "UPDATE t SET v = v + 1", "SELECT 1/0", "SELECT * FROM no_such_table",
      "/* COMMIT */ SELECT 1", "SELECT 'COMMIT; BEGIN'", "SELECT $$;COMMIT;$$", "-- ROLLBACK\nSELECT 1",
      "SELECT E'\\';ROLLBACK;'", "SELECT 1 AS \"begin\"", "/* a /* nested; COMMIT */ b */ SELECT 2",
      "SELECT 1; COMMIT", "COMMIT; BEGIN", "INSERT INTO t(v) VALUES (2); ROLLBACK", "BEGIN; SELECT 1/0",
      "SELECT 1/0; COMMIT", "BEGIN; INSERT INTO t(v) VALUES (3); COMMIT", "SAVEPOINT s1; SELECT 1/0; ROLLBACK TO s1",
      "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ", "set transaction read only",
      "SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SERIALIZABLE",
      "set session characteristics as transaction isolation level read committed",
      "set default_transaction_isolation = 'repeatable read'", "SET default_transaction_isolation TO DEFAULT",
      "INSERT INTO child(parent_id) VALUES (999)", "SET search_path TO public", "DO $$ BEGIN PERFORM 1; END $$",
      "select pg_sleep(0)", "PREPARE_TRANSACTION", "COMMIT_PREPARED", "ROLLBACK_PREPARED",
  };

  private final List<String> preparedGids = new ArrayList<>();
  private int gidCounter;

  @BeforeAll
  static void schema(TestDatabase db) throws SQLException {
    try (Connection c = db.plain(); Statement s = c.createStatement()) {
      // Prepared transactions keep their row locks: waits must end in an error, not hang.
      s.execute("ALTER DATABASE " + db.name() + " SET lock_timeout = '200ms'");
      s.execute("CREATE TABLE t(id serial PRIMARY KEY, v int)");
      s.execute("CREATE TABLE parent(id int PRIMARY KEY)");
      s.execute("CREATE TABLE child(id serial PRIMARY KEY, parent_id int REFERENCES parent(id) "
          + "DEFERRABLE INITIALLY DEFERRED)");
    }
  }

  @AfterEach
  void rollbackPrepared(TestDatabase db) throws SQLException {
    try (Connection c = db.plain(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT gid FROM pg_prepared_xacts WHERE database = current_database()")) {
      List<String> gids = new ArrayList<>();
      while (rs.next()) {
        gids.add(rs.getString(1));
      }
      for (String gid : gids) {
        s.execute("ROLLBACK PREPARED '" + gid + "'");
      }
    }
  }

  @Test
  void trackedStateEqualsServerStateAfterEveryCall(TestDatabase db) throws Exception {
    long baseSeed = Long.getLong("lsem.test.seed", 20261124L);
    for (int i = 0; i < SEQUENCES; i++) {
      runSequence(db, baseSeed + i);
    }
  }

  private void runSequence(TestDatabase db, long seed) throws Exception {
    Random random = new Random(seed);
    List<String> log = new ArrayList<>();
    List<Savepoint> savepoints = new ArrayList<>();
    try (Connection conn = db.lsem()) {
      TransactionTracker tracker = conn.unwrap(ConnectionWrapper.class).tracker();
      PgConnection raw = conn.unwrap(PgConnection.class);
      for (int step = 0; step < STEPS; step++) {
        String op = randomOperation(random, conn, savepoints);
        log.add(op);
        try {
          perform(op, conn, savepoints);
        } catch (SQLException expected) {
          log.add("  -> " + expected.getSQLState());
        }
        check(seed, log, conn, tracker, raw);
      }
    }
  }

  private String randomOperation(Random random, Connection conn, List<Savepoint> savepoints) throws SQLException {
    int r = random.nextInt(100);
    if (r < 8) {
      return "api:setAutoCommit(" + random.nextBoolean() + ")";
    } else if (r < 14) {
      return "api:commit";
    } else if (r < 19) {
      return "api:rollback";
    } else if (r < 23) {
      return random.nextBoolean() ? "api:setSavepoint" : "api:setSavepoint(named)";
    } else if (r < 27 && !savepoints.isEmpty()) {
      return (random.nextBoolean() ? "api:rollbackTo#" : "api:release#") + random.nextInt(savepoints.size());
    } else if (r < 30) {
      return "api:setTransactionIsolation(" + (1 << random.nextInt(4)) + ")";
    } else if (r < 32) {
      return "api:setReadOnly(" + random.nextBoolean() + ")";
    }
    String sql = SQL[random.nextInt(SQL.length)];
    String[] via = {"statement", "prepared", "callable", "batch", "internal", "executeUpdate"};
    return via[random.nextInt(via.length)] + ":" + sql;
  }

  private void perform(String op, Connection conn, List<Savepoint> savepoints) throws SQLException {
    if (op.startsWith("api:")) {
      performApi(op.substring(4), conn, savepoints);
      return;
    }
    int colon = op.indexOf(':');
    String via = op.substring(0, colon);
    String sql = concrete(op.substring(colon + 1));
    switch (via) {
      case "statement":
        try (Statement s = conn.createStatement()) {
          s.execute(sql);
        }
        break;
      case "executeUpdate":
        try (Statement s = conn.createStatement()) {
          s.executeUpdate(sql);
        }
        break;
      case "prepared":
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
          ps.execute();
        }
        break;
      case "callable":
        try (CallableStatement cs = conn.prepareCall(sql)) {
          cs.execute();
        }
        break;
      case "batch":
        try (Statement s = conn.createStatement()) {
          s.addBatch("SELECT 1");
          s.addBatch(sql);
          s.executeBatch();
        }
        break;
      case "internal":
        conn.unwrap(BaseConnection.class).execSQLUpdate(sql);
        break;
      default:
        throw new IllegalArgumentException(via);
    }
  }

  private String concrete(String sql) {
    switch (sql) {
      case "PREPARE_TRANSACTION":
        String gid = "lsem_test_" + (++gidCounter);
        preparedGids.add(gid);
        return "PREPARE TRANSACTION '" + gid + "'";
      case "COMMIT_PREPARED":
        return preparedGids.isEmpty() ? "COMMIT PREPARED 'none'" : "COMMIT PREPARED '" + preparedGids.remove(0) + "'";
      case "ROLLBACK_PREPARED":
        return preparedGids.isEmpty() ? "ROLLBACK PREPARED 'none'"
            : "ROLLBACK PREPARED '" + preparedGids.remove(preparedGids.size() - 1) + "'";
      default:
        return sql;
    }
  }

  private void performApi(String op, Connection conn, List<Savepoint> savepoints) throws SQLException {
    if (op.startsWith("setAutoCommit(")) {
      conn.setAutoCommit(op.contains("true"));
    } else if (op.equals("commit")) {
      conn.commit();
    } else if (op.equals("rollback")) {
      conn.rollback();
    } else if (op.equals("setSavepoint")) {
      savepoints.add(conn.setSavepoint());
    } else if (op.equals("setSavepoint(named)")) {
      savepoints.add(conn.setSavepoint("Named" + savepoints.size()));
    } else if (op.startsWith("rollbackTo#")) {
      conn.rollback(savepoints.get(Integer.parseInt(op.substring(11))));
    } else if (op.startsWith("release#")) {
      conn.releaseSavepoint(savepoints.get(Integer.parseInt(op.substring(8))));
    } else if (op.startsWith("setTransactionIsolation(")) {
      conn.setTransactionIsolation(Integer.parseInt(op.replaceAll("\\D", "")));
    } else if (op.startsWith("setReadOnly(")) {
      conn.setReadOnly(op.contains("true"));
    } else {
      throw new IllegalArgumentException(op);
    }
  }

  private static void check(long seed, List<String> log, Connection conn, TransactionTracker tracker, PgConnection raw)
      throws SQLException {
    TransactionStatus status = ((LsemConnection) conn).transactionStatus();
    TransactionStatus.State server = toState(raw.getTransactionState());
    String context = "seed " + seed + " (rerun with -Dlsem.test.seed=" + seed + "), calls:\n  " + String.join("\n  ", log);
    assertEquals(server, status.state(), "tracked state differs from the server's; " + context);
    if (tracker.mispredictions() != 0) {
      fail("the tracker had to correct a prediction; " + context);
    }
    if (status.state() == TransactionStatus.State.ACTIVE) {
      Transaction tx = tracker.current();
      try (Statement s = raw.createStatement()) {
        Isolation expected = tx.isolation() == null ? Isolation.READ_COMMITTED : tx.isolation();
        assertEquals(expected.sqlName(), show(s, "transaction_isolation"), "isolation of " + tx + "; " + context);
        String readOnly = Boolean.TRUE.equals(tx.readOnly()) ? "on" : "off";
        assertEquals(readOnly, show(s, "transaction_read_only"), "access mode of " + tx + "; " + context);
      }
    }
  }

  private static String show(Statement s, String setting) throws SQLException {
    try (ResultSet rs = s.executeQuery("SHOW " + setting)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static TransactionStatus.State toState(org.postgresql.core.TransactionState s) {
    switch (s) {
      case OPEN: return TransactionStatus.State.ACTIVE;
      case FAILED: return TransactionStatus.State.FAILED;
      default: return TransactionStatus.State.IDLE;
    }
  }
}
