package io.lsem.jdbc.wrap;

import io.lsem.jdbc.TransactionStatus;
import io.lsem.jdbc.clock.CoordinatorUnavailable;
import io.lsem.jdbc.error.CoordinatorUnavailableException;
import io.lsem.jdbc.sql.SessionEffects;
import io.lsem.jdbc.sql.SqlInfo;
import io.lsem.jdbc.tx.ErrorTranslation;
import io.lsem.jdbc.tx.RetryController;
import io.lsem.jdbc.tx.TransactionTracker;
import java.sql.SQLException;

/**
 * The loop every call of one connection lease runs in: announce the call to the tracker, send it
 * (with the transaction's timestamps, {@link TimestampMessages}), settle the tracker with the
 * server's answer; on failure let transparent retry or failover ({@link RetryController}, through
 * the connection's {@link ConnectionRecovery}) recover, and call again. Also runs the statements
 * of a replay. Feeds the transaction's time breakdown ({@link TransactionClock}).
 */
final class CallLoop {
  private final ConnectionWrapper connection;
  private final ConnectionSession session;
  private final WrapperContext context;
  private final TransactionTracker tracker;
  private final RetryController retry;
  private final ConnectionRecovery recovery;
  private final TimestampMessages timestampMessages;

  CallLoop(ConnectionWrapper connection) {
    this.connection = connection;
    this.session = connection.session;
    this.context = connection.context;
    this.tracker = connection.tracker;
    this.retry = connection.retry;
    this.recovery = connection.recovery;
    this.timestampMessages = connection.timestampMessages;
  }

  /** An announcement to the tracker before a call: what kind of boundary it may cross. */
  @FunctionalInterface
  interface Announcement {
    void announce() throws SQLException;
  }

  /**
   * The loop every call runs in: announce, call, settle the tracker; on failure let transparent
   * retry (or failover) recover and call again. A COMMIT whose answer was lost but which took
   * effect is called again too: on the new connection there is no transaction left, so it does
   * nothing and returns as a COMMIT does.
   *
   * @param sql the statement's classification, or {@code null} for an API call
   */
  <T> T run(Announcement announcement, SqlCall<T> call, Carrier carrier, ErrorTranslation caller,
      boolean retryable, SqlInfo sql) throws SQLException {
    boolean timed = session.clock.timing();
    long started = timed ? System.nanoTime() : 0;
    if (timed) {
      session.clock.callStarting(started, sql);
    }
    return runTimed(announcement, call, carrier, caller, retryable, sql, timed, started);
  }

  private long oracleNanos() {
    return session.timestamps == null ? 0 : session.timestamps.oracleNanos();
  }

  /**
   * The loop of {@link #run}. Two clock readings per call feed the transaction's breakdown: the
   * call's start ({@code sent}, also the driver's short work before the message) and its end.
   */
  private <T> T runTimed(Announcement announcement, SqlCall<T> call, Carrier carrier, ErrorTranslation caller,
      boolean retryable, SqlInfo sql, boolean timed, long started) throws SQLException {
    long sent = started;
    if (sql != null && session.timestamps != null && context.guards().anyOn()) {
      context.guards().check(sql, tracker.autoCommit() && tracker.current() == null,
          caller instanceof PreparedStatementWrapper ? ((PreparedStatementWrapper) caller).localTimeParameter() : null);
    }
    boolean recovering = false;
    for (;;) {
      long oracleBefore = oracleNanos(); // the BEGIN's timestamp is taken while the call is announced
      if (session.standby != null && tracker.status().state() == TransactionStatus.State.IDLE
          && !session.standby.awaitCausalToken()) {
        connection.rebindToSession(); // moved to the primary
      }
      if (caller instanceof StatementWrapper) {
        ((StatementWrapper) caller).followReconnect();
      }
      try {
        announcement.announce();
      } catch (CoordinatorUnavailable noTimestamp) {
        throw unsent(noTimestamp);
      }
      SessionEffects effects = sql == null ? SessionEffects.NONE : sql.effects();
      lastCallForcesDisconnect = effects.forcesDisconnect();
      if (effects != SessionEffects.NONE) {
        noteEffects(effects);
      }
      boolean commits = tracker.commitAnnounced();
      if (commits) {
        recovery.xidProof.committing(tracker.current());
      }
      boolean publish = session.standby == null && context.causal().standbyReadersExist()
          && ((sql != null && !sql.isReadOnly()) || (commits && tracker.current() != null && tracker.current().wrote()));
      T result;
      try {
        result = session.timestamps == null ? call.call() : timestampMessages.around(call, carrier, sql);
      } catch (SQLException e) {
        if (timed) {
          long failed = System.nanoTime();
          session.clock.server(failed - sent - (oracleNanos() - oracleBefore));
          session.clock.callEnded(failed);
          sent = failed;
        }
        tracker.afterCall(e);
        if (!retryable) {
          retry.notRecovered();
          throw caller.translate(e);
        }
        if (effects.notReplayable() != null && !retry.journal().isActive() && !recovery.connectionLost(e)) {
          // outside a recorded transaction (autocommit): the call itself must not run twice
          retry.notRecovered();
          SQLException typed = caller.translate(e);
          typed.addSuppressed(new SQLException("The call was not run again because " + effects.notReplayable()));
          throw typed;
        }
        // API calls write nothing by themselves (a COMMIT among them is resolved through the ledger)
        retry.recover(e, recovery, caller, commits, sql == null || provenReadOnly());
        if (timed) {
          long recovered = System.nanoTime();
          session.clock.retry(recovered - sent);
          sent = recovered; // the call is made again from here
        }
        recovering = true;
        continue;
      } catch (CoordinatorUnavailable noTimestamp) {
        throw unsent(noTimestamp);
      } catch (RuntimeException | Error e) {
        tracker.afterCall(new SQLException(e));
        retry.notRecovered();
        throw e;
      }
      if (timed) {
        long returned = System.nanoTime();
        session.clock.server(returned - sent - (oracleNanos() - oracleBefore));
        session.clock.callEnded(returned);
      } else if (session.clock.timing()) {
        session.clock.untimedCallEnded(System.nanoTime()); // measuring began inside this call
      }
      tracker.afterCall(null);
      if (publish && tracker.status().state() == TransactionStatus.State.IDLE) {
        session.publishCommitPosition();
      }
      if (sql != null && sql.changesSession()) {
        session.settings.executed(sql, tracker.status().state() != TransactionStatus.State.IDLE);
      }
      if (recovering) {
        retry.succeededAfterRecovery();
      }
      return result;
    }
  }

  /**
   * The shared timestamp oracle did not answer, so the call that needed a timestamp was not sent:
   * the tracker settles it as refused before sending, and the application gets the typed error.
   */
  private SQLException unsent(CoordinatorUnavailable noTimestamp) {
    SQLException typed = new CoordinatorUnavailableException(noTimestamp.getMessage());
    tracker.afterCall(typed);
    retry.notRecovered();
    return typed;
  }

  /**
   * Before a call whose SQL text shows session effects: a transaction it runs in can no longer be
   * replayed when the effect survives a rollback (or is a session {@code SET} inside the
   * transaction); the session can no longer be replaced when a new one would lack the state.
   * Found in the text, this only ever makes the driver more careful.
   */
  private void noteEffects(SessionEffects effects) {
    // a transaction is open, or this call begins one (pgjdbc's implicit BEGIN goes with it)
    boolean inTransaction = tracker.current() != null || retry.journal().isActive();
    if (effects.notReplayable() != null && inTransaction) {
      retry.journal().markNotReplayable(effects.notReplayable());
    } else if (effects.sessionSet() && inTransaction) {
      retry.journal().markNotReplayable("it changed session state (SET, RESET or set_config) inside the transaction");
    }
    if (effects.sessionBound() != null && session.boundTo == null) {
      session.boundTo = effects.sessionBound();
    }
  }

  /** The last call's SQL changes client_encoding or DateStyle: pgjdbc may close the connection on purpose. */
  private boolean lastCallForcesDisconnect;

  /** Whether the last call's SQL changes client_encoding or DateStyle (pgjdbc may then close the connection). */
  boolean lastCallForcesDisconnect() {
    return lastCallForcesDisconnect;
  }

  /**
   * Whether an autocommit call that was lost in flight is proven to have written nothing, so that
   * it may simply run again: only on a standby (the server refuses every write there). The SQL
   * classifier's "read" is not proof — a {@code SELECT} may call a function that writes.
   */
  private boolean provenReadOnly() {
    return session.standby != null;
  }

  /** Runs a statement on the delegate during a replay, keeping the tracker informed. */
  <T> T replay(SqlInfo sql, SqlCall<T> call) throws SQLException {
    return replay(sql, call, null);
  }

  /** The same, carrying the transaction's timestamps like the first run did. */
  <T> T replay(SqlInfo sql, SqlCall<T> call, Carrier carrier) throws SQLException {
    tracker.beforeStatement(sql);
    try {
      T result = session.timestamps == null ? call.call() : timestampMessages.around(call, carrier, sql);
      tracker.afterCall(null);
      if (sql.changesSession()) {
        session.settings.executed(sql, tracker.status().state() != TransactionStatus.State.IDLE);
      }
      return result;
    } catch (SQLException e) {
      tracker.afterCall(e);
      throw e;
    }
  }
}
