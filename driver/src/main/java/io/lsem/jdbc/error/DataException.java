package io.lsem.jdbc.error;

import java.sql.SQLException;
import java.sql.SQLDataException;

/** A value was invalid for its type or operation (SQLSTATE class 22). */
public class DataException extends SQLDataException implements PostgresError {
  private static final long serialVersionUID = 1L;
  private final ErrorDetails details;

  public DataException(ErrorDetails details, SQLException cause) {
    super(cause.getMessage(), details.sqlState(), cause.getErrorCode(), cause);
    this.details = details;
  }

  @Override
  public ErrorDetails details() {
    return details;
  }
}
