package io.lsem.jdbc.error;

import io.lsem.jdbc.error.QueryCanceledException.Reason;
import java.net.SocketTimeoutException;
import java.sql.BatchUpdateException;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Turns pgjdbc's exceptions into the typed exceptions of this package, by SQLSTATE: first the
 * exact code (leaf types such as {@link UniqueViolationException}), then PostgreSQL's error
 * class (the first two characters) onto the fitting JDBC 4 class. An exception without a
 * SQLSTATE, or one already translated, is returned as it is. A {@link BatchUpdateException}
 * stays one, keeping its update counts, with its cause and next-exception chain translated.
 * The typed exception carries the original's stack trace and has the original as its cause.
 *
 * <p>Runs only when something failed; the success path never touches it.
 */
public final class ExceptionTranslator {

  /** Makes the typed exception for one SQLSTATE or class. */
  @FunctionalInterface
  private interface Factory {
    SQLException create(ErrorDetails details, SQLException original);
  }

  private static final Map<String, Factory> BY_STATE = Map.ofEntries(
      Map.entry("40001", SerializationFailureException::new),
      Map.entry("40P01", DeadlockDetectedException::new),
      Map.entry("23505", UniqueViolationException::new),
      Map.entry("23503", ForeignKeyViolationException::new),
      Map.entry("23502", NotNullViolationException::new),
      Map.entry("23514", CheckViolationException::new),
      Map.entry("23P01", ExclusionViolationException::new),
      Map.entry("22012", DivisionByZeroException::new),
      Map.entry("22001", StringTooLongException::new),
      Map.entry("22P02", InvalidTextRepresentationException::new),
      Map.entry("22003", NumericOutOfRangeException::new),
      Map.entry("42501", InsufficientPrivilegeException::new),
      Map.entry("42P01", UndefinedTableException::new),
      Map.entry("42703", UndefinedColumnException::new),
      Map.entry("55P03", LockNotAvailableException::new),
      Map.entry("25P02", InFailedTransactionException::new),
      Map.entry("57P01", AdminShutdownException::new),
      Map.entry("57P02", CrashShutdownException::new),
      Map.entry("57P03", CannotConnectNowException::new),
      Map.entry("53300", TooManyConnectionsException::new),
      Map.entry("08006", ConnectionFailureException::new),
      Map.entry("08007", TransactionOutcomeUnknownException::new),
      Map.entry("08S01", ConnectionFailureException::new),
      Map.entry("08001", TransientConnectionException::new),
      Map.entry("08003", ConnectionClosedException::new),
      Map.entry("57P04", NonTransientConnectionException::new),
      Map.entry("57P05", NonTransientConnectionException::new),
      Map.entry("25P03", NonTransientConnectionException::new),
      Map.entry("57000", TransientException::new));

  private static final Map<String, Factory> BY_CLASS = Map.ofEntries(
      Map.entry("40", TransactionRollbackException::new),
      Map.entry("23", IntegrityConstraintViolationException::new),
      Map.entry("44", IntegrityConstraintViolationException::new),
      Map.entry("22", DataException::new),
      Map.entry("42", SyntaxErrorException::new),
      Map.entry("28", InvalidAuthorizationException::new),
      Map.entry("0A", FeatureNotSupportedException::new),
      Map.entry("08", NonTransientConnectionException::new),
      Map.entry("53", TransientException::new),
      Map.entry("72", TransientException::new));

  /** Where running the whole transaction again can succeed without any change. */
  private static final Set<String> RETRYABLE = Set.of("40001", "40P01", "55P03", "08001", "08006", "08S01",
      "57P01", "57P02", "57P03", "53300", "53200", "72000");

  private final boolean enabled;

  /** {@code enabled == false} passes every exception through untouched (property {@code typedExceptions}). */
  public ExceptionTranslator(boolean enabled) {
    this.enabled = enabled;
  }

  /** Translates an exception that is not tied to a statement's cancel or timeout. */
  public SQLException translate(SQLException e) {
    return translate(e, false, false);
  }

  /**
   * Translates {@code e}.
   *
   * @param cancelRequested the application called {@code Statement.cancel()} on the statement
   * @param queryTimeoutSet the statement has a JDBC query timeout
   */
  public SQLException translate(SQLException e, boolean cancelRequested, boolean queryTimeoutSet) {
    e = LedgerContext.withoutLedgerContext(e);
    if (!enabled || e == null || e instanceof PostgresError || e instanceof PrimaryNotFoundException) {
      return e; // already typed by the driver
    }
    if (e instanceof BatchUpdateException) {
      return translateBatch((BatchUpdateException) e, cancelRequested, queryTimeoutSet);
    }
    String state = e.getSQLState();
    if (state == null || state.length() != 5) {
      return e;
    }
    ErrorDetails details = ErrorDetails.of(e, RETRYABLE.contains(state) || isConnectTimeout(state, e));
    SQLException typed = create(state, details, e, cancelRequested, queryTimeoutSet);
    typed.setStackTrace(e.getStackTrace());
    SQLException next = e.getNextException();
    if (next != null) {
      typed.setNextException(translate(next, cancelRequested, queryTimeoutSet));
    }
    return typed;
  }

  private static SQLException create(String state, ErrorDetails details, SQLException e, boolean cancelRequested,
      boolean queryTimeoutSet) {
    if (state.equals("57014")) {
      Reason reason = cancelReason(details, cancelRequested, queryTimeoutSet);
      return reason == Reason.CANCEL_REQUEST ? new QueryCanceledException(details, e)
          : new StatementTimeoutException(details, e, reason);
    }
    if (isConnectTimeout(state, e)) {
      return new ConnectTimeoutException(details, e);
    }
    Factory f = BY_STATE.get(state);
    if (f == null) {
      f = BY_CLASS.getOrDefault(state.substring(0, 2), NonTransientException::new);
    }
    return f.create(details, e);
  }

  /**
   * The server says "statement timeout" for its own timeout; pgjdbc implements the JDBC query
   * timeout by sending a cancel request, which the server reports like any other cancel.
   */
  private static Reason cancelReason(ErrorDetails details, boolean cancelRequested, boolean queryTimeoutSet) {
    String message = details.serverMessage() == null ? "" : details.serverMessage().toLowerCase(Locale.ROOT);
    if (message.contains("statement timeout")) {
      return Reason.STATEMENT_TIMEOUT;
    }
    if (queryTimeoutSet && !cancelRequested) {
      return Reason.QUERY_TIMEOUT;
    }
    return Reason.CANCEL_REQUEST;
  }

  /** pgjdbc reports both {@code loginTimeout} and {@code connectTimeout} expiry as 08001. */
  private static boolean isConnectTimeout(String state, SQLException e) {
    if (!state.equals("08001")) {
      return false;
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SocketTimeoutException
          || t.getMessage() != null && t.getMessage().toLowerCase(Locale.ROOT).contains("timed out")) {
        return true;
      }
    }
    return false;
  }

  private SQLException translateBatch(BatchUpdateException b, boolean cancelRequested, boolean queryTimeoutSet) {
    if (b.getCause() instanceof PostgresError) {
      return b;
    }
    SQLException next = translate(b.getNextException(), cancelRequested, queryTimeoutSet);
    Throwable cause = next != null ? next : b.getCause();
    BatchUpdateException typed = new BatchUpdateException(b.getMessage(), b.getSQLState(), b.getErrorCode(),
        b.getLargeUpdateCounts(), cause);
    typed.setStackTrace(b.getStackTrace());
    if (next != null) {
      typed.setNextException(next);
    }
    return typed;
  }
}
