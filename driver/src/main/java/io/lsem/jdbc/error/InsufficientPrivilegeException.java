package io.lsem.jdbc.error;

import java.sql.SQLException;

/** The role lacks a privilege the statement needs. SQLSTATE {@code 42501}. */
public class InsufficientPrivilegeException extends SyntaxErrorException {
  private static final long serialVersionUID = 1L;

  public InsufficientPrivilegeException(ErrorDetails details, SQLException cause) {
    super(details, cause);
  }
}
