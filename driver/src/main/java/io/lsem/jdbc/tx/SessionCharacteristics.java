package io.lsem.jdbc.tx;

import io.lsem.jdbc.sql.Isolation;

/**
 * The session's defaults for new transactions as far as the driver knows them: set through
 * {@code setTransactionIsolation}/{@code setReadOnly}, {@code SET SESSION CHARACTERISTICS} or
 * {@code SET default_transaction_…}. {@code null} means the server's default.
 */
final class SessionCharacteristics {
  Isolation isolation;
  Boolean readOnly;
  /** JDBC {@code setReadOnly}: pgjdbc turns it into {@code BEGIN READ ONLY} when autocommit is off. */
  boolean connectionReadOnly;

  void set(Isolation isolation, Boolean readOnly) {
    if (isolation != null) {
      this.isolation = isolation;
    }
    if (readOnly != null) {
      this.readOnly = readOnly;
    }
  }

  SessionCharacteristics copy() {
    SessionCharacteristics c = new SessionCharacteristics();
    c.isolation = isolation;
    c.readOnly = readOnly;
    c.connectionReadOnly = connectionReadOnly;
    return c;
  }
}
