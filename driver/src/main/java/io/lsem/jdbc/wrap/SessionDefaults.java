package io.lsem.jdbc.wrap;

import java.sql.SQLException;
import org.postgresql.core.BaseConnection;

/**
 * What a pooled connection looked like when the pool opened it, so that giving it back can put
 * back what the application changed (see {@link ConnectionWrapper#resetForReuse}).
 *
 * @param autoCommit autocommit as opened
 * @param readOnly the JDBC read-only flag as opened
 * @param networkTimeout the network timeout as opened, in milliseconds
 * @param holdability the result-set holdability as opened
 */
public record SessionDefaults(boolean autoCommit, boolean readOnly, int networkTimeout, int holdability) {

  /** The defaults of {@code session}'s connection as it is now (right after it was opened). */
  public static SessionDefaults of(ConnectionSession session) throws SQLException {
    BaseConnection c = session.physical;
    return new SessionDefaults(c.getAutoCommit(), c.isReadOnly(), c.getNetworkTimeout(), c.getHoldability());
  }
}
