package io.lsem.jdbc.wrap;

import io.lsem.jdbc.codegen.GenerateGuarded;
import java.sql.SQLException;
import org.postgresql.largeobject.LargeObjectManager;

/**
 * pgjdbc's {@link LargeObjectManager} on the driver's connection: creating, opening or deleting
 * a large object first marks the open transaction as not replayable (large objects are written
 * through pgjdbc's fast-path calls, past the statements), then runs exactly as in pgjdbc. The
 * generated {@code ReplayGuardedLargeObjectManager} calls {@link #guard()} before each of
 * {@code LargeObjectManager}'s methods.
 */
@GenerateGuarded("ReplayGuardedLargeObjectManager")
abstract class LargeObjectGuard extends LargeObjectManager {
  private final ConnectionWrapper connection;

  LargeObjectGuard(ConnectionWrapper connection) throws SQLException {
    super(connection);
    this.connection = connection;
  }

  final void guard() {
    connection.bypassingStatements("large objects");
  }
}
