package io.lsem.jdbc.ledger;

import io.lsem.jdbc.clock.Hlc;
import io.lsem.jdbc.clock.TimestampOracle;
import io.lsem.jdbc.config.LsemSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The commit ledger of one connection configuration (one database): finds the {@code lsem} schema
 * (installing it on first use only when asked: {@code installLedger=true}), seeds the clock from the highest
 * recorded commit timestamp, writes the SQL that rides with BEGIN and COMMIT, and deletes old
 * rows in small batches. Thread safe.
 */
public final class Ledger {
  private static final Logger LOG = LoggerFactory.getLogger(Ledger.class);
  /** The install script, also shipped as a resource for installing by hand. */
  public static final String SCRIPT_RESOURCE = "/io/lsem/jdbc/ledger/lsem-ledger.sql";

  private enum State { UNKNOWN, READY, UNAVAILABLE }

  private final String mode;
  private final boolean installAllowed;
  private final TimestampOracle oracle;
  private final long retentionMillis;
  private final int purgeBatch;
  private volatile State state = State.UNKNOWN;
  /**
   * The function that records a commit: {@code lsem.record_commit} (raises the timestamp above the
   * database's clock under a short lock), or with a linearizable oracle whose timestamps are already
   * above every earlier one, {@code lsem.append_commit} (a plain insert). Settled by {@link #prepare}.
   */
  private volatile String recordFunction = "lsem.record_commit";
  private final java.util.concurrent.locks.ReentrantLock installing = new java.util.concurrent.locks.ReentrantLock();
  private final long purgeIntervalNanos;
  private final AtomicLong nextPurge;
  private final java.util.concurrent.atomic.AtomicBoolean purgeWarned = new java.util.concurrent.atomic.AtomicBoolean();

  public Ledger(LsemSettings settings, TimestampOracle oracle) {
    this.mode = settings.timestamps();
    this.installAllowed = settings.installLedger();
    this.oracle = oracle;
    this.retentionMillis = settings.ledgerRetention().toMillis();
    this.purgeBatch = settings.ledgerPurgeBatch();
    this.purgeIntervalNanos = settings.ledgerPurgeInterval().toNanos();
    this.nextPurge = new AtomicLong(System.nanoTime() + purgeIntervalNanos);
    if (mode.equals("off")) {
      state = State.UNAVAILABLE;
    }
  }

  public TimestampOracle oracle() {
    return oracle;
  }

  /**
   * Called with every new physical connection (autocommit on, no transaction open): the first
   * time, checks or installs the schema and seeds the clock. Returns whether timestamps are on.
   *
   * @throws SQLException with {@code timestamps=on} when the schema is missing and cannot be created
   */
  public boolean prepare(Connection raw) throws SQLException {
    if (state == State.UNKNOWN) {
      installing.lock();
      try {
        if (state == State.UNKNOWN) {
          state = install(raw) ? State.READY : State.UNAVAILABLE;
        }
      } finally {
        installing.unlock();
      }
    }
    return state == State.READY;
  }

  private boolean install(Connection raw) throws SQLException {
    try (Statement s = raw.createStatement()) {
      String problem = installed(s) ? untrusted(s) : null;
      if (problem != null) {
        return unavailable("the commit ledger in database '" + raw.getCatalog() + "' is not used: " + problem, null, true);
      }
      if (!installed(s)) {
        if (!installAllowed) {
          return unavailable("the commit ledger (schema lsem) is not installed in database '" + raw.getCatalog()
              + "'; install it with 'lsem install --url <jdbc url>' (or connect once with installLedger=true)", null, false);
        }
        try {
          s.execute(script());
          // a change in the user's database, asked for with installLedger=true: said once, at INFO
          LOG.info("Installed the commit ledger (schema lsem) in database '{}' (installLedger=true)", raw.getCatalog());
        } catch (SQLException e) {
          return unavailable("the lsem schema does not exist and could not be created ("
              + e.getSQLState() + ": " + firstLine(e.getMessage()) + "); install it with 'lsem install' as a role"
              + " that may create schemas, or set timestamps=off", e, true);
        }
      }
      if (oracle.linearizable()) {
        if (appendAvailable(s)) {
          recordFunction = "lsem.append_commit";
        } else {
          LOG.info("The commit ledger in database '{}' predates lsem.append_commit (ledger version 4): commits"
              + " take the database clock's lock although the timestamp oracle is linearizable; upgrade it with"
              + " 'lsem install --url <jdbc url>'", raw.getCatalog());
        }
      }
      try (ResultSet rs = s.executeQuery("SELECT lsem.max_commit_ts()")) {
        rs.next();
        seed(rs.getLong(1));
      }
      return true;
    }
  }

  private static boolean appendAvailable(Statement s) throws SQLException {
    try (ResultSet rs = s.executeQuery("SELECT pg_catalog.to_regprocedure('lsem.append_commit(uuid,bigint,bigint,integer)')"
        + " IS NOT NULL AND pg_catalog.has_function_privilege('lsem.append_commit(uuid,bigint,bigint,integer)', 'EXECUTE')")) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  private static boolean installed(Statement s) throws SQLException {
    try (ResultSet rs = s.executeQuery(
        "SELECT pg_catalog.to_regprocedure('lsem.record_commit(uuid,bigint,bigint,integer)') IS NOT NULL")) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  /**
   * Why the installed ledger must not be used, or {@code null}: an object in schema {@code lsem}
   * owned by another role than the schema's owner, a trigger, rule or policy on its tables (any of
   * them would run inside the ledger's SECURITY DEFINER function), or a connecting role that may
   * not record commits (not a member of {@code lsem_writer}).
   */
  private static String untrusted(Statement s) throws SQLException {
    try (ResultSet rs = s.executeQuery("SELECT pg_catalog.string_agg(what, '; ') FROM (" + LedgerTrust.FOREIGN_OBJECTS
        + " UNION ALL SELECT 'role ' || current_user || ' may not record commits (GRANT lsem_writer TO '"
        + " || current_user || ')' WHERE NOT pg_catalog.has_function_privilege("
        + "'lsem.record_commit(uuid,bigint,bigint,integer)'::pg_catalog.regprocedure, 'EXECUTE')) f")) {
      rs.next();
      return rs.getString(1);
    }
  }

  private boolean unavailable(String why, SQLException cause, boolean warn) throws SQLException {
    if (mode.equals("on")) {
      throw new SQLException("timestamps=on but " + why, "55000", cause);
    }
    // once per configuration: the state is settled after this
    if (!warn) {
      LOG.info("Global timestamps and the commit ledger are off for this database: {}", why);
    } else {
      LOG.warn("Global timestamps and the commit ledger are off for this database: {}", why);
    }
    return false;
  }

  private void seed(long maxCommitTs) {
    if (maxCommitTs > 0) {
      oracle.advanceTo(maxCommitTs);
    }
  }

  private static String firstLine(String s) {
    int nl = s == null ? -1 : s.indexOf('\n');
    return nl < 0 ? String.valueOf(s) : s.substring(0, nl);
  }

  /** The install script's text. */
  public static String script() {
    try (InputStream in = Ledger.class.getResourceAsStream(SCRIPT_RESOURCE)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("the driver jar lacks " + SCRIPT_RESOURCE, e);
    }
  }

  /** What rides in front of (or right after) BEGIN: the transaction's id and start timestamp. */
  static String beginCommands(UUID txnId, long startTs) {
    return "SET LOCAL lsem.txn_id = '" + txnId + "'; SET LOCAL lsem.start_ts = '" + startTs + "'";
  }

  /** Results {@link #beginCommands} adds in front of the application's. */
  public static final int BEGIN_RESULTS = 2;

  /**
   * The BEGIN values in front of a prepared statement's first execution: one statement whose two
   * parameters are the id and the start timestamp, so the text is the same every transaction.
   */
  public static final String PREPARED_BEGIN =
      "SELECT pg_catalog.set_config('lsem.txn_id', ?, true), pg_catalog.set_config('lsem.start_ts', ?, true)";

  /** Parameters of {@link #PREPARED_BEGIN}, in front of the application's. */
  public static final int PREPARED_BEGIN_PARAMETERS = 2;

  /** Results {@link #PREPARED_BEGIN} adds in front of the application's. */
  public static final int PREPARED_BEGIN_RESULTS = 1;

  /** What rides in front of COMMIT: the ledger row, if the transaction wrote. */
  String recordCommit(UUID txnId, long startTs, long commitTs, int attempts) {
    return "SELECT " + recordFunction + "('" + txnId + "'::pg_catalog.uuid, " + startTs + ", " + commitTs + ", " + attempts + ")";
  }

  /**
   * The COMMIT message of {@code commit()} as one prepared statement with stable text: ledger row
   * (parameters: id, start, commit timestamp, attempts), COMMIT, commit LSN. Stable text lets
   * pgjdbc and the server parse and plan it once per connection.
   */
  public String commitMessage() {
    return "SELECT " + recordFunction + "(?, ?, ?, ?); COMMIT; " + COMMIT_LSN;
  }

  /** What rides after COMMIT: a WAL position at or after the commit record. */
  static final String COMMIT_LSN = "SELECT pg_catalog.pg_current_wal_insert_lsn()::pg_catalog.text";

  /**
   * Deletes ledger rows older than the retention, at most once per {@code ledgerPurgeInterval}
   * per configuration: one short statement of at most {@code ledgerPurgeBatch} rows on an idle
   * connection.
   */
  void maybePurge(org.postgresql.core.BaseConnection raw) {
    long due = nextPurge.get();
    if (retentionMillis <= 0 || System.nanoTime() - due < 0
        || !nextPurge.compareAndSet(due, System.nanoTime() + purgeIntervalNanos)) {
      return;
    }
    long cutoff = Hlc.of(System.currentTimeMillis() - retentionMillis, 0);
    // execSQLQuery sends no BEGIN: the purge commits on its own even with autocommit off.
    try (ResultSet rs = raw.execSQLQuery("SELECT lsem.purge(" + cutoff + ", " + purgeBatch + ")")) {
      rs.next();
      if (rs.getInt(1) == purgeBatch) {
        nextPurge.set(System.nanoTime()); // more to delete: again after the next commit
      }
    } catch (SQLException e) {
      if (purgeWarned.compareAndSet(false, true)) {
        LOG.warn("ledger retention failed ({}: {}); it needs connections of the ledger's owner",
            e.getSQLState(), firstLine(e.getMessage()));
      }
    }
  }
}
