package io.lsem.jdbc.error;

import java.sql.SQLException;

/** A string was too long for its column (string data right truncation). SQLSTATE {@code 22001}. */
public class StringTooLongException extends DataException {
  private static final long serialVersionUID = 1L;

  public StringTooLongException(ErrorDetails details, SQLException cause) {
    super(details, cause);
  }
}
