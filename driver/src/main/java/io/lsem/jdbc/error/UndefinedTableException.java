package io.lsem.jdbc.error;

import java.sql.SQLException;

/** A table or view named in the statement does not exist. SQLSTATE {@code 42P01}. */
public class UndefinedTableException extends SyntaxErrorException {
  private static final long serialVersionUID = 1L;

  public UndefinedTableException(ErrorDetails details, SQLException cause) {
    super(details, cause);
  }
}
