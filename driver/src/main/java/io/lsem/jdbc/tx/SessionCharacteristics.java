package io.lsem.jdbc.tx;

import io.lsem.jdbc.sql.Isolation;

/**
 * The session's defaults for new transactions as far as the driver knows them: set through
 * {@code setTransactionIsolation}/{@code setReadOnly}, {@code SET SESSION CHARACTERISTICS} or
 * {@code SET default_transaction_…}. {@code null} means the server's default. Like every
 * setting changed by SQL, they are undone when the transaction (or savepoint) in which they
 * were changed rolls back. Immutable, so snapshots share it.
 *
 * @param isolation default isolation level, or {@code null} for the server's
 * @param readOnly default access mode, or {@code null} for the server's
 * @param connectionReadOnly JDBC {@code setReadOnly}: pgjdbc turns it into {@code BEGIN READ ONLY}
 *     when autocommit is off
 */
record SessionCharacteristics(Isolation isolation, Boolean readOnly, boolean connectionReadOnly) {
  static final SessionCharacteristics SERVER_DEFAULTS = new SessionCharacteristics(null, null, false);

  /** With {@code isolation} and {@code readOnly} set where not {@code null}. */
  SessionCharacteristics with(Isolation isolation, Boolean readOnly) {
    return new SessionCharacteristics(isolation != null ? isolation : this.isolation,
        readOnly != null ? readOnly : this.readOnly, connectionReadOnly);
  }

  /** After {@code RESET}/{@code SET … TO DEFAULT} of {@code setting} ({@code all} resets both). */
  SessionCharacteristics reset(String setting) {
    boolean all = setting.equals("all");
    return new SessionCharacteristics(all || setting.equals("default_transaction_isolation") ? null : isolation,
        all || setting.equals("default_transaction_read_only") ? null : readOnly, connectionReadOnly);
  }

  /** After {@code setReadOnly}, which is client-side state and never rolled back. */
  SessionCharacteristics withConnectionReadOnly(boolean on) {
    return new SessionCharacteristics(isolation, readOnly, on);
  }

  /** The SQL-set values of {@code other}, keeping this connection-level read-only flag. */
  SessionCharacteristics restoredFrom(SessionCharacteristics other) {
    return new SessionCharacteristics(other.isolation, other.readOnly, connectionReadOnly);
  }
}
