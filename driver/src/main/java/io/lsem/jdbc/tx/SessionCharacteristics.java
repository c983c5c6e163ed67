package io.lsem.jdbc.tx;

import io.lsem.jdbc.sql.Isolation;

/**
 * The session's defaults for new transactions as far as the driver knows them: set through
 * {@code setTransactionIsolation}/{@code setReadOnly}, {@code SET SESSION CHARACTERISTICS} or
 * {@code SET default_transaction_…}. {@code null} means the server's default. Like every
 * setting changed by SQL, they are undone when the transaction (or savepoint) in which they
 * were changed rolls back.
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

  /** {@code RESET}/{@code SET … TO DEFAULT} of {@code setting} ({@code all} resets both). */
  void reset(String setting) {
    if (setting.equals("all") || setting.equals("default_transaction_isolation")) {
      isolation = null;
    }
    if (setting.equals("all") || setting.equals("default_transaction_read_only")) {
      readOnly = null;
    }
  }

  /** Takes over the values of {@code other} (GUC changes undone by a rollback). */
  void restore(SessionCharacteristics other) {
    isolation = other.isolation;
    readOnly = other.readOnly;
  }

  SessionCharacteristics copy() {
    SessionCharacteristics c = new SessionCharacteristics();
    c.isolation = isolation;
    c.readOnly = readOnly;
    c.connectionReadOnly = connectionReadOnly;
    return c;
  }
}
