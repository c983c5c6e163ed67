package io.lsem.jdbc.error;

import java.sql.SQLException;

/** A number was out of range for its type. SQLSTATE {@code 22003}. */
public class NumericOutOfRangeException extends DataException {
  private static final long serialVersionUID = 1L;

  public NumericOutOfRangeException(ErrorDetails details, SQLException cause) {
    super(details, cause);
  }
}
