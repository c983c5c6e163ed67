package io.lsem.jdbc.tx;

import java.sql.SQLException;

/**
 * Who turns a failed call's {@link SQLException} into the typed exception the application gets: the
 * object the call was made on (a statement knows whether it was canceled or timed out, a result set
 * asks its statement, the connection translates by SQLSTATE alone).
 */
@FunctionalInterface
public interface ErrorTranslation {
  /** The typed exception for {@code e}. */
  SQLException translate(SQLException e);
}
