package io.lsem.jdbc.error;

import java.sql.SQLException;

/**
 * The statement ran longer than allowed: the server's {@code statement_timeout}, or the JDBC
 * query timeout set with {@code Statement.setQueryTimeout}. SQLSTATE {@code 57014}. The
 * connection stays usable (the transaction, if any, has failed and needs a rollback).
 */
public class StatementTimeoutException extends QueryCanceledException {
  private static final long serialVersionUID = 1L;

  public StatementTimeoutException(ErrorDetails details, SQLException cause, Reason reason) {
    super(details, cause, reason);
  }
}
