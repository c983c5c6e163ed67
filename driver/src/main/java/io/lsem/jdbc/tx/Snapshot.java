package io.lsem.jdbc.tx;

import io.lsem.jdbc.sql.Isolation;

/**
 * The settings a rollback restores: the session's transaction defaults and the transaction's
 * own isolation level and access mode, as they were when a transaction began or a savepoint
 * was set. PostgreSQL undoes every {@code SET} made since then when the transaction (or the
 * subtransaction of the savepoint) aborts.
 */
record Snapshot(SessionCharacteristics session, Isolation isolation, Boolean readOnly) {}
