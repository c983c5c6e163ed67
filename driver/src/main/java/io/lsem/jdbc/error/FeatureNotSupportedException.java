package io.lsem.jdbc.error;

import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;

/** The server or pgjdbc does not support what was asked (SQLSTATE 0A000). */
public class FeatureNotSupportedException extends SQLFeatureNotSupportedException implements PostgresError {
  private static final long serialVersionUID = 1L;
  private final ErrorDetails details;

  public FeatureNotSupportedException(ErrorDetails details, SQLException cause) {
    super(cause.getMessage(), details.sqlState(), cause.getErrorCode(), cause);
    this.details = details;
  }

  @Override
  public ErrorDetails details() {
    return details;
  }
}
