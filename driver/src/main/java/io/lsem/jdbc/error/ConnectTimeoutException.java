package io.lsem.jdbc.error;

import java.sql.SQLException;
import java.sql.SQLTimeoutException;

/**
 * Opening a connection took longer than {@code loginTimeout} or {@code connectTimeout}
 * (SQLSTATE {@code 08001}). The one place the driver uses {@code SQLTimeoutException}: the
 * JDBC login timeout truly expired and there is no connection a pool could wrongly discard.
 */
public class ConnectTimeoutException extends SQLTimeoutException implements PostgresError {
  private static final long serialVersionUID = 1L;
  private final ErrorDetails details;

  public ConnectTimeoutException(ErrorDetails details, SQLException cause) {
    super(cause.getMessage(), details.sqlState(), cause.getErrorCode(), cause);
    this.details = details;
  }

  @Override
  public ErrorDetails details() {
    return details;
  }
}
