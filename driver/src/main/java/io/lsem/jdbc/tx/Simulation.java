package io.lsem.jdbc.tx;

import io.lsem.jdbc.TransactionStatus.Cause;
import io.lsem.jdbc.TransactionStatus.State;
import io.lsem.jdbc.sql.SqlStatement;
import io.lsem.jdbc.sql.StatementKind;
import java.util.ArrayList;
import java.util.List;

/**
 * Replays, on copies, what a call will do to the transaction state: the implicit BEGIN pgjdbc
 * sends, then each statement's success or failure, following PostgreSQL's rules. The tracker
 * runs it before a call (to announce boundaries) and, after a failed call, once per possible
 * failure point (to pick the outcome that matches the server's report).
 */
final class Simulation {
  /** A boundary the simulated call crosses, in order. */
  record Event(Kind kind, Transaction tx) {
    /** {@code INTERRUPTED}: ended by the failure of its COMMIT (see {@link TransactionListener#afterInterrupted}). */
    enum Kind { BEGIN, COMMIT_REQUESTED, COMMITTED, ROLLED_BACK, INTERRUPTED, PREPARED }
  }

  State state;
  Cause cause;
  Transaction tx;
  long lastNumber;
  final List<Event> events = new ArrayList<>();
  /**
   * A statement of the call that succeeded ended a transaction, or the implicit block of
   * autocommit statements before it (a COMMIT there commits them), and a later statement of the
   * call ran or failed: what ran before the boundary is final, whatever happened after it.
   */
  boolean boundaryCrossed;
  /** The last statement simulated was such a boundary. */
  private boolean boundaryPending;

  /** Some statement simulated ended a transaction, whether or not another statement followed it. */
  boolean endsATransaction() {
    return boundaryCrossed || boundaryPending;
  }
  /** A statement succeeded in the current implicit (autocommit) block. */
  private boolean implicitWork;
  private SessionCharacteristics session;
  /** Session defaults at the start of the current implicit (autocommit) block: restored if it fails. */
  private SessionCharacteristics implicitBlockStart;
  private final TransactionFactory factory;

  /** Makes the transaction objects, so that every simulation of one call shares them. */
  interface TransactionFactory {
    Transaction begin(long number, Cause cause, Transaction chainedFrom, SessionCharacteristics session,
        SqlStatement begin);
  }

  Simulation(State state, Cause cause, Transaction tx, long lastNumber, SessionCharacteristics session,
      TransactionFactory factory) {
    this.state = state;
    this.cause = cause;
    this.tx = tx == null ? null : tx.copy();
    this.lastNumber = lastNumber;
    this.session = session;
    this.implicitBlockStart = session;
    this.factory = factory;
  }

  SessionCharacteristics session() {
    return session;
  }

  void implicitBegin() {
    begin(Cause.IMPLICIT_BEGIN, null, null);
  }

  private void begin(Cause why, Transaction chainedFrom, SqlStatement statement) {
    // A transaction starts from the defaults at the start of its block: for BEGIN inside a
    // multi-statement call, that is before any SET that preceded it in the same call.
    SessionCharacteristics base = chainedFrom == null ? implicitBlockStart : session;
    tx = factory.begin(++lastNumber, why, chainedFrom, base, statement).copy();
    tx.began(base, chainedFrom);
    state = State.ACTIVE;
    cause = why;
    events.add(new Event(Event.Kind.BEGIN, tx));
  }

  private void end(Event.Kind kind, Cause why, boolean chain) {
    Transaction ended = tx;
    events.add(new Event(kind, ended));
    if (kind == Event.Kind.ROLLED_BACK || kind == Event.Kind.INTERRUPTED) {
      session = session.restoredFrom(ended.atBegin().session());
    }
    tx = null;
    state = State.IDLE;
    cause = why;
    implicitBlockStart = session;
    if (chain) {
      begin(Cause.CHAINED, ended, null);
    }
  }

  /** {@code s} succeeds. {@code endCause} overrides the cause of a COMMIT/ROLLBACK (API calls). */
  void succeed(SqlStatement s, Cause endCause) {
    StatementKind kind = s.kind();
    boundaryCrossed |= boundaryPending;
    boundaryPending = false;
    if (kind == StatementKind.COMMIT || kind == StatementKind.ROLLBACK || kind == StatementKind.PREPARE_TRANSACTION) {
      boundaryPending = state != State.IDLE || implicitWork;
      implicitWork = false;
    }
    switch (kind) {
      case BEGIN:
        if (state == State.IDLE) {
          begin(Cause.SQL_BEGIN, null, s);
        } else if (tx != null) {
          // Already in a transaction: the server warns but still applies the modes.
          tx.setCharacteristics(s.isolation(), s.readOnly());
        }
        return;
      case COMMIT:
        if (state == State.ACTIVE) {
          events.add(new Event(Event.Kind.COMMIT_REQUESTED, tx));
          end(Event.Kind.COMMITTED, endCause != null ? endCause : Cause.SQL_COMMIT, s.chain());
        } else if (state == State.FAILED) {
          end(Event.Kind.ROLLED_BACK, Cause.FAILED_TRANSACTION_ENDED, s.chain());
        }
        return;
      case ROLLBACK:
        if (state != State.IDLE) {
          end(Event.Kind.ROLLED_BACK, endCause != null ? endCause : Cause.SQL_ROLLBACK, s.chain());
        }
        return;
      case PREPARE_TRANSACTION:
        if (state == State.ACTIVE) {
          end(Event.Kind.PREPARED, Cause.PREPARED, false);
        } else if (state == State.FAILED) {
          end(Event.Kind.ROLLED_BACK, Cause.FAILED_TRANSACTION_ENDED, false);
        }
        return;
      case SAVEPOINT:
        if (tx != null) {
          tx.addSavepoint(s.name(), session);
        }
        return;
      case RELEASE_SAVEPOINT:
        if (tx != null) {
          tx.release(s.name());
        }
        return;
      case ROLLBACK_TO_SAVEPOINT:
        if (tx != null) {
          Snapshot atSavepoint = tx.rollbackTo(s.name());
          if (atSavepoint != null) {
            session = session.restoredFrom(atSavepoint.session());
            tx.restore(atSavepoint);
          }
          if (state == State.FAILED) {
            state = State.ACTIVE;
            cause = Cause.SAVEPOINT_RESTORED;
          }
        }
        return;
      case SET_TRANSACTION:
        if (tx != null) {
          tx.setCharacteristics(s.isolation(), s.readOnly());
        }
        return;
      case SET_SESSION_CHARACTERISTICS:
        session = s.name() != null ? session.reset(s.name()) : session.with(s.isolation(), s.readOnly());
        return;
      default:
        if (state == State.IDLE) {
          cause = Cause.AUTOCOMMIT_STATEMENT;
          implicitWork = true;
        }
    }
  }

  /**
   * {@code s} fails at the server. Returns a second possible outcome when pgjdbc's
   * {@code autosave} may have rolled back to its hidden savepoint, else {@code null}.
   */
  Simulation fail(SqlStatement s, boolean autosave) {
    boundaryCrossed |= boundaryPending;
    boundaryPending = false;
    if (state == State.ACTIVE) {
      if (s.kind() == StatementKind.COMMIT || s.kind() == StatementKind.PREPARE_TRANSACTION) {
        end(Event.Kind.INTERRUPTED, Cause.COMMIT_FAILED, false);
        return null;
      }
      Simulation saved = autosave ? copy() : null;
      // The server aborts the (sub)transaction at once, undoing SETs since the abort point.
      Snapshot abortPoint = tx.abortPoint();
      session = session.restoredFrom(abortPoint.session());
      tx.restore(abortPoint);
      state = State.FAILED;
      cause = Cause.STATEMENT_FAILED;
      return saved;
    }
    if (state == State.IDLE) {
      // The implicit block the statement ran in is rolled back, SET commands included.
      session = session.restoredFrom(implicitBlockStart);
      cause = Cause.AUTOCOMMIT_STATEMENT;
    }
    return null;
  }

  Simulation copy() {
    Simulation c = new Simulation(state, cause, tx, lastNumber, session, factory);
    c.implicitBlockStart = implicitBlockStart;
    c.events.addAll(events);
    c.boundaryCrossed = boundaryCrossed;
    c.boundaryPending = boundaryPending;
    c.implicitWork = implicitWork;
    return c;
  }
}
