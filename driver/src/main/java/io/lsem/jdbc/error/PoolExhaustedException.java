package io.lsem.jdbc.error;

import java.sql.SQLTransientConnectionException;

/**
 * No pooled connection became free within {@code poolConnectionTimeout}. The message says how
 * many connections were active, idle and being waited for, the maximum, how long the borrower
 * waited, and the last failure to open a connection if there was one. SQLSTATE {@code 08001};
 * trying again later may succeed.
 */
public class PoolExhaustedException extends SQLTransientConnectionException {
  private static final long serialVersionUID = 1L;

  public PoolExhaustedException(String message, Throwable lastConnectFailure) {
    super(message, "08001", lastConnectFailure);
  }
}
