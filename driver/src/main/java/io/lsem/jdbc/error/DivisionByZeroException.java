package io.lsem.jdbc.error;

import java.sql.SQLException;

/** Division by zero. SQLSTATE {@code 22012}. */
public class DivisionByZeroException extends DataException {
  private static final long serialVersionUID = 1L;

  public DivisionByZeroException(ErrorDetails details, SQLException cause) {
    super(details, cause);
  }
}
