package io.lsem.jdbc.error;

import java.sql.SQLException;

/** The server terminated the session because another process crashed. SQLSTATE {@code 57P02}. */
public class CrashShutdownException extends TransientConnectionException {
  private static final long serialVersionUID = 1L;

  public CrashShutdownException(ErrorDetails details, SQLException cause) {
    super(details, cause);
  }
}
