package io.lsem.jdbc.cli;

import io.lsem.jdbc.clock.Hlc;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.List;

/**
 * The cross-layer checks of {@code lsem verify} on one database: the ledger ({@code lsem.commit_log})
 * against itself, against the clock ({@code lsem.clock}) and against PostgreSQL's own record of
 * its transactions, and rows of given tables against the ledger through their {@code xmin}.
 * Each check is one query; a violation names the check and up to {@link #EXAMPLES} examples.
 *
 * <p>What PostgreSQL can prove, and so what is checked: whether a transaction committed
 * ({@code pg_xact_status}); which transaction wrote a row version ({@code xmin}) and which one
 * updated or deleted it ({@code xmax}). The second writer of a row waited for the first to commit
 * (or was the same transaction), and the first one's commit timestamp was issued before its
 * commit, the second one's after its write: so where both are in the ledger, the first one's commit
 * timestamp must be lower (guarantee 2, overwrites). Row versions that are gone (vacuumed, pruned)
 * cannot be checked; the dead ones still in the table are read with {@code pageinspect} when that
 * extension is installed and the role may use it. What PostgreSQL does not keep, and so what is not
 * checked: the commit order of two unrelated transactions (xid order is the order of first writes,
 * not of commits; {@code track_commit_timestamp} gives wall-clock commit times but, for
 * transactions that overlap, no order the ledger promises to follow), and which data a transaction
 * read.
 */
final class LedgerVerifier {
  static final int EXAMPLES = 5;
  private static final int LOGICAL_BITS = Hlc.LOGICAL_BITS;
  /**
   * The full xid8 of a 32-bit xid {@code x} that is not frozen, given the next xid8 {@code n}:
   * the latest xid8 at or before n with those low 32 bits (PostgreSQL keeps unfrozen xids within
   * 2^31 of the next one).
   */
  private static final String FULL_XID = "(%2$s - ((%2$s - %1$s) & 4294967295))";

  private final Connection db;
  private final long maxOffsetMillis;
  private final Long since;
  /** The ledger rows to check: all, or those committed at or after {@code --since}. */
  private final String ledger;
  private final List<String> report = new ArrayList<>();
  private int violations;

  LedgerVerifier(Connection db, long maxOffsetMillis, Long since) {
    this.db = db;
    this.maxOffsetMillis = maxOffsetMillis;
    this.since = since;
    this.ledger = since == null ? "lsem.commit_log" : "(SELECT * FROM lsem.commit_log WHERE commit_ts >= " + since + ")";
  }

  /** A {@code --table} that names no table, reported as a usage error. */
  static final class BadArgument extends Exception {
    BadArgument(String message) {
      super(message);
    }
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
    if (!exists("SELECT pg_catalog.to_regclass('lsem.commit_log') IS NOT NULL")) {
      report.add("VIOLATION no ledger: the schema lsem (table lsem.commit_log) does not exist in this database"
          + " (lsem install --url ... creates it)");
      violations++;
      return false;
    }
    // before trusting anything the ledger says: made by its owner alone (issue 13)
    check("the ledger's objects belong to its owner, with no trigger, rule or policy",
        io.lsem.jdbc.ledger.LedgerTrust.FOREIGN_OBJECTS, r -> r.getString(1));
    long all = count("SELECT count(*) FROM lsem.commit_log");
    long rows = since == null ? all : count("SELECT count(*) FROM " + ledger + " l");
    report.add("ledger rows checked: " + rows + (since == null ? "" : " of " + all + " (committed at or after --since)"));
    check("logical transaction ids are unique",
        "SELECT txn_id::text, count(*) FROM " + ledger + " l GROUP BY txn_id HAVING count(*) > 1",
        r -> r.getString(1) + " appears " + r.getLong(2) + " times");
    check("each PostgreSQL transaction (xid8) is recorded once",
        "SELECT xid::text, count(*) FROM " + ledger + " l GROUP BY xid HAVING count(*) > 1",
        r -> "xid " + r.getString(1) + " appears " + r.getLong(2) + " times");
    check("every commit timestamp is above its start timestamp",
        "SELECT txn_id::text, start_ts, commit_ts FROM " + ledger + " l WHERE commit_ts <= start_ts",
        r -> r.getString(1) + ": start " + ts(r.getLong(2)) + ", commit " + ts(r.getLong(3)));
    // Guarantee 1: ledger commit timestamps are unique. The tie-breaker (the logical id) orders
    // only read-only transactions, which are not in the ledger: a tie here is a violation.
    check("commit timestamps are unique (a total order)",
        "SELECT commit_ts, string_agg(txn_id::text, ', ' ORDER BY txn_id) FROM " + ledger + " l"
            + " GROUP BY commit_ts HAVING count(*) > 1",
        r -> "commit timestamp " + ts(r.getLong(1)) + " shared by " + r.getString(2));
    check("every transaction ran at least once",
        "SELECT txn_id::text, attempts FROM " + ledger + " l WHERE attempts < 1",
        r -> r.getString(1) + ": attempts " + r.getLong(2));
    // Rows recorded by lsem.record_commit stay at or below lsem.clock; rows appended by lsem.append_commit
    // (timestamps from a linearizable oracle) do not move it. Both kinds are checked by the same rules
    // below and, per table, by the order of each row's versions.
    report.add("ledger rows above lsem.clock (appended with timestamps from a shared oracle): "
        + count("SELECT count(*) FROM " + ledger + " l WHERE commit_ts > "
            + "coalesce(pg_catalog.pg_sequence_last_value('lsem.clock'::pg_catalog.regclass), 0)"));
    long nowMillis = System.currentTimeMillis() + maxOffsetMillis;
    check("no timestamp is from the future (beyond --max-offset " + maxOffsetMillis + " ms)",
        "SELECT txn_id::text, commit_ts, start_ts FROM " + ledger + " l WHERE (commit_ts >> " + LOGICAL_BITS + ") > "
            + nowMillis + " OR (start_ts >> " + LOGICAL_BITS + ") > " + nowMillis,
        r -> r.getString(1) + ": start " + ts(r.getLong(3)) + ", commit " + ts(r.getLong(2)));
    // pg_xact_status raises an error for an xid from the future: the CASE keeps it from seeing one;
    // it is NULL for an xid too old to have a status any more (then there is nothing to check).
    check("every recorded transaction committed in PostgreSQL (pg_xact_status)",
        "SELECT txn_id::text, xid::text, status FROM (SELECT txn_id, xid, CASE WHEN xid <"
            + " pg_snapshot_xmax(pg_current_snapshot()) THEN pg_xact_status(xid) ELSE 'not yet assigned' END AS status"
            + " FROM " + ledger + " l) s WHERE status IS NOT NULL AND status <> 'committed'",
        r -> r.getString(1) + ": xid " + r.getString(2) + " is " + r.getString(3));
    long ambiguous = count("SELECT count(*) FROM (SELECT xid::xid FROM lsem.commit_log GROUP BY 1 HAVING count(*) > 1) a");
    if (ambiguous > 0) {
      report.add("note      " + ambiguous + " xmin value(s) match more than one recorded xid8 (the ledger spans more"
          + " than 2^32 transactions): lsem.commit_of maps such rows to the newest");
    }
    return true;
  }

  /**
   * {@code table} as {@code schema.table}, found with the session's own {@code search_path} — called
   * before {@link Lsem} pins the path to {@code pg_catalog, pg_temp} for the checks, so that names the
   * user gave keep their meaning while nothing the checks call can be shadowed. Unchanged when there
   * is no such table ({@link #checkTable} reports it).
   */
  String qualify(String table) throws SQLException {
    try (PreparedStatement ps = db.prepareStatement("SELECT n.nspname, c.relname FROM pg_catalog.pg_class c"
        + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = pg_catalog.to_regclass(?)")) {
      ps.setString(1, quoteTable(table));
      try (ResultSet r = ps.executeQuery()) {
        return r.next() ? r.getString(1) + "." + r.getString(2) : table;
      }
    }
  }

  /**
   * Maps every row of {@code table} through its {@code xmin} to the ledger, and checks the order of
   * the recorded writers of each row version still in the table. Rows whose writer is not in the
   * ledger (written with timestamps off, before the ledger existed, after a SAVEPOINT, or purged by
   * retention) are counted, and are violations only when {@code strict}.
   */
  void checkTable(String table, boolean strict) throws SQLException, BadArgument {
    checkTable(table, table, strict);
  }

  /** {@link #checkTable(String, boolean)} of {@code resolved} ({@link #qualify}), named {@code table} in the report. */
  void checkTable(String table, String resolved, boolean strict) throws SQLException, BadArgument {
    String quoted = quoteTable(resolved);
    String oid;
    try (PreparedStatement ps = db.prepareStatement("SELECT pg_catalog.to_regclass(?)::pg_catalog.oid::text")) {
      ps.setString(1, quoted);
      try (ResultSet r = ps.executeQuery()) {
        r.next();
        oid = r.getString(1);
      }
    }
    if (oid == null) {
      throw new BadArgument("bad --table '" + table + "': no such table in this database; expected [SCHEMA.]TABLE");
    }
    long rows = count("SELECT count(*) FROM " + quoted);
    long mapped = count("SELECT count(*) FROM " + quoted + " t WHERE EXISTS (SELECT 1 FROM lsem.commit_of(t.xmin))");
    report.add("table " + table + ": " + rows + " rows, " + mapped + " written by recorded transactions, "
        + (rows - mapped) + " not mapped");
    if (strict) {
      check("every row of " + table + " was written by a recorded transaction (--strict)",
          "SELECT t.ctid::text, t.xmin::text FROM " + quoted + " t WHERE NOT EXISTS (SELECT 1 FROM lsem.commit_of(t.xmin))",
          r -> "row " + r.getString(1) + " (xmin " + r.getString(2) + ")");
    }
    checkRowVersions(table, oid);
  }

  /**
   * Guarantee 2 on overwrites, from the row versions still in the table's pages: where a version's
   * writer ({@code xmin}) and the committed transaction that updated or deleted it ({@code xmax},
   * not a row lock, not a MultiXact) are both in the ledger, the writer's commit timestamp is the
   * lower. Frozen versions are skipped (their xmin's epoch is unknown).
   */
  private void checkRowVersions(String table, String oid) throws SQLException {
    String what = "row versions of " + table + ": each overwritten version's writer has a lower commit timestamp"
        + " than its overwriter";
    String schema = null;
    try (PreparedStatement ps = db.prepareStatement("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n"
        + " ON n.oid = e.extnamespace WHERE e.extname = 'pageinspect'"); ResultSet r = ps.executeQuery()) {
      if (r.next()) {
        schema = '"' + r.getString(1).replace("\"", "\"\"") + '"';
      }
    }
    if (schema == null) {
      report.add("unchecked " + what + " (needs the pageinspect extension: CREATE EXTENSION pageinspect, as a superuser)");
      return;
    }
    List<String> relations = new ArrayList<>();
    try (PreparedStatement ps = db.prepareStatement("SELECT c.oid::regclass::text FROM pg_class c"
        + " WHERE c.oid = ?::oid AND c.relkind IN ('r', 'm')"
        + " UNION SELECT p.relid::regclass::text FROM pg_partition_tree(?::oid::regclass) p"
        + " JOIN pg_class c ON c.oid = p.relid WHERE p.isleaf AND c.relkind IN ('r', 'm')")) {
      ps.setString(1, oid);
      ps.setString(2, oid);
      try (ResultSet r = ps.executeQuery()) {
        while (r.next()) {
          relations.add(r.getString(1));
        }
      }
    }
    String n = "nx.n";
    String pairs = "WITH nx AS (SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint AS n),"
        + " v AS (SELECT b, p.lp, p.t_xmin, p.t_xmax, p.t_xmin::text::bigint AS xmin, p.t_xmax::text::bigint AS xmax"
        + "   FROM generate_series(0, pg_relation_size(?::regclass) / current_setting('block_size')::bigint - 1) b,"
        + "   LATERAL " + schema + ".heap_page_items(" + schema + ".get_raw_page(?, b::int)) p"
        + "   WHERE p.lp_flags = 1 AND p.t_xmax::text <> '0' AND NOT p.t_xmin = p.t_xmax"
        + "   AND (p.t_infomask & 4096) = 0" // xmax is not a MultiXact
        + "   AND (p.t_infomask & 128) = 0 AND (p.t_infomask & 4176) <> 64" // xmax is not only a row lock
        + "   AND (p.t_infomask & 768) <> 768)," // xmin is not frozen
        + " f AS (SELECT v.*, " + String.format(FULL_XID, "v.xmin", n) + " AS xmin8, "
        + String.format(FULL_XID, "v.xmax", n) + " AS xmax8, " + n + " AS n FROM v, nx)"
        + " SELECT f.b, f.lp, w.txn_id::text AS w_id, w.commit_ts AS w_ts, o.txn_id::text AS o_id, o.commit_ts AS o_ts"
        // the full xid8, for the ledger's unique index on it
        + " FROM f JOIN lsem.commit_log w ON w.xid = f.xmin8::text::xid8"
        + " JOIN lsem.commit_log o ON o.xid = f.xmax8::text::xid8"
        + " WHERE CASE WHEN f.xmax8 < f.n THEN pg_xact_status(o.xid) END = 'committed'"
        + (since == null ? "" : " AND o.commit_ts >= " + since);
    long checked = 0;
    long found = 0;
    List<String> examples = new ArrayList<>();
    Savepoint sp = db.setSavepoint();
    try {
      for (String rel : relations) {
        try (PreparedStatement ps = db.prepareStatement("SELECT count(*), count(*) FILTER (WHERE w_ts >= o_ts)"
            + " FROM (" + pairs + ") x")) {
          ps.setString(1, rel);
          ps.setString(2, rel);
          try (ResultSet r = ps.executeQuery()) {
            r.next();
            checked += r.getLong(1);
            found += r.getLong(2);
          }
        }
        if (examples.size() < EXAMPLES) {
          try (PreparedStatement ps = db.prepareStatement("SELECT * FROM (" + pairs + ") x WHERE w_ts >= o_ts"
              + " ORDER BY b, lp LIMIT " + (EXAMPLES - examples.size()))) {
            ps.setString(1, rel);
            ps.setString(2, rel);
            try (ResultSet r = ps.executeQuery()) {
              while (r.next()) {
                examples.add(rel + " (" + r.getLong(1) + "," + r.getInt(2) + ") written by " + r.getString(3)
                    + " at " + ts(r.getLong(4)) + ", overwritten by " + r.getString(5) + " at " + ts(r.getLong(6)));
              }
            }
          }
        }
      }
      db.releaseSavepoint(sp);
    } catch (SQLException e) {
      if (!"42501".equals(e.getSQLState())) {
        throw e;
      }
      db.rollback(sp);
      report.add("unchecked " + what + " (this role may not read raw pages: " + e.getMessage() + ")");
      return;
    }
    if (found == 0) {
      report.add("ok        " + what + " (" + checked + " pairs of recorded writers)");
    } else {
      violations++;
      report.add("VIOLATION " + what + ": " + found + " of " + checked + " pairs, e.g. " + String.join("; ", examples));
    }
  }

  /** A timestamp for humans and machines: {@code 123456789 (2026-11-24T13:45:00.123Z+17)}. */
  private static String ts(long ts) {
    return ts + " (" + Hlc.format(ts) + ")";
  }

  private interface Describer {
    String describe(ResultSet r) throws SQLException;
  }

  private void check(String what, String sql, Describer describer) throws SQLException {
    List<String> examples = new ArrayList<>();
    long found = 0;
    try (PreparedStatement s = db.prepareStatement(sql); ResultSet r = s.executeQuery()) {
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
    try (PreparedStatement s = db.prepareStatement(sql); ResultSet r = s.executeQuery()) {
      return r.next() && r.getBoolean(1);
    }
  }

  private long count(String sql) throws SQLException {
    try (PreparedStatement s = db.prepareStatement(sql); ResultSet r = s.executeQuery()) {
      r.next();
      return r.getLong(1);
    }
  }

  /** {@code schema.table} or {@code table}, each part quoted as an identifier. */
  static String quoteTable(String table) {
    StringBuilder sb = new StringBuilder();
    for (String part : table.split("\\.", -1)) {
      if (part.isEmpty()) {
        throw new IllegalArgumentException("bad --table '" + table + "'; expected [SCHEMA.]TABLE[,...]");
      }
      if (sb.length() > 0) {
        sb.append('.');
      }
      sb.append('"').append(part.replace("\"", "\"\"")).append('"');
    }
    return sb.toString();
  }
}
