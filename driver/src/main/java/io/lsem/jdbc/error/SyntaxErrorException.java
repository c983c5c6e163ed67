package io.lsem.jdbc.error;

import java.sql.SQLException;
import java.sql.SQLSyntaxErrorException;

/**
 * The statement is invalid: syntax, an undefined object, or an access rule (SQLSTATE class 42);
 * {@link #position()} points into the statement.
 */
public class SyntaxErrorException extends SQLSyntaxErrorException implements PostgresError {
  private static final long serialVersionUID = 1L;
  private final ErrorDetails details;

  public SyntaxErrorException(ErrorDetails details, SQLException cause) {
    super(cause.getMessage(), details.sqlState(), cause.getErrorCode(), cause);
    this.details = details;
  }

  @Override
  public ErrorDetails details() {
    return details;
  }
}
