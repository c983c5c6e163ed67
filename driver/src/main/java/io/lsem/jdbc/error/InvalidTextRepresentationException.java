package io.lsem.jdbc.error;

import java.sql.SQLException;

/**
 * A text could not be read as a value of the target type, e.g. 'abc'::int. SQLSTATE {@code
 * 22P02}.
 */
public class InvalidTextRepresentationException extends DataException {
  private static final long serialVersionUID = 1L;

  public InvalidTextRepresentationException(ErrorDetails details, SQLException cause) {
    super(details, cause);
  }
}
