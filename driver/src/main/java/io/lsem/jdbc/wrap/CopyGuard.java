package io.lsem.jdbc.wrap;

import io.lsem.jdbc.codegen.GenerateGuarded;
import java.sql.SQLException;
import org.postgresql.copy.CopyManager;

/**
 * pgjdbc's {@link CopyManager} on the driver's connection: every COPY first marks the open
 * transaction as not replayable (its data streams past the statements and cannot be run
 * again), then runs exactly as in pgjdbc. The generated {@code ReplayGuardedCopyManager} calls
 * {@link #guard()} before each of {@code CopyManager}'s methods.
 */
@GenerateGuarded("ReplayGuardedCopyManager")
abstract class CopyGuard extends CopyManager {
  private final ConnectionWrapper connection;

  CopyGuard(ConnectionWrapper connection) throws SQLException {
    super(connection);
    this.connection = connection;
  }

  final void guard() {
    connection.bypassingStatements("COPY");
  }
}
