package io.lsem.jdbc.cli;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The cross-layer checks of {@code lsem verify} on one database: the ledger ({@code lsem.commit_log})
 * against itself, against the clock ({@code lsem.clock}) and against PostgreSQL's own record of
 * its transactions, and rows of given tables against the ledger through their {@code xmin}.
 * Each check is one query; a violation names the check and up to {@link #EXAMPLES} examples.
 */
final class LedgerVerifier {
  static final int EXAMPLES = 5;
  /** Bits of the logical counter in a timestamp (46 bits of milliseconds above them). */
  private static final int LOGICAL_BITS = 18;

  private final Connection db;
  private final long maxOffsetMillis;
  private final List<String> report = new ArrayList<>();
  private int violations;

  LedgerVerifier(Connection db, long maxOffsetMillis) {
    this.db = db;
    this.maxOffsetMillis = maxOffsetMillis;
  }

  /** What was checked and found, one line each. */
  List<String> report() {
    return report;
  }

  int violations() {
    return violations;
  }

  /** Runs the ledger checks; false if there is no ledger to check. */
  boolean checkLedger() throws SQLException {
    if (!exists("SELECT to_regclass('lsem.commit_log') IS NOT NULL")) {
      report.add("no ledger: the schema lsem (table lsem.commit_log) does not exist in this database");
      violations++;
      return false;
    }
    long rows = count("SELECT count(*) FROM lsem.commit_log");
    report.add("ledger rows: " + rows);
    check("logical transaction ids are unique",
        "SELECT txn_id::text, count(*) FROM lsem.commit_log GROUP BY txn_id HAVING count(*) > 1",
        r -> r.getString(1) + " appears " + r.getLong(2) + " times");
    check("each PostgreSQL transaction (xid8) is recorded once",
        "SELECT xid::text, count(*) FROM lsem.commit_log GROUP BY xid HAVING count(*) > 1",
        r -> "xid " + r.getString(1) + " appears " + r.getLong(2) + " times");
    check("every commit timestamp is above its start timestamp",
        "SELECT txn_id::text, start_ts, commit_ts FROM lsem.commit_log WHERE commit_ts <= start_ts",
        r -> r.getString(1) + ": start " + r.getLong(2) + ", commit " + r.getLong(3));
    check("commit timestamps are unique (a total order)",
        "SELECT commit_ts, string_agg(txn_id::text, ', ') FROM lsem.commit_log GROUP BY commit_ts HAVING count(*) > 1",
        r -> "commit timestamp " + r.getLong(1) + " shared by " + r.getString(2));
    check("every transaction ran at least once",
        "SELECT txn_id::text, attempts FROM lsem.commit_log WHERE attempts < 1",
        r -> r.getString(1) + ": attempts " + r.getLong(2));
    check("no commit timestamp is above the database's clock (lsem.clock)",
        "SELECT txn_id::text, commit_ts, coalesce(pg_sequence_last_value('lsem.clock'), 0) FROM lsem.commit_log"
            + " WHERE commit_ts > coalesce(pg_sequence_last_value('lsem.clock'), 0)",
        r -> r.getString(1) + ": commit " + r.getLong(2) + " > clock " + r.getLong(3));
    long nowMillis = System.currentTimeMillis() + maxOffsetMillis;
    check("no timestamp is from the future (beyond the allowed clock offset)",
        "SELECT txn_id::text, commit_ts FROM lsem.commit_log WHERE (commit_ts >> " + LOGICAL_BITS + ") > " + nowMillis
            + " OR (start_ts >> " + LOGICAL_BITS + ") > " + nowMillis,
        r -> r.getString(1) + ": commit timestamp " + r.getLong(2) + " is at "
            + java.time.Instant.ofEpochMilli(r.getLong(2) >> LOGICAL_BITS));
    // pg_xact_status raises an error for an xid from the future: the CASE keeps it from seeing one;
    // it is NULL for an xid too old to have a status any more (then there is nothing to check).
    check("every recorded transaction committed in PostgreSQL (pg_xact_status)",
        "SELECT txn_id::text, xid::text, status FROM (SELECT txn_id, xid, CASE WHEN xid <"
            + " pg_snapshot_xmax(pg_current_snapshot()) THEN pg_xact_status(xid) ELSE 'not yet assigned' END AS status"
            + " FROM lsem.commit_log) s WHERE status IS NOT NULL AND status <> 'committed'",
        r -> r.getString(1) + ": xid " + r.getString(2) + " is " + r.getString(3));
    return true;
  }

  /**
   * Maps every row of {@code table} through its {@code xmin} to the ledger. A row whose writer is
   * in the ledger must have been written by a committed transaction with consistent timestamps
   * (checked above); rows whose writer is not in the ledger (written with timestamps off, before
   * the ledger existed, after a SAVEPOINT, or purged by retention) are counted, and are violations
   * only when {@code strict}.
   */
  void checkTable(String table, boolean strict) throws SQLException {
    String quoted = quoteTable(table);
    long rows = count("SELECT count(*) FROM " + quoted);
    long mapped = count("SELECT count(*) FROM " + quoted + " t WHERE EXISTS (SELECT 1 FROM lsem.commit_of(t.xmin))");
    report.add("table " + table + ": " + rows + " rows, " + mapped + " written by recorded transactions, "
        + (rows - mapped) + " not mapped");
    if (strict && rows > mapped) {
      check("every row of " + table + " was written by a recorded transaction (--strict)",
          "SELECT t.ctid::text, t.xmin::text FROM " + quoted + " t WHERE NOT EXISTS (SELECT 1 FROM lsem.commit_of(t.xmin))",
          r -> "row " + r.getString(1) + " (xmin " + r.getString(2) + ")");
    }
  }

  private interface Describer {
    String describe(ResultSet r) throws SQLException;
  }

  private void check(String what, String sql, Describer describer) throws SQLException {
    List<String> examples = new ArrayList<>();
    long found = 0;
    try (Statement s = db.createStatement(); ResultSet r = s.executeQuery(sql)) {
      while (r.next()) {
        if (found++ < EXAMPLES) {
          examples.add(describer.describe(r));
        }
      }
    }
    if (found == 0) {
      report.add("ok        " + what);
    } else {
      violations++;
      report.add("VIOLATION " + what + ": " + found + " found, e.g. " + String.join("; ", examples));
    }
  }

  private boolean exists(String sql) throws SQLException {
    try (Statement s = db.createStatement(); ResultSet r = s.executeQuery(sql)) {
      return r.next() && r.getBoolean(1);
    }
  }

  private long count(String sql) throws SQLException {
    try (Statement s = db.createStatement(); ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    }
  }

  /** {@code schema.table} or {@code table}, each part quoted as an identifier. */
  static String quoteTable(String table) {
    StringBuilder sb = new StringBuilder();
    for (String part : table.split("\\.", -1)) {
      if (part.isEmpty()) {
        throw new IllegalArgumentException("not a table name: '" + table + "'; expected table or schema.table");
      }
      if (sb.length() > 0) {
        sb.append('.');
      }
      sb.append('"').append(part.replace("\"", "\"\"")).append('"');
    }
    return sb.toString();
  }
}
