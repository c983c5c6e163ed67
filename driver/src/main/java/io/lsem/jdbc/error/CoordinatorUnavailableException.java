package io.lsem.jdbc.error;

import java.sql.SQLException;

/**
 * The shared timestamp oracle ({@code timestampOracle=etcd}) did not answer within
 * {@code coordinatorTimeout}: the call that needed a timestamp (a transaction's first statement,
 * or its COMMIT) was not sent, and nothing ran with a timestamp made up locally. The message names
 * each coordinator member and what it answered. Transient: the same call may succeed once the
 * coordinator is back; an open transaction stays open. SQLSTATE {@code 08001}.
 */
public class CoordinatorUnavailableException extends TransientConnectionException {
  private static final long serialVersionUID = 1L;

  public CoordinatorUnavailableException(String message) {
    this(new SQLException(message, "08001"));
  }

  private CoordinatorUnavailableException(SQLException cause) {
    super(new ErrorDetails("08001", null, cause.getMessage(), null, null, 0, null, null, null, null, null, null, null,
        true), cause);
  }
}
