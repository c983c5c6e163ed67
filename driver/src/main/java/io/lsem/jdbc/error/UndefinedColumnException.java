package io.lsem.jdbc.error;

import java.sql.SQLException;

/** A column named in the statement does not exist. SQLSTATE {@code 42703}. */
public class UndefinedColumnException extends SyntaxErrorException {
  private static final long serialVersionUID = 1L;

  public UndefinedColumnException(ErrorDetails details, SQLException cause) {
    super(details, cause);
  }
}
