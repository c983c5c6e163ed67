package io.lsem.jdbc.ledger;

import io.lsem.jdbc.TransactionStatus.Cause;
import io.lsem.jdbc.clock.TimestampOracle;
import io.lsem.jdbc.tx.Transaction;
import io.lsem.jdbc.tx.TransactionListener;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.postgresql.core.BaseConnection;

/**
 * Global timestamps for one physical connection. At BEGIN (announced by the transaction
 * tracker) a transaction gets a logical id and a start timestamp, and the SQL that makes them
 * visible on the server waits to ride with the transaction's first message; at COMMIT the
 * driver takes the commit timestamp and sends the ledger row with the COMMIT, reading back the
 * final commit timestamp and the commit LSN. A transaction replayed by transparent retry keeps
 * its logical id and counts its attempts: an interrupted transaction ({@link
 * #afterInterrupted}) keeps its id until the next BEGIN, which continues it when the tracker
 * says that BEGIN is a replay.
 */
public final class TimestampSession implements TransactionListener {
  private final Ledger ledger;
  private final TimestampOracle oracle;

  private UUID txnId;
  private long startTs;
  private int attempts;
  /** BEGIN values were announced for the call in flight and not sent yet. */
  private boolean beginPending;
  /** Whether that BEGIN is pgjdbc's implicit one (sent before the call) rather than one in the call's SQL. */
  private boolean pendingBeginImplicit;
  /** COMMIT announced for the call in flight, whose ledger row has not been sent yet. */
  private boolean pendingCommit;
  private long lastCommitTs;
  private String lastCommitLsn;
  /** The open transaction's ledger row went out (with its COMMIT), so the ledger can tell whether it committed. */
  private boolean ledgerRowSent;
  /** {@link #lastCommitLsn} came with the latest COMMIT message and was not taken yet. */
  private boolean freshCommitLsn;

  public TimestampSession(Ledger ledger) {
    this.ledger = ledger;
    this.oracle = ledger.oracle();
  }

  /** Time spent waiting for the oracle so far, in nanoseconds (for the per-transaction breakdown). */
  private long oracleNanos;

  private long nextTimestamp() {
    long start = System.nanoTime();
    try {
      return oracle.next();
    } finally {
      oracleNanos += System.nanoTime() - start;
    }
  }

  /** The next transaction is a branch of an XA global transaction with this id and start timestamp. */
  private UUID globalId;
  private long globalStartTs;

  /**
   * Until called again with {@code null}, the transactions that begin on this connection are a
   * branch of the XA global transaction {@code id}, which started at {@code startTs} (the branch
   * and its runs after a conflict): they take them instead of their own.
   */
  public void joinGlobal(UUID id, long startTs) {
    this.globalId = id;
    this.globalStartTs = startTs;
  }

  /**
   * The ledger row of the open transaction as a branch of XA global transaction {@code gtrid}
   * committing at the global {@code commitTs}: the SQL to send right before its
   * {@code PREPARE TRANSACTION}. {@code null} when no transaction is open.
   */
  public String branchRecord(long commitTs, String gtrid) {
    if (txnId == null) {
      return null;
    }
    ledgerRowSent = true;
    return "SELECT lsem.record_branch('" + txnId + "'::pg_catalog.uuid, " + startTs + ", " + commitTs + ", " + Math.max(attempts, 1)
        + ", '" + gtrid.replace("'", "''") + "'::pg_catalog.text)";
  }

  /** Nanoseconds this connection has waited for timestamps, in all. */
  public long oracleNanos() {
    return oracleNanos;
  }

  // ---- transaction boundaries -------------------------------------------------------------------

  @Override
  public void beforeBegin(Transaction tx) {
    if (tx.isReplay() && txnId != null) {
      // Transparent retry runs the same logical transaction again: same id and start timestamp
      // (the application may have read them), one more attempt.
      attempts++;
    } else if (globalId != null) {
      // a branch of an XA global transaction, run again after a conflict or for the first time:
      // the global id and start timestamp
      attempts = globalId.equals(txnId) ? attempts + 1 : 1;
      txnId = globalId;
      startTs = globalStartTs;
    } else {
      startTs = nextTimestamp();
      txnId = TransactionIds.next(startTs);
      attempts = 1;
    }
    ledgerRowSent = false;
    beginPending = true;
    pendingBeginImplicit = tx.beginCause() == Cause.IMPLICIT_BEGIN;
  }

  @Override
  public void beforeCommit(Transaction tx) {
    pendingCommit = txnId != null;
  }

  @Override
  public void afterCommit(Transaction tx) {
    if (lastCommitTs < startTs) {
      lastCommitTs = nextTimestamp(); // committed without the ledger round (read only, or SQL the driver did not rewrite)
    }
    ended();
  }

  @Override
  public void afterRollback(Transaction tx) {
    ended();
  }

  /** Keeps the logical id: a replay continues the same logical transaction. */
  @Override
  public void afterInterrupted(Transaction tx) {
    clearPending();
  }

  @Override
  public void afterPrepare(Transaction tx) {
    ended();
  }

  private void ended() {
    txnId = null;
    clearPending();
  }

  /** Forgets what was not sent (the call in flight is over). */
  public void clearPending() {
    beginPending = false;
    pendingCommit = false;
  }

  // ---- what the wrappers send -------------------------------------------------------------------

  /** Whether BEGIN values wait to ride with the call in flight. */
  public boolean hasPendingBegin() {
    return beginPending;
  }

  /** The SQL text of the BEGIN values waiting to ride with the call in flight, or {@code null}. */
  public String pendingBegin() {
    return beginPending ? Ledger.beginCommands(txnId, startTs) : null;
  }

  /** Whether the pending BEGIN is pgjdbc's implicit one, sent in front of the call. */
  public boolean pendingBeginImplicit() {
    return pendingBeginImplicit;
  }

  /** The BEGIN values went out with the call. */
  public void beginSent() {
    beginPending = false;
  }

  /** Whether the call in flight commits and its ledger row has not been sent yet. */
  public boolean commitPending() {
    return pendingCommit;
  }

  /** The pending BEGIN values, sent on their own: one extra round trip, for calls that cannot carry them. */
  public void sendBeginSeparately(BaseConnection raw) throws SQLException {
    if (beginPending) {
      String sql = pendingBegin();
      beginPending = false;
      try (Statement s = raw.createStatement()) {
        s.execute(sql);
      }
    }
  }

  /** The pending ledger row, sent on its own before SQL that commits in a way the driver does not rewrite. */
  public void sendCommitRecordSeparately(BaseConnection raw) throws SQLException {
    if (pendingCommit) {
      pendingCommit = false;
      ledgerRowSent = true;
      long commitTs = nextTimestamp();
      try (Statement s = raw.createStatement();
           ResultSet rs = s.executeQuery(ledger.recordCommit(txnId, startTs, commitTs, Math.max(attempts, 1)))) {
        rs.next();
        long recorded = rs.getLong(1);
        lastCommitTs = rs.wasNull() ? commitTs : recorded;
        if (!rs.wasNull()) {
          oracle.advanceTo(recorded);
        }
      }
    }
  }

  /**
   * The COMMIT message: ledger row, COMMIT, commit LSN — one round trip. {@code commit} is the
   * COMMIT statement to send (the application's own text, or {@code COMMIT}).
   */
  public String commitText(String commit) {
    long commitTs = nextTimestamp();
    pendingCommitTs = commitTs;
    pendingCommit = false;
    ledgerRowSent = txnId != null;
    return ledger.recordCommit(txnId == null ? UUID.randomUUID() : txnId, startTs, commitTs, Math.max(attempts, 1))
        + "; " + commit + "; " + Ledger.COMMIT_LSN;
  }

  private long pendingCommitTs;

  /** Binds {@link Ledger#commitMessage()}'s parameters for the open transaction (like {@link #commitText}). */
  public void bindCommit(java.sql.PreparedStatement message) throws SQLException {
    long commitTs = nextTimestamp();
    pendingCommitTs = commitTs;
    pendingCommit = false;
    ledgerRowSent = txnId != null;
    message.setObject(1, txnId == null ? UUID.randomUUID() : txnId);
    message.setLong(2, startTs);
    message.setLong(3, commitTs);
    message.setInt(4, Math.max(attempts, 1));
  }

  /**
   * Reads what the COMMIT message returned ({@code s} has just executed {@link #commitText}):
   * the commit timestamp the server settled on (for a transaction that wrote) and the LSN.
   * Leaves {@code s} positioned on the result of the application's COMMIT statement's successor.
   */
  public void readCommitResults(Statement s) throws SQLException {
    long commitTs = pendingCommitTs;
    try (ResultSet rs = s.getResultSet()) {
      if (rs != null && rs.next()) {
        long recorded = rs.getLong(1);
        if (!rs.wasNull()) {
          commitTs = recorded;
          oracle.advanceTo(recorded);
        }
      }
    }
    s.getMoreResults(); // COMMIT
    if (s.getMoreResults()) {
      try (ResultSet rs = s.getResultSet()) {
        if (rs.next()) {
          lastCommitLsn = rs.getString(1);
          freshCommitLsn = true;
        }
      }
    }
    lastCommitTs = commitTs;
  }

  /** After a commit: occasionally deletes old ledger rows. */
  public void afterCommitMessage(BaseConnection raw) {
    ledger.maybePurge(raw);
  }

  /** The commit LSN of the COMMIT message just read, once; {@code null} when the last call brought none. */
  public String takeFreshCommitLsn() {
    boolean fresh = freshCommitLsn;
    freshCommitLsn = false;
    return fresh ? lastCommitLsn : null;
  }

  /** Whether the open transaction's ledger row was sent with its COMMIT. */
  public boolean ledgerRowSent() {
    return txnId != null && ledgerRowSent;
  }

  /**
   * The COMMIT whose answer was lost took effect (its ledger row says so, with {@code commitTs});
   * {@code lsn} is a WAL position at or after its commit record. The transaction is over.
   */
  public void committedElsewhere(long commitTs, String lsn) {
    lastCommitTs = commitTs;
    lastCommitLsn = lsn;
    oracle.advanceTo(commitTs);
    ended();
  }

  // ---- what the application sees ------------------------------------------------------------------

  public UUID transactionId() {
    return txnId;
  }

  public long startTimestamp() {
    return txnId == null ? 0 : startTs;
  }

  public long lastCommitTimestamp() {
    return lastCommitTs;
  }

  public String lastCommitLsn() {
    return lastCommitLsn;
  }

  public int attempts() {
    return attempts;
  }

  public void observe(long remote) {
    oracle.observe(remote);
  }
}
