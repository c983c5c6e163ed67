package io.lsem.jdbc.wrap;

import io.lsem.jdbc.TransactionBreakdown;
import io.lsem.jdbc.observe.TransactionEvent;
import io.lsem.jdbc.observe.TransactionSink;
import io.lsem.jdbc.sql.SqlInfo;
import java.util.List;
import io.lsem.jdbc.tx.Transaction;
import io.lsem.jdbc.tx.TransactionListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures where each transaction's time goes ({@link TransactionBreakdown}): the run loop tells
 * it when a call starts and ends, how long the server took and how long recovery took; the
 * tracker tells it when the transaction began and ended; the timestamp session counts the oracle's
 * time. The driver's own time is the rest, so the parts always add up. Publishes the breakdown to
 * the connection, a JFR event when one is being recorded, the exporters of
 * {@code transactionTelemetry}, and one log line with the transaction's SQL shapes when it took
 * longer than {@code slowTransactionThreshold}. One per connection, used by its thread.
 */
final class TransactionClock implements TransactionListener {
  private static final Logger SLOW = LoggerFactory.getLogger("io.lsem.jdbc.slow");

  private final ConnectionSession session;
  private final long slowNanos;
  private final List<TransactionSink> sinks;
  /** The distinct statements of the open transaction, for the slow log (only kept when it is on). */
  private final SqlInfo[] statements = new SqlInfo[MAX_SHAPES];
  private int statementCount;
  private SqlInfo callSql;
  private static final int MAX_SHAPES = 8;
  /** The server of the last transaction exported, and the connection it was read from. */
  private TransactionSink.ServerEndpoint endpoint;
  private Object endpointOf;
  private long callStart;
  private long oracleAtCallStart;
  private boolean open;
  private long begunAt;
  private long lastCallEnd;
  private long server;
  private long application;
  private long retry;
  private long oracleAtOpen;
  private long replaysAtOpen;
  /** The last finished transaction, kept as numbers: the record is built only when asked for. */
  private java.util.UUID lastId;
  private long lastTotal;
  private long lastServer;
  private long lastPoolWait;
  /** The wait of the last borrow of this connection from a pool, for the next transaction. */
  private long pendingPoolWait;
  private long poolWait;
  private long lastOracle;
  private long lastRetry;
  private long lastApplication;
  private long lastDriver;
  private int lastAttempts;
  private long lastNumber = -1;
  private boolean lastFromTimestamps;

  /** The application asked for a breakdown: measure from now on. */
  private boolean requested;
  /** Whether calls are being timed: someone consumes the breakdown. */
  private boolean timing;

  TransactionClock(ConnectionSession session, long slowNanos, List<TransactionSink> sinks) {
    this.session = session;
    this.slowNanos = slowNanos;
    this.sinks = sinks;
    this.timing = alwaysTimed() || jfrRecording();
  }

  /** Measured whatever the application asks: the slow log or an exporter consumes every breakdown. */
  private boolean alwaysTimed() {
    return slowNanos > 0 || !sinks.isEmpty();
  }

  /**
   * Whether the run loop should read the clock for this call: only when the breakdown is
   * consumed (asked for through the connection, the slow log, or a JFR recording of the event),
   * so that an application that never looks pays nothing.
   */
  boolean timing() {
    return timing;
  }

  /** A flight recording enables the event (no JFR started in this JVM: false at once). */
  private static boolean jfrRecording() {
    return jdk.jfr.FlightRecorder.isInitialized() && new TransactionEvent().isEnabled();
  }

  /** The connection was just borrowed from a pool after waiting {@code nanos}. */
  void poolWaited(long nanos) {
    pendingPoolWait = nanos;
  }

  /** A call of the application starts: {@code sql}, or {@code null} for an API call (commit, ...). */
  void callStarting(long now, SqlInfo sql) {
    callStart = now;
    callTimed = true;
    oracleAtCallStart = oracleNanos();
    callSql = sql;
    if (open) {
      if (branchEndedAt != 0) {
        // an XA branch ended: the application's time until then, the transaction manager's since
        long from = Math.max(branchEndedAt, lastCallEnd);
        application += Math.max(0, branchEndedAt - lastCallEnd);
        coordination += now - from;
        branchEndedAt = 0;
      } else {
        application += now - lastCallEnd;
      }
      noteStatement(sql);
    }
  }

  /** When the open XA branch ended (its transaction manager's turn), or 0. */
  private long branchEndedAt;
  private long coordination;
  private long lastCoordination;

  /** The open transaction is an XA branch that just ended: until its next call, the time is coordination. */
  void branchEnded(long now) {
    if (open && timing) {
      branchEndedAt = now;
    }
  }

  private void noteStatement(SqlInfo sql) {
    if (sql == null || slowNanos == 0 || statementCount == MAX_SHAPES) {
      return;
    }
    for (int i = 0; i < statementCount; i++) {
      if (statements[i] == sql) {
        return;
      }
    }
    statements[statementCount++] = sql;
  }

  /** The server (and the network) took {@code nanos} of the call, timestamps excluded. */
  void server(long nanos) {
    if (open) {
      server += nanos;
      if (openId == null && session.timestamps != null) {
        openId = session.timestamps.transactionId(); // taken while the transaction is open, whatever the listeners' order
      }
    }
  }

  /** The open transaction's logical id, once seen. */
  private java.util.UUID openId;

  /** Transparent retry took {@code nanos}: rollback, backoff and replay. */
  void retry(long nanos) {
    if (open) {
      retry += nanos;
    }
  }

  /** The call returned to the application (or threw). */
  void callEnded(long now) {
    lastCallEnd = now;
    callTimed = false;
  }

  /**
   * A call that was not timed when it started (nobody measured then) began a transaction that is
   * measured (a flight recording started meanwhile): its time from the BEGIN on counts as server
   * time, and the transaction is measured from its next call on.
   */
  void untimedCallEnded(long now) {
    if (open) {
      server += now - begunAt;
    }
    lastCallEnd = now;
  }

  /** Whether the current call's start was read ({@link #callStarting}). */
  private boolean callTimed;

  /**
   * The last finished transaction's breakdown, or {@code null} before the first measured one;
   * from this call on every transaction is measured.
   */
  TransactionBreakdown requested() {
    requested = true;
    timing = true;
    return last();
  }

  private TransactionBreakdown last() {
    if (lastNumber < 0) {
      return null;
    }
    return new TransactionBreakdown(lastFromTimestamps ? lastId.toString() : "#" + lastNumber, lastTotal, lastPoolWait,
        lastServer, lastOracle, lastCoordination,
        lastRetry, lastApplication, lastDriver, lastAttempts);
  }

  @Override
  public void beforeBegin(Transaction tx) {
    if (tx.isReplay() && open) {
      return; // the same logical transaction runs again
    }
    timing = requested || alwaysTimed() || jfrRecording();
    if (!timing) {
      open = false;
      pendingPoolWait = 0; // belonged to this transaction, which nobody measures
      return;
    }
    open = true;
    openId = null;
    poolWait = pendingPoolWait;
    pendingPoolWait = 0;
    begunAt = callTimed ? callStart : System.nanoTime();
    server = 0;
    application = 0;
    coordination = 0;
    branchEndedAt = 0;
    retry = 0;
    oracleAtOpen = oracleAtCallStart;
    replaysAtOpen = session.retry.replaysSoFar();
    java.util.Arrays.fill(statements, 0, statementCount, null);
    statementCount = 0;
    noteStatement(callSql);
  }

  @Override
  public void afterCommit(Transaction tx) {
    close(tx, true);
  }

  @Override
  public void afterRollback(Transaction tx) {
    close(tx, false);
  }

  @Override
  public void afterPrepare(Transaction tx) {
    close(tx, true);
  }

  @Override
  public void afterInterrupted(Transaction tx) {
    // rolled back for a retry or lost with its connection: the replay continues it, or the next
    // transaction's BEGIN starts a new measurement
  }

  private void close(Transaction tx, boolean committed) {
    if (!open) {
      return;
    }
    open = false;
    long total = System.nanoTime() - begunAt + poolWait;
    long oracle = oracleNanos() - oracleAtOpen;
    lastAttempts = 1 + (int) (session.retry.replaysSoFar() - replaysAtOpen);
    lastTotal = total;
    lastServer = server;
    lastPoolWait = poolWait;
    lastOracle = oracle;
    lastRetry = retry;
    lastApplication = application;
    lastCoordination = coordination;
    lastDriver = Math.max(0, total - poolWait - server - application - retry - oracle - coordination);
    lastNumber = tx.number();
    lastFromTimestamps = openId != null;
    lastId = openId;
    TransactionEvent event = new TransactionEvent();
    if (event.shouldCommit()) {
      event.transactionId = lastFromTimestamps ? lastId.toString() : "#" + lastNumber;
      event.total = total;
      event.server = lastServer;
      event.poolWait = lastPoolWait;
      event.oracle = lastOracle;
      event.coordination = lastCoordination;
      event.retry = lastRetry;
      event.application = lastApplication;
      event.driver = lastDriver;
      event.attempts = lastAttempts;
      event.commit();
    }
    if (!sinks.isEmpty()) {
      TransactionBreakdown breakdown = last();
      TransactionSink.ServerEndpoint where = endpoint();
      for (TransactionSink sink : sinks) {
        sink.ended(breakdown, committed, where);
      }
    }
    if (slowNanos > 0 && total > slowNanos) {
      SLOW.warn("slow {}; statements: {}", last(), shapes());
    }
  }

  /** The open transaction's distinct statements, literals hidden. */
  private String shapes() {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < statementCount; i++) {
      out.append(i == 0 ? "" : " | ").append(statements[i].shape());
    }
    return statementCount == MAX_SHAPES ? out.append(" | ...").toString() : out.toString();
  }

  /** The server of the current physical connection, read once per connection. */
  private TransactionSink.ServerEndpoint endpoint() {
    org.postgresql.core.BaseConnection physical = session.physical;
    if (endpointOf != physical) {
      org.postgresql.util.HostSpec host = physical.getQueryExecutor().getHostSpec();
      endpoint = new TransactionSink.ServerEndpoint(physical.getQueryExecutor().getDatabase(), host.getHost(),
          host.getPort());
      endpointOf = physical;
    }
    return endpoint;
  }

  private long oracleNanos() {
    return session.timestamps == null ? 0 : session.timestamps.oracleNanos();
  }
}
