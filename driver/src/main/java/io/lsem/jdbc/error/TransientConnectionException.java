package io.lsem.jdbc.error;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

/**
 * The connection failed or could not be made, and a new attempt may succeed: the server was
 * unreachable, restarted, shut down or full (08001, 08006, 08S01, 57P01–57P03, 53300). Pools
 * discard the connection.
 */
public class TransientConnectionException extends SQLTransientConnectionException implements PostgresError {
  private static final long serialVersionUID = 1L;
  private final ErrorDetails details;

  public TransientConnectionException(ErrorDetails details, SQLException cause) {
    super(cause.getMessage(), details.sqlState(), cause.getErrorCode(), cause);
    this.details = details;
  }

  @Override
  public ErrorDetails details() {
    return details;
  }
}
