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
 * <p>Not thread safe: like pgjdbc's connection it serves one thread at a time.
 */
public final class TransactionTracker {
  private static final Logger LOG = LoggerFactory.getLogger(TransactionTracker.class);
  private static final SqlStatement COMMIT = synthetic(StatementKind.COMMIT, null);
  private static final SqlStatement ROLLBACK = synthetic(StatementKind.ROLLBACK, null);

  private final BaseConnection server;
  private final List<TransactionListener> listeners = new ArrayList<>();
  private final SessionCharacteristics session = new SessionCharacteristics();
  private State state = State.IDLE;
  private Cause cause = Cause.NEW_CONNECTION;
  private Transaction current;
  private long lastNumber;
  private boolean autoCommit;
  private long mispredictions;

  private PendingCall pending;
  private boolean plainStatementPending;

  /** What the tracker expects of the call in flight. */
  private static final class PendingCall {
    final List<SqlStatement> statements;
    final boolean implicitBegin;
    final Cause endCause;
    final Map<Long, Transaction> begun = new HashMap<>();
    Simulation predicted;

    PendingCall(List<SqlStatement> statements, boolean implicitBegin, Cause endCause) {
      this.statements = statements;
      this.implicitBegin = implicitBegin;
      this.endCause = endCause;
    }
  }

  public TransactionTracker(BaseConnection server) throws SQLException {
    this.server = server;
    this.autoCommit = server.getAutoCommit();
    this.session.connectionReadOnly = server.isReadOnly();
  }

  public void addListener(TransactionListener listener) {
    listeners.add(listener);
  }

  public TransactionStatus status() {
    return new TransactionStatus(state, cause, lastNumber);
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
    adoptServerStateIfChanged();
    if (!sql.hasTransactionControl() && (autoCommit || state != State.IDLE)) {
      // Cannot cross a boundary: the common case, settled without simulating.
      pending = null;
      plainStatementPending = true;
      return;
    }
    begin(sql.statements(), !autoCommit, null);
  }

  /** SQL run by pgjdbc's {@code execSQLUpdate/execSQLQuery}: no implicit BEGIN is sent. */
  public void beforeInternalStatement(SqlInfo sql) throws SQLException {
    begin(sql.statements(), false, null);
  }

  /** {@code Connection.commit()}: pgjdbc sends COMMIT only with autocommit off and a transaction open. */
  public void beforeCommit() throws SQLException {
    begin(autoCommit || state == State.IDLE ? List.of() : List.of(COMMIT), false, Cause.API_COMMIT);
  }

  /** {@code Connection.rollback()}. */
  public void beforeRollback() throws SQLException {
    begin(autoCommit || state == State.IDLE ? List.of() : List.of(ROLLBACK), false, Cause.API_ROLLBACK);
  }

  /** {@code setAutoCommit(on)}: turning it on commits an open transaction first. */
  public void beforeSetAutoCommit(boolean on) throws SQLException {
    boolean commits = on && !autoCommit && state != State.IDLE;
    begin(commits ? List.of(COMMIT) : List.of(), false, Cause.AUTOCOMMIT_ENABLED);
  }

  /** {@code setSavepoint}: pgjdbc runs {@code SAVEPOINT} as a statement, so BEGIN may precede it. */
  public void beforeSetSavepoint(String foldedName) throws SQLException {
    begin(autoCommit ? List.of() : List.of(synthetic(StatementKind.SAVEPOINT, foldedName)), !autoCommit, null);
  }

  /** pgjdbc chose the name of the savepoint just set (unnamed savepoints are numbered by pgjdbc). */
  public void savepointNamed(String foldedName) {
    if (current != null) {
      current.nameLastSavepoint(foldedName);
    }
  }

  /** {@code rollback(Savepoint)} / {@code releaseSavepoint}: sent without an implicit BEGIN. */
  public void beforeSavepointCommand(StatementKind kind, String foldedName) throws SQLException {
    begin(List.of(synthetic(kind, foldedName)), false, null);
  }

  /** A call that sends nothing the tracker classifies but may change the state (COPY, large objects). */
  public void beforeUnclassified() throws SQLException {
    begin(List.of(), false, null);
  }

  // ---- outcome ------------------------------------------------------------------------------

  /** The announced call returned ({@code error == null}) or threw {@code error}. */
  public void afterCall(SQLException error) {
    if (plainStatementPending) {
      plainStatementPending = false;
      afterPlainStatement(error);
      return;
    }
    PendingCall call = pending;
    pending = null;
    if (call == null) {
      return;
    }
    TransactionState reported = server.getTransactionState();
    Simulation outcome;
    if (error == null) {
      outcome = call.predicted;
    } else {
      outcome = chooseFailureOutcome(call, error, reported);
    }
    if (outcome == null || toState(reported) != outcome.state) {
      if (call.statements.isEmpty() && !call.implicitBegin) {
        LOG.debug("transaction state changed outside classified SQL: {} -> {}", state, reported);
      } else {
        mispredictions++;
        LOG.warn("transaction state prediction missed: expected {}, server reports {} after {}",
            outcome == null ? "?" : outcome.state, reported, call.statements);
      }
      adoptServerState(reported);
      return;
    }
    apply(call, outcome, error);
  }

  /** Settles a statement without transaction control: only a failure can change the state. */
  private void afterPlainStatement(SQLException error) {
    State reported = toState(server.getTransactionState());
    State expected = state;
    if (error != null && state == State.ACTIVE && isServerError(error)) {
      expected = reported == State.ACTIVE && autosave() ? State.ACTIVE : State.FAILED;
    }
    if (reported != expected) {
      mispredictions++;
      LOG.warn("transaction state prediction missed: expected {}, server reports {} after a plain statement",
          expected, reported);
      adoptServerState(server.getTransactionState());
      return;
    }
    if (state == State.IDLE) {
      cause = Cause.AUTOCOMMIT_STATEMENT;
    } else if (expected != state) {
      Snapshot abortPoint = current.abortPoint();
      session.restore(abortPoint.session());
      current.restore(abortPoint);
      state = expected;
      cause = Cause.STATEMENT_FAILED;
    }
  }

  /** {@code setAutoCommit} succeeded. */
  public void autoCommitChanged(boolean on) {
    autoCommit = on;
  }

  /** {@code setTransactionIsolation} succeeded (it sets the session default). */
  public void isolationChanged(Isolation level) {
    session.isolation = level;
  }

  /** {@code setReadOnly} succeeded. */
  public void readOnlyChanged(boolean readOnly) {
    session.connectionReadOnly = readOnly;
  }

  /** The connection was closed: the server rolls back whatever was open. */
  public void closed() {
    if (current != null) {
      Transaction lost = current;
      current = null;
      fire(new Simulation.Event(Simulation.Event.Kind.ROLLED_BACK, lost));
    }
    state = State.IDLE;
    cause = Cause.CONNECTION_CLOSED;
  }

  // ---- internals ------------------------------------------------------------------------------

  private void begin(List<SqlStatement> statements, boolean implicitBeginPossible, Cause endCause)
      throws SQLException {
    plainStatementPending = false;
    adoptServerStateIfChanged();
    boolean implicitBegin = implicitBeginPossible && state == State.IDLE && !statements.isEmpty();
    PendingCall call = new PendingCall(statements, implicitBegin, endCause);
    call.predicted = simulate(call, statements.size(), null);
    pending = call;
    for (Simulation.Event e : call.predicted.events) {
      Transaction real = realTransaction(call, e.tx());
      try {
        if (e.kind() == Simulation.Event.Kind.BEGIN) {
          for (TransactionListener l : listeners) {
            l.beforeBegin(real);
          }
        } else if (e.kind() == Simulation.Event.Kind.COMMIT_REQUESTED) {
          for (TransactionListener l : listeners) {
            l.beforeCommit(real);
          }
        }
      } catch (SQLException | RuntimeException ex) {
        pending = null;
        throw ex;
      }
    }
  }

  /**
   * Simulates the call with statements {@code [0, succeeded)} succeeding and, if
   * {@code failed} is not null, statement {@code succeeded} failing.
   */
  private Simulation simulate(PendingCall call, int succeeded, SqlStatement failed) {
    Simulation sim = new Simulation(state, cause, current, lastNumber, session,
        (number, why, chainedFrom, characteristics, statement) ->
            call.begun.computeIfAbsent(number, n -> newTransaction(n, why, chainedFrom, characteristics, statement)));
    if (call.implicitBegin) {
      sim.implicitBegin();
    }
    for (int i = 0; i < succeeded; i++) {
      sim.succeed(call.statements.get(i), call.endCause);
    }
    return sim;
  }

  private Transaction newTransaction(long number, Cause why, Transaction chainedFrom,
      SessionCharacteristics characteristics, SqlStatement statement) {
    if (chainedFrom != null) {
      return new Transaction(number, why, chainedFrom.isolation(), chainedFrom.readOnly());
    }
    Boolean readOnly = characteristics.readOnly;
    if (why == Cause.IMPLICIT_BEGIN && characteristics.connectionReadOnly) {
      readOnly = Boolean.TRUE;
    }
    Transaction tx = new Transaction(number, why, characteristics.isolation, readOnly);
    if (statement != null) {
      tx.setCharacteristics(statement.isolation(), statement.readOnly());
    }
    return tx;
  }

  private Simulation chooseFailureOutcome(PendingCall call, SQLException error, TransactionState reported) {
    State wanted = toState(reported);
    List<Simulation> candidates = new ArrayList<>();
    if (!isServerError(error)) {
      // pgjdbc refused the call before sending it, the connection broke, or pgjdbc complained
      // about a result after the server had run everything (e.g. 0100E from executeUpdate).
      candidates.add(new Simulation(state, cause, current, lastNumber, session, (n, w, c, s, st) -> null));
      candidates.add(call.predicted);
    }
    boolean autosave = autosave();
    for (int k = call.statements.size() - 1; k >= 0; k--) {
      Simulation sim = simulate(call, k, null);
      Simulation alternative = sim.fail(call.statements.get(k), autosave);
      candidates.add(sim);
      if (alternative != null) {
        candidates.add(alternative);
      }
    }
    if (call.statements.isEmpty() && call.implicitBegin) {
      candidates.add(simulate(call, 0, null));
    }
    for (Simulation candidate : candidates) {
      if (candidate.state == wanted) {
        return candidate;
      }
    }
    return null;
  }

  private boolean autosave() {
    try {
      return server.getAutosave() != AutoSave.NEVER;
    } catch (RuntimeException e) {
      return false;
    }
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

  private void apply(PendingCall call, Simulation outcome, SQLException error) {
    session.isolation = outcome.session().isolation;
    session.readOnly = outcome.session().readOnly;
    lastNumber = Math.max(lastNumber, outcome.lastNumber);
    state = outcome.state;
    cause = outcome.cause;
    current = outcome.tx == null ? null : realTransaction(call, outcome.tx);
    if (current != null) {
      current.syncFrom(outcome.tx);
    }
    for (Simulation.Event e : outcome.events) {
      fire(new Simulation.Event(e.kind(), realTransaction(call, e.tx())));
    }
    if (LOG.isTraceEnabled()) {
      LOG.trace("transaction state {} ({}){}", state, cause, error == null ? "" : " after " + error.getSQLState());
    }
  }

  private Transaction realTransaction(PendingCall call, Transaction simulated) {
    if (current != null && current.number() == simulated.number()) {
      return current;
    }
    Transaction real = call.begun.get(simulated.number());
    return real != null ? real : simulated;
  }

  private void fire(Simulation.Event e) {
    for (TransactionListener l : listeners) {
      try {
        switch (e.kind()) {
          case COMMITTED: l.afterCommit(e.tx()); break;
          case ROLLED_BACK: l.afterRollback(e.tx()); break;
          case PREPARED: l.afterPrepare(e.tx()); break;
          default: break;
        }
      } catch (RuntimeException ex) {
        LOG.warn("transaction listener {} failed on {}", l, e.kind(), ex);
      }
    }
  }

  private void adoptServerStateIfChanged() {
    State reported = toState(server.getTransactionState());
    if (reported != state) {
      adoptServerState(server.getTransactionState());
    }
  }

  private void adoptServerState(TransactionState reported) {
    State now = toState(reported);
    if (now == State.IDLE && current != null) {
      fire(new Simulation.Event(Simulation.Event.Kind.ROLLED_BACK, current));
      current = null;
    } else if (now != State.IDLE && current == null) {
      current = new Transaction(++lastNumber, Cause.OBSERVED, session.isolation, session.readOnly);
    }
    state = now;
    cause = Cause.OBSERVED;
  }

  private static State toState(TransactionState s) {
    switch (s) {
      case OPEN: return State.ACTIVE;
      case FAILED: return State.FAILED;
      default: return State.IDLE;
    }
  }

  private static SqlStatement synthetic(StatementKind kind, String name) {
    return new SqlStatement(kind, name, null, null, false, 0, 0);
  }
}
