package io.lsem.jdbc.tx;

import io.lsem.jdbc.TransactionStatus;
import io.lsem.jdbc.TransactionStatus.Cause;
import io.lsem.jdbc.TransactionStatus.State;
import io.lsem.jdbc.sql.Isolation;
import io.lsem.jdbc.sql.SqlInfo;
import io.lsem.jdbc.sql.SqlStatement;
import io.lsem.jdbc.sql.StatementKind;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.TransactionState;
import org.postgresql.jdbc.AutoSave;
import org.postgresql.util.PSQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The L1 transaction state machine of one connection. Before each call that may cross a
 * transaction boundary the wrapper announces it ({@code before…}); the tracker predicts the
 * boundaries from the classified SQL and PostgreSQL's rules, tells the listeners what is about
 * to begin or commit, and after the call ({@link #afterCall}) settles the outcome. The server's
 * own report (pgjdbc's transaction state, updated by every ReadyForQuery) is the referee: when a
 * failed call leaves several possible outcomes, the one the server confirms is taken, and a
 * prediction the server contradicts is counted in {@link #mispredictions()} and corrected.
 *
 * <p>Ends are reported as distinct events: ended by the transaction's own boundary (committed,
 * rolled back, prepared), or interrupted ({@link TransactionListener#afterInterrupted}: its
 * COMMIT failed, transparent retry rolled it back, its connection was lost). A failed call that
 * ended a transaction inside itself says so ({@link #endedInsideFailedCall()}), and a transaction
 * begun during a replay says it is one ({@link Transaction#isReplay()}).
 *
 * <p>The common calls — a statement without transaction control, the first statement of a
 * transaction with autocommit off, {@code commit()} of a healthy transaction — are settled
 * directly; everything else is worked out by a {@link Simulation}.
 *
 * <p>Not thread safe: like pgjdbc's connection it serves one thread at a time.
 */
public final class TransactionTracker {
  private static final Logger LOG = LoggerFactory.getLogger(TransactionTracker.class);
  private static final SqlStatement COMMIT = synthetic(StatementKind.COMMIT, null);
  private static final SqlStatement ROLLBACK = synthetic(StatementKind.ROLLBACK, null);

  private BaseConnection server;
  private final List<TransactionListener> listeners = new ArrayList<>();
  private SessionCharacteristics session;
  private State state = State.IDLE;
  private Cause cause = Cause.NEW_CONNECTION;
  private Transaction current;
  private long lastNumber;
  private boolean autoCommit;
  private long mispredictions;

  /** What kind of call is in flight, between a {@code before…} and {@link #afterCall}. */
  private enum Pending { NONE, PLAIN_STATEMENT, IMPLICIT_BEGIN, COMMIT, SIMULATED }

  private Pending pending = Pending.NONE;
  private boolean commitAnnounced;
  /** The call in flight runs SQL that may write. */
  private boolean writesPending;
  private Transaction beginning;
  private Cause commitCause;
  private SimulatedCall simulated;
  /** The call in flight runs {@code CALL} or {@code DO} outside a transaction block (it may commit by itself). */
  private boolean routineOutsideBlock;
  /** Why the call that failed last must not be made again, or {@code null}: see {@link #endedInsideFailedCall()}. */
  private String endedInside;
  /**
   * The batch in flight goes out as several messages, each of which the server runs (and, outside
   * a transaction, commits) on its own: in simple query mode every entry; in extended mode pgjdbc
   * adds a Sync every few hundred entries ({@link #BATCH_SYNC_SAFE} entries never need one).
   */
  private boolean batchInSeveralMessages;
  /** Entries of an extended-mode batch that pgjdbc always sends before one Sync (it syncs at ~64 kB of replies, 250 bytes each). */
  static final int BATCH_SYNC_SAFE = 64;
  /** The call in flight rolls back so that the transaction can be replayed: its end is an interruption. */
  private boolean rollbackForRetry;
  /** The call in flight failed (while it is settled). */
  private boolean callFailed;
  /** Transparent retry is replaying: transactions that begin now are replays ({@link Transaction#isReplay()}). */
  private boolean replaying;

  /** A call worked out by simulation: its statements and the transactions it may begin. */
  private static final class SimulatedCall {
    final List<SqlStatement> statements;
    final boolean implicitBegin;
    final Cause endCause;
    final Map<Long, Transaction> begun = new HashMap<>();
    Simulation predicted;
    /** Each statement is a message of its own (a batch in simple query mode): the server goes on after an error. */
    boolean continuesAfterError;

    SimulatedCall(List<SqlStatement> statements, boolean implicitBegin, Cause endCause) {
      this.statements = statements;
      this.implicitBegin = implicitBegin;
      this.endCause = endCause;
    }
  }

  public TransactionTracker(BaseConnection server) throws SQLException {
    this.server = server;
    this.autoCommit = server.getAutoCommit();
    this.session = SessionCharacteristics.SERVER_DEFAULTS.withConnectionReadOnly(server.isReadOnly());
  }

  public void addListener(TransactionListener listener) {
    listeners.add(listener);
  }

  /** The current state; first adopts a change the server reported after an unclassified call (COPY). */
  public TransactionStatus status() {
    if (pending == Pending.NONE) {
      adoptServerStateIfChanged();
    }
    return new TransactionStatus(state, cause, lastNumber);
  }

  /**
   * Takes over a state the server reached by a path that bypasses the statements (pgjdbc's
   * implicit BEGIN before a COPY, say). A field read when nothing changed.
   */
  public void refresh() {
    if (pending == Pending.NONE) {
      adoptServerStateIfChanged();
    }
  }

  /** The number of the newest transaction the connection began (0 before the first); no side effect. */
  public long lastTransactionNumber() {
    return lastNumber;
  }

  /** The open transaction, or {@code null} when idle. */
  public Transaction current() {
    return current;
  }

  public boolean autoCommit() {
    return autoCommit;
  }

  /**
   * How many times the server's report contradicted the tracker's prediction for a call it
   * classified. Zero unless the classifier is wrong; tests hold it to zero.
   */
  public long mispredictions() {
    return mispredictions;
  }

  // ---- announcements, one per kind of call -------------------------------------------------

  /** A statement (or several, or a batch) is about to be executed through a JDBC statement. */
  public void beforeStatement(SqlInfo sql) throws SQLException {
    newCall();
    writesPending = !sql.isReadOnly();
    adoptServerStateIfChanged();
    routineOutsideBlock = autoCommit && state == State.IDLE && runsRoutine(sql);
    if (sql.hasTransactionControl()) {
      simulate(sql.statements(), !autoCommit, null);
    } else if (autoCommit || state != State.IDLE) {
      pending = Pending.PLAIN_STATEMENT;
    } else if (sql.statements().isEmpty()) {
      pending = Pending.NONE;
    } else {
      Transaction tx = newTransaction(lastNumber + 1, Cause.IMPLICIT_BEGIN, null, session, null);
      tx.began(session, null);
      announce(tx, true);
      beginning = tx;
      pending = Pending.IMPLICIT_BEGIN;
    }
  }

  /**
   * A batch of {@code entries} statements, classified together as {@code sql}, is about to be
   * executed. When it goes out as several messages — each entry in simple query mode, or a long
   * batch in extended mode — and no transaction holds them together (autocommit, or transaction
   * control among them), entries before a failing one may have committed, and entries after it
   * may have run: a failed batch then is never made again.
   */
  public void beforeBatch(SqlInfo sql, int entries) throws SQLException {
    beforeStatement(sql);
    boolean autoCommitIdle = autoCommit && state == State.IDLE;
    boolean simple = server.getQueryExecutor().getPreferQueryMode() == org.postgresql.jdbc.PreferQueryMode.SIMPLE;
    batchInSeveralMessages = entries > 1 && (simple ? autoCommitIdle || sql.hasTransactionControl()
        : entries > BATCH_SYNC_SAFE && (autoCommitIdle || sql.hasTransactionControl()));
    if (simple && simulated != null) {
      simulated.continuesAfterError = true;
    }
  }

  /** SQL run by pgjdbc's {@code execSQLUpdate/execSQLQuery}: no implicit BEGIN is sent. */
  public void beforeInternalStatement(SqlInfo sql) throws SQLException {
    newCall();
    writesPending = !sql.isReadOnly();
    adoptServerStateIfChanged();
    if (sql.hasTransactionControl()) {
      simulate(sql.statements(), false, null);
    } else {
      pending = Pending.PLAIN_STATEMENT;
    }
  }

  /** {@code Connection.commit()}: pgjdbc sends COMMIT only with autocommit off and a transaction open. */
  public void beforeCommit() throws SQLException {
    commitOrRollback(!autoCommit, COMMIT, Cause.API_COMMIT);
  }

  /** {@code Connection.rollback()}. */
  public void beforeRollback() throws SQLException {
    commitOrRollback(!autoCommit, ROLLBACK, Cause.API_ROLLBACK);
  }

  /**
   * Transparent retry rolls the open transaction back to replay it: with {@code sql} (a
   * {@code ROLLBACK} statement) under autocommit, else through {@code Connection.rollback()}.
   * Listeners hear {@link TransactionListener#afterInterrupted}, not a rollback.
   */
  public void beforeRollbackForRetry(SqlInfo sql) throws SQLException {
    if (sql != null) {
      beforeInternalStatement(sql);
    } else {
      beforeRollback();
    }
    rollbackForRetry = true;
  }

  /** Transparent retry starts ({@code true}) or ends a replay: transactions begun meanwhile are replays. */
  public void replaying(boolean on) {
    replaying = on;
  }

  /** {@code setAutoCommit(on)}: turning it on commits an open transaction first. */
  public void beforeSetAutoCommit(boolean on) throws SQLException {
    commitOrRollback(on && !autoCommit, COMMIT, Cause.AUTOCOMMIT_ENABLED);
  }

  private void commitOrRollback(boolean sends, SqlStatement statement, Cause why) throws SQLException {
    newCall();
    adoptServerStateIfChanged();
    if (!sends || state == State.IDLE) {
      pending = Pending.NONE;
    } else if (statement == COMMIT && state == State.ACTIVE) {
      announce(current, false);
      commitCause = why;
      commitAnnounced = true;
      pending = Pending.COMMIT;
    } else {
      simulate(List.of(statement), false, why);
    }
  }

  /** {@code setSavepoint}: pgjdbc runs {@code SAVEPOINT} as a statement, so BEGIN may precede it. */
  public void beforeSetSavepoint() throws SQLException {
    newCall();
    adoptServerStateIfChanged();
    if (autoCommit) {
      pending = Pending.NONE; // pgjdbc refuses before sending anything
    } else {
      simulate(List.of(synthetic(StatementKind.SAVEPOINT, null)), true, null);
    }
  }

  /** pgjdbc chose the name of the savepoint just set (unnamed savepoints are numbered by pgjdbc). */
  public void savepointNamed(String foldedName) {
    if (current != null) {
      current.nameLastSavepoint(foldedName);
    }
  }

  /** {@code rollback(Savepoint)} / {@code releaseSavepoint}: sent without an implicit BEGIN. */
  public void beforeSavepointCommand(StatementKind kind, String foldedName) throws SQLException {
    newCall();
    adoptServerStateIfChanged();
    simulate(List.of(synthetic(kind, foldedName)), false, null);
  }

  private void newCall() {
    commitAnnounced = false;
    routineOutsideBlock = false;
    rollbackForRetry = false;
    batchInSeveralMessages = false;
  }

  private static boolean runsRoutine(SqlInfo sql) {
    for (SqlStatement s : sql.statements()) {
      if (s.kind() == StatementKind.ROUTINE) {
        return true;
      }
    }
    return false;
  }

  // ---- outcome ------------------------------------------------------------------------------

  /** The announced call returned ({@code error == null}) or threw {@code error}. */
  public void afterCall(SQLException error) {
    Pending call = pending;
    pending = Pending.NONE;
    boolean wrote = writesPending;
    writesPending = false;
    endedInside = null;
    callFailed = error != null;
    try {
      settle(call, error);
      if (error != null && routineOutsideBlock && endedInside == null) {
        endedInside = "it ran CALL or DO outside a transaction block, where a procedure may have committed part of"
            + " its work before the error";
      }
      if (error != null && batchInSeveralMessages && endedInside == null) {
        endedInside = "the batch went out as several messages that the server ran and committed one by one, so"
            + " entries before the failing one may have committed";
      }
    } finally {
      routineOutsideBlock = false;
      batchInSeveralMessages = false;
      rollbackForRetry = false;
      callFailed = false;
      if (wrote && current != null) {
        current.markWrote();
      }
    }
  }

  /**
   * Why the call that failed last must not be made again, or {@code null} when it may be: a
   * transaction (or autocommit's implicit block) ended inside it before the error — a COMMIT,
   * ROLLBACK or PREPARE TRANSACTION of the call itself that ran, as the server's reported state
   * confirms — or it ran a procedure that may commit by itself. What ended there is final: making
   * the call again would apply its committed part twice. When the server's report leaves several
   * failure points possible and one of them follows such a boundary, the boundary counts.
   */
  public String endedInsideFailedCall() {
    return endedInside;
  }

  private void settle(Pending call, SQLException error) {
    switch (call) {
      case PLAIN_STATEMENT:
        afterPlainStatement(error);
        break;
      case IMPLICIT_BEGIN:
        afterImplicitBegin(error);
        break;
      case COMMIT:
        afterCommit(error);
        break;
      case SIMULATED:
        afterSimulated(error);
        break;
      default:
        break;
    }
  }

  /** {@code setAutoCommit} succeeded. */
  public void autoCommitChanged(boolean on) {
    autoCommit = on;
  }

  /** {@code setTransactionIsolation} succeeded (it sets the session default). */
  public void isolationChanged(Isolation level) {
    session = session.with(level, null);
  }

  /** The session's transaction defaults were reset to the server's ({@code RESET default_transaction_…}). */
  public void transactionDefaultsReset() {
    session = SessionCharacteristics.SERVER_DEFAULTS.withConnectionReadOnly(session.connectionReadOnly());
  }

  /** {@code setReadOnly} succeeded. */
  public void readOnlyChanged(boolean readOnly) {
    session = session.withConnectionReadOnly(readOnly);
  }

  /**
   * The physical connection was lost and replaced by {@code fresh}: whatever was open on the old
   * one ended there (listeners hear it was interrupted; transparent retry may replay it).
   */
  public void rebind(BaseConnection fresh) {
    server = fresh;
    pending = Pending.NONE;
    if (current != null) {
      Transaction lost = current;
      current = null;
      fire(Simulation.Event.Kind.INTERRUPTED, lost);
    }
    state = serverState();
    cause = Cause.CONNECTION_REPLACED;
  }

  /** Whether the call in flight commits the open transaction (API or SQL COMMIT). */
  public boolean commitAnnounced() {
    return commitAnnounced;
  }

  /** The JDBC read-only flag of the connection (pgjdbc's {@code setReadOnly}). */
  public boolean connectionReadOnly() {
    return session.connectionReadOnly();
  }

  /** The connection was closed or aborted: the server rolls back whatever was open. */
  public void closed() {
    pending = Pending.NONE;
    if (current != null) {
      Transaction lost = current;
      current = null;
      fire(Simulation.Event.Kind.ROLLED_BACK, lost);
    }
    state = State.IDLE;
    cause = Cause.CONNECTION_CLOSED;
  }

  // ---- fast paths -----------------------------------------------------------------------------

  /** Settles a statement without transaction control: only a failure can change the state. */
  private void afterPlainStatement(SQLException error) {
    State reported = serverState();
    State expected = state;
    if (error != null && state == State.ACTIVE && isServerError(error)) {
      expected = reported == State.ACTIVE && autosave() ? State.ACTIVE : State.FAILED;
    }
    if (reported != expected) {
      mispredicted(expected, "a statement without transaction control");
      return;
    }
    if (state == State.IDLE) {
      cause = Cause.AUTOCOMMIT_STATEMENT;
    } else if (expected != state) {
      abort(current);
      state = State.FAILED;
      cause = Cause.STATEMENT_FAILED;
    }
  }

  /** Settles the first statement of a transaction that pgjdbc preceded with BEGIN. */
  private void afterImplicitBegin(SQLException error) {
    Transaction tx = beginning;
    beginning = null;
    State reported = serverState();
    boolean serverError = error != null && isServerError(error);
    boolean expected = error == null ? reported == State.ACTIVE
        : serverError ? reported == State.FAILED || reported == State.ACTIVE && autosave()
        : reported != State.FAILED; // refused before sending (IDLE), or ran and then complained (ACTIVE)
    if (!expected) {
      fire(Simulation.Event.Kind.ROLLED_BACK, tx);
      mispredicted(error == null ? State.ACTIVE : State.FAILED, "the first statement of a transaction");
      return;
    }
    if (reported == State.IDLE) {
      fire(Simulation.Event.Kind.ROLLED_BACK, tx); // announced, never begun
      return;
    }
    lastNumber = tx.number();
    current = tx;
    state = reported;
    cause = Cause.IMPLICIT_BEGIN;
    if (reported == State.FAILED) {
      abort(tx);
      cause = Cause.STATEMENT_FAILED;
    }
  }

  /** Settles COMMIT of a healthy transaction. */
  private void afterCommit(SQLException error) {
    State reported = serverState();
    if (reported == State.ACTIVE && error != null && !isServerError(error)) {
      return; // refused before sending, or the connection broke: nothing changed that we know of
    }
    if (reported != State.IDLE) {
      mispredicted(State.IDLE, "COMMIT");
      return;
    }
    Transaction tx = current;
    current = null;
    state = State.IDLE;
    if (error == null) {
      cause = commitCause;
      fire(Simulation.Event.Kind.COMMITTED, tx);
    } else {
      session = session.restoredFrom(tx.atBegin().session());
      cause = Cause.COMMIT_FAILED;
      fire(Simulation.Event.Kind.INTERRUPTED, tx);
    }
  }

  /** The open transaction aborted: SETs since its abort point are undone. */
  private void abort(Transaction tx) {
    Snapshot abortPoint = tx.abortPoint();
    session = session.restoredFrom(abortPoint.session());
    tx.restore(abortPoint);
  }

  private void announce(Transaction tx, boolean begin) throws SQLException {
    for (TransactionListener l : listeners) {
      if (begin) {
        l.beforeBegin(tx);
      } else {
        l.beforeCommit(tx);
      }
    }
  }

  // ---- simulated calls --------------------------------------------------------------------------

  private void simulate(List<SqlStatement> statements, boolean implicitBeginPossible, Cause endCause)
      throws SQLException {
    boolean implicitBegin = implicitBeginPossible && state == State.IDLE && !statements.isEmpty();
    SimulatedCall call = new SimulatedCall(statements, implicitBegin, endCause);
    call.predicted = simulate(call, statements.size());
    for (Simulation.Event e : call.predicted.events) {
      commitAnnounced |= e.kind() == Simulation.Event.Kind.COMMIT_REQUESTED;
      if (e.kind() == Simulation.Event.Kind.BEGIN || e.kind() == Simulation.Event.Kind.COMMIT_REQUESTED) {
        announce(realTransaction(call, e.tx()), e.kind() == Simulation.Event.Kind.BEGIN);
      }
    }
    simulated = call;
    pending = Pending.SIMULATED;
  }

  /** Simulates the call with statements {@code [0, succeeded)} succeeding. */
  private Simulation simulate(SimulatedCall call, int succeeded) {
    Simulation sim = new Simulation(state, cause, current, lastNumber, session,
        (number, why, chainedFrom, base, statement) ->
            call.begun.computeIfAbsent(number, n -> newTransaction(n, why, chainedFrom, base, statement)));
    if (call.implicitBegin) {
      sim.implicitBegin();
    }
    for (int i = 0; i < succeeded; i++) {
      sim.succeed(call.statements.get(i), call.endCause);
    }
    return sim;
  }

  private void afterSimulated(SQLException error) {
    SimulatedCall call = simulated;
    simulated = null;
    if (error != null && serverGone()) {
      // The connection broke: pgjdbc's last known state says nothing of how far the server got, so
      // no failure point is chosen from it. Whatever the call began is interrupted; the open
      // transaction stays current for the reconnection to report interrupted (and recovery to
      // replay or give up on). Any boundary in the text may have run before the break.
      endedInside = call.predicted.endsATransaction() ? "it may have ended a transaction before the connection was lost"
          : null;
      for (Transaction announced : call.begun.values()) {
        if (announced != current) {
          fire(Simulation.Event.Kind.INTERRUPTED, announced);
        }
      }
      LOG.debug("connection lost during {}; transaction state left to the reconnection", call.statements);
      return;
    }
    State reported = serverState();
    Simulation outcome = error == null ? call.predicted : chooseFailureOutcome(call, error, reported);
    if (error != null) {
      if (outcome == null || reported != outcome.state) {
        endedInside = call.predicted.boundaryCrossed ? "it may have ended a transaction before the error" : null;
      } else if (crossedBeforeFailure) {
        endedInside = "a transaction ended inside it before the error";
      }
    }
    if (outcome == null || reported != outcome.state) {
      for (Transaction announced : call.begun.values()) {
        if (announced != current) {
          fire(Simulation.Event.Kind.ROLLED_BACK, announced);
        }
      }
      mispredicted(outcome == null ? null : outcome.state, call.statements.toString());
      return;
    }
    session = outcome.session();
    lastNumber = Math.max(lastNumber, outcome.lastNumber);
    state = outcome.state;
    cause = outcome.cause;
    current = outcome.tx == null ? null : realTransaction(call, outcome.tx);
    if (current != null) {
      current.syncFrom(outcome.tx);
    }
    for (Simulation.Event e : outcome.events) {
      fire(e.kind(), realTransaction(call, e.tx()));
    }
  }

  private Simulation chooseFailureOutcome(SimulatedCall call, SQLException error, State wanted) {
    List<Simulation> candidates = new ArrayList<>();
    if (!isServerError(error)) {
      // pgjdbc refused the call before sending it, the connection broke, or pgjdbc complained
      // about a result after the server had run everything (e.g. 0100E from executeUpdate).
      candidates.add(new Simulation(state, cause, current, lastNumber, session, (n, w, c, b, st) -> null));
      candidates.add(call.predicted);
    }
    boolean autosave = autosave();
    for (int k = call.statements.size() - 1; k >= 0; k--) {
      Simulation sim = simulate(call, k);
      Simulation alternative = sim.fail(call.statements.get(k), autosave);
      if (call.continuesAfterError) {
        continueAfterError(call, k, sim);
        if (alternative != null) {
          continueAfterError(call, k, alternative);
        }
      }
      candidates.add(sim);
      if (alternative != null) {
        candidates.add(alternative);
      }
    }
    Simulation chosen = null;
    crossedBeforeFailure = false;
    for (Simulation candidate : candidates) {
      if (candidate.state == wanted) {
        chosen = chosen == null ? candidate : chosen;
        crossedBeforeFailure |= candidate.boundaryCrossed; // any failure point the server's report allows
      }
    }
    return chosen;
  }

  /**
   * The statements after the failed one {@code k}, each sent as a message of its own: in an
   * aborted transaction only its end (or a rollback to a savepoint) runs, the rest is refused;
   * outside one they run.
   */
  private static void continueAfterError(SimulatedCall call, int k, Simulation sim) {
    for (int j = k + 1; j < call.statements.size(); j++) {
      SqlStatement s = call.statements.get(j);
      StatementKind kind = s.kind();
      if (sim.state != State.FAILED || kind == StatementKind.COMMIT || kind == StatementKind.ROLLBACK
          || kind == StatementKind.ROLLBACK_TO_SAVEPOINT || kind == StatementKind.PREPARE_TRANSACTION) {
        sim.succeed(s, call.endCause);
      }
    }
  }

  /** Set by {@link #chooseFailureOutcome}: a possible failure point lies after a boundary of the call. */
  private boolean crossedBeforeFailure;

  private Transaction newTransaction(long number, Cause why, Transaction chainedFrom,
      SessionCharacteristics base, SqlStatement statement) {
    Transaction tx;
    if (chainedFrom != null) {
      tx = new Transaction(number, why, chainedFrom.isolation(), chainedFrom.readOnly());
    } else {
      Boolean readOnly = why == Cause.IMPLICIT_BEGIN && base.connectionReadOnly() ? Boolean.TRUE : base.readOnly();
      tx = new Transaction(number, why, base.isolation(), readOnly);
      if (statement != null) {
        tx.setCharacteristics(statement.isolation(), statement.readOnly());
      }
    }
    if (replaying) {
      tx.markReplay();
    }
    return tx;
  }

  private Transaction realTransaction(SimulatedCall call, Transaction simulatedTx) {
    if (current != null && current.number() == simulatedTx.number()) {
      return current;
    }
    Transaction real = call.begun.get(simulatedTx.number());
    return real != null ? real : simulatedTx;
  }

  // ---- shared ---------------------------------------------------------------------------------

  private void fire(Simulation.Event.Kind kind, Transaction tx) {
    for (TransactionListener l : listeners) {
      try {
        switch (kind) {
          case COMMITTED: l.afterCommit(tx); break;
          case ROLLED_BACK:
            if (rollbackForRetry) {
              l.afterInterrupted(tx);
            } else {
              l.afterRollback(tx);
            }
            break;
          case INTERRUPTED: l.afterInterrupted(tx); break;
          case PREPARED: l.afterPrepare(tx); break;
          default: break;
        }
      } catch (RuntimeException ex) {
        LOG.warn("transaction listener {} failed on {}", l, kind, ex);
      }
    }
  }

  private void mispredicted(State expected, String what) {
    if (serverGone()) {
      // the connection broke: pgjdbc's last known state means nothing (a reconnection rebinds and
      // reports the lost transaction as interrupted)
      LOG.debug("connection lost after {}; transaction state left to the reconnection", what);
      return;
    }
    mispredictions++;
    LOG.warn("transaction state prediction missed: expected {}, server reports {} after {}",
        expected == null ? "?" : expected, serverState(), what);
    if (callFailed && endedInside == null) {
      // what the failed call did to the transaction is not known: it is not made again
      endedInside = "the server's transaction state after it contradicted the driver's prediction";
    }
    adoptServerState(serverState());
  }

  private boolean serverGone() {
    try {
      return server.isClosed();
    } catch (SQLException e) {
      return true;
    }
  }

  private void adoptServerStateIfChanged() {
    State reported = serverState();
    if (reported != state) {
      LOG.debug("transaction state changed outside classified calls: {} -> {}", state, reported);
      adoptServerState(reported);
    }
  }

  private void adoptServerState(State now) {
    if (now == State.IDLE && current != null) {
      fire(Simulation.Event.Kind.ROLLED_BACK, current);
      current = null;
    } else if (now != State.IDLE && current == null) {
      current = new Transaction(++lastNumber, Cause.OBSERVED, session.isolation(), session.readOnly());
      current.began(session, null);
      if (replaying) {
        current.markReplay();
      }
    }
    state = now;
    cause = Cause.OBSERVED;
  }

  private State serverState() {
    TransactionState s = server.getTransactionState();
    return s == TransactionState.OPEN ? State.ACTIVE : s == TransactionState.FAILED ? State.FAILED : State.IDLE;
  }

  private boolean autosave() {
    return server.getAutosave() != AutoSave.NEVER;
  }

  private static boolean isServerError(SQLException error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof PSQLException && ((PSQLException) t).getServerErrorMessage() != null) {
        return true;
      }
      if (t instanceof SQLException && ((SQLException) t).getNextException() != null
          && isServerError(((SQLException) t).getNextException())) {
        return true;
      }
    }
    return false;
  }

  private static SqlStatement synthetic(StatementKind kind, String name) {
    return new SqlStatement(kind, name, null, null, false, false, 0, 0);
  }
}
