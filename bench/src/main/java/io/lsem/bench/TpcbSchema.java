package io.lsem.bench;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The pgbench-like schema (branches, tellers, accounts, history) on a plain pgjdbc connection:
 * creation and loading (server side, with {@code generate_series}), the housekeeping before each
 * measured run, and the consistency check at the end. The schema and its sizes follow pgbench's
 * TPC-B-like scenario: per unit of scale 1 branch, 10 tellers and 100 000 accounts; balances
 * start at zero.
 */
final class TpcbSchema {
  private final DriverTarget admin;
  private final TpcbOptions options;

  TpcbSchema(DriverTarget admin, TpcbOptions options) {
    this.admin = admin;
    this.options = options;
  }

  /** Creates and fills the tables, then adds the primary keys and analyses them. */
  void create() throws SQLException {
    try (Connection c = admin.connect(); Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS history, accounts, tellers, branches");
      s.execute("CREATE TABLE branches (bid int NOT NULL, bbalance int NOT NULL, filler char(88))");
      s.execute("CREATE TABLE tellers (tid int NOT NULL, bid int NOT NULL, tbalance int NOT NULL, filler char(84))");
      s.execute("CREATE TABLE accounts (aid int NOT NULL, bid int NOT NULL, abalance int NOT NULL, filler char(84))");
      s.execute("CREATE TABLE history (tid int, bid int, aid int, delta int, mtime timestamp, filler char(22))");
      s.execute("INSERT INTO branches SELECT b, 0, '' FROM generate_series(1, " + options.branches() + ") b");
      s.execute("INSERT INTO tellers SELECT t, (t - 1) / " + TpcbOptions.TELLERS_PER_BRANCH
          + " + 1, 0, '' FROM generate_series(1, " + options.tellers() + ") t");
      s.execute("INSERT INTO accounts SELECT a, (a - 1) / " + TpcbOptions.ACCOUNTS_PER_BRANCH
          + " + 1, 0, '' FROM generate_series(1, " + options.accounts() + ") a");
      s.execute("ALTER TABLE branches ADD PRIMARY KEY (bid)");
      s.execute("ALTER TABLE tellers ADD PRIMARY KEY (tid)");
      s.execute("ALTER TABLE accounts ADD PRIMARY KEY (aid)");
      s.execute("VACUUM ANALYZE branches, tellers, accounts, history");
    }
  }

  /**
   * Before each measured run, as pgbench does: vacuums the small, hot tables so every run starts
   * from the same state, and checkpoints (ignored where not permitted).
   */
  void beforeRun() {
    try (Connection c = admin.connect(); Statement s = c.createStatement()) {
      s.execute("VACUUM branches, tellers");
      try {
        s.execute("CHECKPOINT");
      } catch (SQLException notSuperuser) {
        // an existing server (LSEM_TEST_PG_URL) may not allow it; the vacuum is what matters
      }
    } catch (SQLException e) {
      System.out.println("  ! housekeeping before the run failed: " + ErrorLog.describe(e));
    }
  }

  /** Rows in the commit ledger {@code lsem.commit_log}, or -1 if it does not exist. */
  long ledgerRows() throws SQLException {
    try (Connection c = admin.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT CASE WHEN to_regclass('lsem.commit_log') IS NULL THEN -1 END")) {
      rs.next();
      if (rs.getObject(1) != null) {
        return -1;
      }
    }
    try (Connection c = admin.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM lsem.commit_log")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** One line about the server: version and the durability settings that shape the figures. */
  String describeServer() throws SQLException {
    try (Connection c = admin.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT current_setting('server_version'), current_setting('fsync'),"
            + " current_setting('synchronous_commit'), current_setting('shared_buffers')")) {
      rs.next();
      return "PostgreSQL " + rs.getString(1) + " (fsync=" + rs.getString(2) + ", synchronous_commit="
          + rs.getString(3) + ", shared_buffers=" + rs.getString(4) + ")";
    }
  }

  /**
   * Checks that every committed transaction added its delta to one account, one teller and one
   * branch and wrote one history row: the four sums must be equal, and the history must hold
   * {@code committed} rows (more only if a commit whose outcome was unknown did commit).
   * Returns whether the sums agree.
   */
  boolean verify(long committed, long unknownOutcomes) throws SQLException {
    try (Connection c = admin.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT (SELECT coalesce(sum(abalance), 0) FROM accounts),"
            + " (SELECT coalesce(sum(tbalance), 0) FROM tellers), (SELECT coalesce(sum(bbalance), 0) FROM branches),"
            + " (SELECT coalesce(sum(delta), 0) FROM history), (SELECT count(*) FROM history)")) {
      rs.next();
      long accounts = rs.getLong(1);
      long tellers = rs.getLong(2);
      long branches = rs.getLong(3);
      long history = rs.getLong(4);
      long rows = rs.getLong(5);
      boolean sumsAgree = accounts == tellers && tellers == branches && branches == history;
      boolean rowsAgree = rows >= committed && rows <= committed + unknownOutcomes;
      System.out.printf("consistency: sums of balances accounts=%d tellers=%d branches=%d history=%d -> %s%n",
          accounts, tellers, branches, history, sumsAgree ? "equal, OK" : "DIFFERENT");
      System.out.printf("consistency: history rows=%d, commits acknowledged to clients=%d,"
          + " commits with unknown outcome=%d -> %s%n", rows, committed, unknownOutcomes,
          rowsAgree ? "OK" : "MISMATCH");
      return sumsAgree && rowsAgree;
    }
  }
}
