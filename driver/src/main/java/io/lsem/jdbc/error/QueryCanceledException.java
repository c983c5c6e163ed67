package io.lsem.jdbc.error;

import java.sql.SQLException;

/**
 * The statement was canceled (SQLSTATE {@code 57014}) by {@code Statement.cancel()} or
 * {@code pg_cancel_backend}. A timeout is the subclass {@link StatementTimeoutException}.
 * Deliberately not a {@code java.sql.SQLTimeoutException}: HikariCP up to 5.x discards a
 * connection on any {@code SQLTimeoutException}, and a canceled statement leaves the connection
 * healthy.
 */
public class QueryCanceledException extends TransientException {
  private static final long serialVersionUID = 1L;

  /** Who canceled the statement, as far as the driver can tell. */
  public enum Reason {
    /** {@code Statement.cancel()}, {@code pg_cancel_backend}, or an unknown canceller. */
    CANCEL_REQUEST,
    /** The JDBC query timeout ({@code setQueryTimeout}) expired; pgjdbc cancels the statement. */
    QUERY_TIMEOUT,
    /** The server's {@code statement_timeout} expired. */
    STATEMENT_TIMEOUT
  }

  private final Reason reason;

  public QueryCanceledException(ErrorDetails details, SQLException cause) {
    this(details, cause, Reason.CANCEL_REQUEST);
  }

  protected QueryCanceledException(ErrorDetails details, SQLException cause, Reason reason) {
    super(details, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }

  /** Whether a timeout, not a request, canceled the statement. */
  public boolean isTimeout() {
    return reason != Reason.CANCEL_REQUEST;
  }
}
