package io.lsem.jdbc.tx;

import io.lsem.jdbc.RetryStats;
import io.lsem.jdbc.TransactionStatus.State;
import io.lsem.jdbc.error.ReplayMismatchException;
import java.sql.SQLException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recovery for one connection: transparent retry and failover are the same decision seen twice —
 * a transaction's run was interrupted; run it again or not. One object, one small state machine
 * ({@link Phase}), fed by distinct events from the {@link TransactionTracker}: a transaction began
 * ({@link #beforeBegin}), ended by the application's or the server's own boundary (committed,
 * rolled back, prepared: its recording is dropped), was interrupted ({@link #afterInterrupted}: a
 * failed COMMIT, a rollback for retry, a lost connection — its recording is kept for a replay),
 * or a failed call ended a transaction inside itself ({@link
 * TransactionTracker#endedInsideFailedCall()}: never made again). When a call fails the wrapper
 * hands the error to {@link #recover}: if the error is retryable and the transaction can be
 * replayed, the controller rolls back, waits (exponential backoff with full jitter), replays the
 * journal comparing every result, and returns — the wrapper then makes the failed call again.
 * Otherwise, or when the replay saw something different, it throws, typed.
 *
 * <p>The rule: a call is made again, a transaction replayed or a lost COMMIT resolved only on
 * proof — the server's reported transaction state, the ledger row, an identical replay.
 * Everything uncertain ends as a typed exception. Every recovery event is logged once at INFO on
 * the {@code io.lsem.jdbc.recovery} logger.
 *
 * <p>A transaction keeps its count of runs and its time budget across all its failures; an
 * autocommit statement is retried on its own.
 */
public final class RetryController implements TransactionListener {
  private static final Logger LOG = LoggerFactory.getLogger(RetryController.class);
  /**
   * One INFO line per recovery event — reconnect, replay, resolution of a lost COMMIT, give-up —
   * naming the transaction by its logical id; never a parameter value or SQL text. A logger of its
   * own, so that applications can keep or silence exactly these lines.
   */
  private static final Logger EVENTS = LoggerFactory.getLogger("io.lsem.jdbc.recovery");

  /**
   * What the controller needs from the connection it serves; only the connection implements it
   * (statements and result sets pass their connection, and themselves as the {@link ErrorTranslation}).
   */
  public interface Host {
    /** Rolls back whatever transaction is open (API or SQL), keeping the tracker informed. */
    void rollbackForRetry() throws SQLException;

    /** Whether {@code e} means the physical connection is gone (08xxx, 57P01–57P03, socket closed). */
    boolean connectionLost(SQLException e);

    /** Connects to the primary again (failover); throws when no primary is found in time. */
    void reconnect() throws SQLException;

    /**
     * After {@link #reconnect()}, whether the COMMIT whose answer was lost took effect — made sure
     * of, not guessed: the old transaction must be unable to commit any more.
     */
    CommitOutcome resolveCommit() throws SQLException;
  }

  /** What became of a COMMIT whose answer was lost with the connection. */
  public enum CommitOutcome { COMMITTED, NOT_COMMITTED, UNKNOWN }

  /**
   * Where recovery stands. {@code IDLE → RECORDING} at BEGIN; back to {@code IDLE} when the
   * transaction ends by its own boundary. A failed call: {@code FAILED}, then either {@code
   * ROLLED_BACK → REPLAYING → RESUMED} (a retryable error; the interrupted transaction's recording
   * is kept while {@code ROLLED_BACK}), or {@code LOST → (RESOLVING → RESOLVED) → REPLAYING →
   * RESUMED} (the connection was lost; a COMMIT in flight is resolved first), or {@code GAVE_UP}
   * with a typed exception. {@code RESUMED} and {@code GAVE_UP} settle into {@code RECORDING} or
   * {@code IDLE} as the transaction is still open or not.
   */
  public enum Phase { IDLE, RECORDING, FAILED, ROLLED_BACK, LOST, RESOLVING, RESOLVED, REPLAYING, RESUMED, GAVE_UP }

  private final RetryPolicy policy;
  private final TransactionTracker tracker;
  private final Journal journal;
  private final boolean failover;
  private boolean enabled;
  private boolean skipNextTransaction;
  private boolean loggedNotReplayable;
  private Phase phase = Phase.IDLE;
  /** Runs of the current transaction (or autocommit statement) so far; 0 before any failure. */
  private int runs;
  private long firstFailureNanos;
  /**
   * Recoveries of the call in flight, whatever its transaction did meanwhile: a call that fails
   * again after every recovery (one that ends its own connection, say) is given up on after
   * {@code maxRetries} of them, even when each failure ended the transaction and so its count of runs.
   */
  private int callRecoveries;
  private long replays;
  private long recovered;
  private long mismatches;
  private long exhausted;
  private long notReplayable;
  private long backoffNanos;
  /** The logical id of the current (or just ended) transaction, for the recovery log; {@code null} without timestamps. */
  private java.util.function.Supplier<Object> logicalId = () -> null;

  public RetryController(RetryPolicy policy, TransactionTracker tracker) {
    this.policy = policy;
    this.tracker = tracker;
    this.journal = new Journal(policy.maxRecordedBytes());
    this.enabled = policy.enabled();
    this.failover = policy.failover();
  }

  /** Names transactions in the recovery log by {@code ids} (their logical ids, when timestamps are on). */
  public void identifyTransactionsWith(java.util.function.Supplier<Object> ids) {
    this.logicalId = ids;
  }

  /** How the recovery log names the transaction: its logical id, else the connection's number for it. */
  private String transaction() {
    Object id = logicalId.get();
    long number = tracker.lastTransactionNumber();
    return id != null ? id + " (#" + number + ")" : "#" + number;
  }

  /** Logs a give-up and returns {@code typed}, to be thrown. */
  private SQLException gaveUp(SQLException typed, String why) {
    EVENTS.info("recovery gave up on transaction {}: {} (SQLSTATE {})", transaction(), why, typed.getSQLState());
    return typed;
  }

  /** The current transaction's recording. */
  public Journal journal() {
    return journal;
  }

  /** Where recovery stands now. */
  public Phase phase() {
    return phase;
  }

  private void to(Phase next) {
    if (phase != next) {
      LOG.debug("recovery {} -> {}", phase, next);
      phase = next;
    }
  }

  /** A replay runs ({@code true}) or not: the wrappers do not record it, the tracker marks its BEGIN a replay. */
  private void replayingNow(boolean on) {
    journal.replaying(on);
    tracker.replaying(on);
  }

  /** Whether reads and executions are being recorded now. */
  public boolean recording() {
    return journal.isRecording() && !journal.isReplaying();
  }

  /** Whether statements must keep their parameter bindings (retry is on for this connection). */
  public boolean tracksBindings() {
    return enabled;
  }

  public boolean isEnabled() {
    return enabled;
  }

  /** Switches retry for this connection; switching it off also stops the open transaction's recording. */
  public void setEnabled(boolean on) {
    enabled = on;
    if (!on) {
      journal.markNotReplayable("retry was switched off for this connection");
    }
  }

  /** No retry for the open transaction, or for the next one if none is open. */
  public void disableForTransaction() {
    if (tracker.status().state() != State.IDLE) {
      journal.markNotReplayable("retry was switched off for this transaction");
    } else {
      skipNextTransaction = true;
    }
  }

  /** Replays so far, without building the whole {@link #stats()}. */
  public long replaysSoFar() {
    return replays;
  }

  public RetryStats stats() {
    return new RetryStats(replays, recovered, mismatches, exhausted, notReplayable, backoffNanos);
  }

  // ---- transaction boundaries -----------------------------------------------------------------

  @Override
  public void beforeBegin(Transaction tx) {
    if (journal.isReplaying()) {
      return;
    }
    if (tracker.current() != null) {
      // The call about to be sent ends the open transaction and begins this one: the open one's
      // recording must survive until its end is confirmed (the call may fail before it), and
      // this one cannot be replayed — its first call also ran the end of the one before.
      journal.markNotReplayable("a call that began it also ended the transaction before it");
      return;
    }
    to(Phase.RECORDING);
    if (enabled && !skipNextTransaction) {
      journal.start();
    } else {
      journal.start();
      journal.markNotReplayable(enabled ? "retry was switched off for this transaction"
          : "retry is switched off for this connection");
    }
    skipNextTransaction = false;
  }

  /** Ended by its own boundary: what it did is final, its recording is dropped. */
  @Override
  public void afterCommit(Transaction tx) {
    ended();
  }

  @Override
  public void afterRollback(Transaction tx) {
    ended();
  }

  @Override
  public void afterPrepare(Transaction tx) {
    ended();
  }

  /** Interrupted: its recording is kept, for {@link #recover} to replay it or give up on it. */
  @Override
  public void afterInterrupted(Transaction tx) {
    if (!journal.isReplaying()) {
      to(Phase.ROLLED_BACK);
    }
  }

  private void ended() {
    if (!journal.isReplaying()) {
      journal.stop();
      runs = 0;
      loggedNotReplayable = false;
      to(Phase.IDLE);
    }
  }

  /**
   * A failed call is over without recovery making it again (recovery threw, or the call was not
   * one it recovers): an interrupted transaction's recording is dropped; an open one keeps its own.
   */
  public void notRecovered() {
    callRecoveries = 0;
    if (tracker.current() == null) {
      ended();
    } else if (phase != Phase.IDLE) {
      to(Phase.RECORDING);
    }
  }

  /** A call made again after {@link #recover} succeeded. */
  public void succeededAfterRecovery() {
    callRecoveries = 0;
    recovered++;
    if (tracker.status().state() == State.IDLE && !journal.isRecording()) {
      runs = 0; // an autocommit statement: its episode is over
    }
  }

  // ---- recovery -----------------------------------------------------------------------------------

  /** {@link #recover(SQLException, Host, ErrorTranslation, boolean, boolean)} for a call that neither commits nor only reads. */
  public void recover(SQLException error, Host host, ErrorTranslation caller) throws SQLException {
    recover(error, host, caller, false, false);
  }

  /**
   * Handles {@code error}, which a call just threw. Returns when the call can be made again: the
   * transaction was rolled back (or its connection re-established) and replayed with identical
   * results, or the call was a COMMIT whose answer was lost but which took effect (on the new
   * connection no transaction is open, so making the COMMIT again does nothing). Throws the typed
   * error (or a {@link ReplayMismatchException}) otherwise.
   *
   * @param commits the failed call commits the open transaction
   * @param readOnly the failed call is proven to only read (the driver's own call, or a server that refuses
   *     writes): an autocommit one may simply run again. Never a guess from SQL text.
   */
  public void recover(SQLException error, Host host, ErrorTranslation caller, boolean commits, boolean readOnly) throws SQLException {
    if (journal.isReplaying()) {
      throw caller.translate(error); // a call of the replay itself: the replay's loop decides
    }
    boolean resumed = false;
    to(Phase.FAILED);
    try {
      if (++callRecoveries > policy.maxAttempts()) {
        exhausted++;
        SQLException typed = caller.translate(error);
        String spent = "transparent retry gave up: the call failed again after each of " + (callRecoveries - 1)
            + " recoveries";
        typed.addSuppressed(new SQLException(spent));
        throw gaveUp(typed, spent);
      }
      recoverOrThrow(error, host, caller, commits, readOnly);
      resumed = true;
      to(Phase.RESUMED);
    } finally {
      if (resumed) {
        to(tracker.current() != null ? Phase.RECORDING : Phase.IDLE);
      } else {
        to(Phase.GAVE_UP);
        notRecovered();
      }
    }
  }

  private void recoverOrThrow(SQLException error, Host host, ErrorTranslation caller, boolean commits, boolean readOnly) throws SQLException {
    SQLException e = error;
    String endedInside = tracker.endedInsideFailedCall();
    for (;;) {
      boolean lost = host.connectionLost(e);
      if (journal.isReplaying() || !(lost ? failover : policy.retries(rootSqlState(e)))) {
        throw caller.translate(e);
      }
      if (lost) {
        SQLException duringReplay = recoverConnection(e, host, caller, commits, readOnly, endedInside);
        if (duringReplay == null) {
          return; // replayed (or resolved): the transaction goes on as the new one
        }
        e = duringReplay;
        commits = false; // what failed now is the replay, not the COMMIT
        endedInside = null;
        continue;
      }
      if (endedInside != null) {
        notReplayable++;
        SQLException typed = caller.translate(e);
        typed.addSuppressed(new SQLException("The call was not run again because " + endedInside
            + "; what committed there stays committed once, and the rest was rolled back"));
        gaveUp(typed, "the failed call was not run again because " + endedInside);
        ended();
        throw typed;
      }
      String why = whyNotReplayable();
      if (why != null) {
        notReplayable++;
        if (!enabled) {
          // the application switched retry off and handles conflicts itself: nothing to report
          LOG.debug("SQLSTATE {} not retried: retry is switched off for this connection", rootSqlState(e));
          throw caller.translate(e);
        }
        if (!loggedNotReplayable) {
          loggedNotReplayable = true;
          throw gaveUp(caller.translate(e), "the transaction cannot be replayed because " + why);
        }
        throw caller.translate(e);
      }
      long now = System.nanoTime();
      if (runs == 0) {
        runs = 1;
        firstFailureNanos = now;
      }
      if (runs >= policy.maxAttempts() || now - firstFailureNanos > policy.budgetNanos()) {
        exhausted++;
        SQLException typed = caller.translate(e);
        String spent = "transparent retry gave up after " + runs + " runs in "
            + TimeUnit.NANOSECONDS.toMillis(now - firstFailureNanos) + " ms";
        typed.addSuppressed(new SQLException(spent));
        throw gaveUp(typed, spent);
      }
      Journal.Mismatch mismatch;
      replayingNow(true);
      try {
        host.rollbackForRetry();
        to(Phase.ROLLED_BACK);
        if (!backoff()) {
          replayingNow(false);
          throw caller.translate(e); // interrupted: the original error, the interrupt kept
        }
        runs++;
        replays++;
        EVENTS.info("replaying transaction {} after SQLSTATE {} (run {} of at most {})", transaction(),
            rootSqlState(e), runs, policy.maxAttempts());
        to(Phase.REPLAYING);
        mismatch = journal.replay();
      } catch (SQLException duringReplay) {
        if (!journal.isReplaying()) {
          throw duringReplay;
        }
        e = duringReplay; // a failure during the replay counts as another run
        continue;
      } finally {
        replayingNow(false);
      }
      if (mismatch == null) {
        return; // the replay continues the transaction that ended with the failure
      }
      throw mismatch(mismatch, host, caller, error);
    }
  }

  private ReplayMismatchException mismatch(Journal.Mismatch m, Host host, ErrorTranslation caller, SQLException error) throws SQLException {
    mismatches++;
    int run = runs;
    EVENTS.info("recovery gave up on transaction {}: on run {}, {} (call {}) gave a different result than the"
        + " application saw", transaction(), run, m.call(), m.index() + 1);
    host.rollbackForRetry(); // ends the transaction: its recording is dropped
    ended(); // also when the connection was replaced and nothing was open to roll back
    return new ReplayMismatchException("Transparent retry stopped on run " + run + ": " + m.call()
        + " gave a different result than the application saw (call " + (m.index() + 1)
        + " of the transaction); the transaction was rolled back and nothing was committed",
        caller.translate(error), m.recorded(), m.replayed());
  }

  /**
   * The connection is gone. It is re-established first, in every case (so the application's
   * connection works again whatever it is told). Then an autocommit read runs again; an open
   * transaction is replayed on it (a lost COMMIT is first resolved through the ledger); a
   * transaction that cannot be replayed, or an autocommit write, reaches the application typed.
   * Returns {@code null} when the call can be made again, or the failure during the replay, to go
   * round the recovery loop again with.
   */
  private SQLException recoverConnection(SQLException e, Host host, ErrorTranslation caller, boolean commits, boolean readOnly,
      String endedInside) throws SQLException {
    boolean inTransaction = journal.isActive();
    String why = inTransaction ? whyNotReplayable() : null;
    long now = System.nanoTime();
    if (runs == 0) {
      runs = 1;
      firstFailureNanos = now;
    }
    boolean exhaustedNow = runs >= policy.maxAttempts() || now - firstFailureNanos > policy.budgetNanos();
    Journal.Mismatch mismatch;
    to(Phase.LOST);
    replayingNow(true); // the reconnection ends the lost transaction; its recording is kept for the replay
    try {
      try {
        host.reconnect();
      } catch (SQLException noPrimary) {
        replayingNow(false);
        gaveUp(noPrimary, "the connection was lost (SQLSTATE " + rootSqlState(e) + ") and could not be re-established");
        ended();
        throw noPrimary;
      }
      EVENTS.info("connection lost (SQLSTATE {}) during transaction {}; reconnected", rootSqlState(e), transaction());
      // before resolving "the" COMMIT: a call with a boundary inside has more than one
      if (endedInside != null) {
        replayingNow(false);
        ended();
        throw gaveUp(caller.translate(new SQLException("The connection was lost during a call that cannot be made"
            + " again because " + endedInside + "; which part of it took effect is not known (the connection was"
            + " re-established)", "08007", e)), "the lost call was not run again because " + endedInside);
      }
      if (commits) {
        to(Phase.RESOLVING);
        String resolving = transaction(); // named before a resolution that ends it
        CommitOutcome outcome = host.resolveCommit();
        to(Phase.RESOLVED);
        EVENTS.info("the lost COMMIT of transaction {} was resolved: {}", resolving, outcome);
        if (outcome == CommitOutcome.COMMITTED) {
          replayingNow(false);
          ended();
          return null; // making the COMMIT again on the new connection does nothing
        }
        if (outcome == CommitOutcome.UNKNOWN) {
          replayingNow(false);
          ended();
          throw gaveUp(caller.translate(new SQLException("The connection was lost during COMMIT and whether the"
              + " transaction committed cannot be determined; it was not run again", "08007", e)),
              "whether its COMMIT took effect cannot be determined");
        }
      }
      // Without autocommit a statement that failed outside a recorded transaction was its first
      // statement: nothing of it can have committed, so it may simply run again.
      if (!inTransaction && !readOnly && (tracker.autoCommit() || commits)) {
        replayingNow(false);
        throw gaveUp(caller.translate(new SQLException("The connection was lost while an autocommit statement was"
            + " running and nothing proves that it only read (the SQL text is no proof: a SELECT may call a function"
            + " that writes), so whether it took effect is not known; it was not run again (the connection was"
            + " re-established)", "08007", e)), "an autocommit statement not proven read only was lost in flight");
      }
      if (why != null || exhaustedNow) {
        replayingNow(false);
        ended();
        if (why != null) {
          notReplayable++;
        } else {
          exhausted++;
        }
        // the transaction is gone; the connection works again
        throw gaveUp(caller.translate(e), why != null ? "the lost transaction cannot be replayed because " + why
            : "the retry budget is spent");
      }
      runs++;
      replays++;
      if (inTransaction) {
        EVENTS.info("replaying transaction {} on the new connection (run {} of at most {})", transaction(), runs,
            policy.maxAttempts());
        to(Phase.REPLAYING);
      }
      mismatch = inTransaction ? journal.replay() : null;
    } catch (SQLException duringReplay) {
      if (!journal.isReplaying()) {
        throw duringReplay;
      }
      return duringReplay;
    } finally {
      replayingNow(false);
    }
    if (mismatch != null) {
      throw mismatch(mismatch, host, caller, e);
    }
    return null;
  }

  private String whyNotReplayable() {
    if (!enabled) {
      return "retry is switched off for this connection";
    }
    String reason = journal.notReplayableReason();
    if (reason != null) {
      return reason;
    }
    if (!journal.isRecording() && tracker.status().state() != State.IDLE) {
      return "the transaction began outside the driver's view, or in a call that also ended the one before it";
    }
    return null;
  }

  /**
   * Waits before the next run, never past the end of the transaction's retry budget (a wait that
   * would outlast it is cut short; the run after it is the last); false if interrupted (the
   * interrupt is kept).
   */
  private boolean backoff() {
    long left = policy.budgetNanos() - (System.nanoTime() - firstFailureNanos);
    long nanos = Math.min(policy.backoffNanos(runs, ThreadLocalRandom.current()), Math.max(0, left));
    if (nanos <= 0) {
      return true;
    }
    long start = System.nanoTime();
    try {
      TimeUnit.NANOSECONDS.sleep(nanos);
      return true;
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      backoffNanos += System.nanoTime() - start;
    }
  }

  /** The SQLSTATE that decides: a batch's own state, else the first in its chain. */
  private static String rootSqlState(SQLException e) {
    String state = e.getSQLState();
    if (state == null && e.getNextException() != null) {
      return e.getNextException().getSQLState();
    }
    return state;
  }
}
