package io.lsem.jdbc.cli;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The checks of {@code lsem verify} across several databases, for XA global transactions run
 * through the driver's XA resource: every branch recorded in a ledger ({@code xa_gtrid} set) has
 * the global transaction's one logical id and one commit timestamp in every database; no global
 * transaction has a branch committed in one database and a branch still prepared in another
 * (half-applied, until the transaction manager's recovery finishes it); no LSEM branch has been
 * prepared longer than {@code --max-prepared-age}. Whether each branch committed in PostgreSQL's
 * own status is the per-database check ({@link LedgerVerifier}). A branch rolled back while
 * another committed leaves no row behind, so it can be seen only while it is prepared.
 */
final class GlobalTransactionVerifier {
  private final List<String> report = new ArrayList<>();
  private int violations;
  /** Global id → the distinct "id / commit timestamp" recorded for it, with where. */
  private final Map<String, Set<String>> recorded = new TreeMap<>();
  private final Map<String, Set<String>> committedIn = new TreeMap<>();
  private final Map<String, Set<String>> preparedIn = new TreeMap<>();
  private final List<String> tooOld = new ArrayList<>();
  private final long maxPreparedAgeSeconds;
  private int branches;

  GlobalTransactionVerifier(long maxPreparedAgeSeconds) {
    this.maxPreparedAgeSeconds = maxPreparedAgeSeconds;
  }

  /**
   * Reads one database's branches (recorded and prepared) in one read-only transaction whose
   * {@code search_path} is pinned, like the per-database checks; {@code name} is how the report
   * calls it.
   */
  void read(Connection c, String name) throws SQLException {
    c.setAutoCommit(false);
    try (Statement s = c.createStatement()) {
      s.execute("SET LOCAL search_path = pg_catalog, pg_temp");
      readBranches(s, name);
    } finally {
      c.rollback();
    }
  }

  private void readBranches(Statement s, String name) throws SQLException {
    boolean hasBranches;
    try (ResultSet rs = s.executeQuery("SELECT pg_catalog.to_regclass('lsem.commit_log') IS NOT NULL AND EXISTS ("
        + "SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = 'lsem.commit_log'::pg_catalog.regclass"
        + " AND attname = 'xa_gtrid' AND NOT attisdropped)")) {
      rs.next();
      hasBranches = rs.getBoolean(1);
    }
    if (hasBranches) {
      try (ResultSet r = s.executeQuery("SELECT xa_gtrid, txn_id::pg_catalog.text, commit_ts FROM lsem.commit_log"
          + " WHERE xa_gtrid IS NOT NULL")) {
        while (r.next()) {
          branches++;
          String global = r.getString(1);
          recorded.computeIfAbsent(global, g -> new TreeSet<>()).add(r.getString(2) + " at " + r.getLong(3));
          committedIn.computeIfAbsent(global, g -> new TreeSet<>()).add(name);
        }
      }
    }
    try (ResultSet r = s.executeQuery("SELECT gid, (pg_catalog.now() - prepared) > pg_catalog.make_interval(secs => "
        + maxPreparedAgeSeconds + "), prepared::pg_catalog.text FROM pg_catalog.pg_prepared_xacts"
        + " WHERE database = pg_catalog.current_database() AND pg_catalog.starts_with(gid, 'lsem_')")) {
      while (r.next()) {
        String gid = r.getString(1);
        String global = globalOf(gid);
        preparedIn.computeIfAbsent(global, g -> new TreeSet<>()).add(name);
        if (r.getBoolean(2)) {
          tooOld.add(gid + " in " + name + " since " + r.getString(3));
        }
      }
    }
  }

  /** {@code lsem_<format>_<gtrid>_<bqual>} → {@code <format>_<gtrid>}, the form {@code xa_gtrid} holds. */
  static String globalOf(String gid) {
    String rest = gid.substring("lsem_".length());
    int last = rest.lastIndexOf('_');
    return last < 0 ? rest : rest.substring(0, last);
  }

  /** Runs the checks over everything read. */
  void check() {
    report.add("global transactions: " + recorded.size() + " with " + branches + " committed branches recorded");
    List<String> split = new ArrayList<>();
    recorded.forEach((global, values) -> {
      if (values.size() > 1) {
        split.add(global + ": " + values);
      }
    });
    add("every global transaction has one logical id and one commit timestamp in every database", split);
    List<String> half = new ArrayList<>();
    preparedIn.forEach((global, where) -> {
      Set<String> done = committedIn.get(global);
      if (done != null) {
        half.add(global + " committed in " + done + ", still prepared in " + where);
      }
    });
    add("no global transaction is committed in one database and prepared in another", half);
    add("no LSEM branch has been prepared for more than " + maxPreparedAgeSeconds + " s (--max-prepared-age)", tooOld);
  }

  private void add(String what, List<String> found) {
    if (found.isEmpty()) {
      report.add("ok        " + what);
    } else {
      violations++;
      report.add("VIOLATION " + what + ": " + found.size() + " found, e.g. "
          + String.join("; ", found.subList(0, Math.min(found.size(), LedgerVerifier.EXAMPLES))));
    }
  }

  List<String> report() {
    return report;
  }

  int violations() {
    return violations;
  }
}
