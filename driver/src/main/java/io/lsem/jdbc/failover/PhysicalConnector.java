package io.lsem.jdbc.failover;

import java.sql.SQLException;
import org.postgresql.core.BaseConnection;

/** Opens pgjdbc connections for one configuration: the primary again after a failure, or one given host. */
public interface PhysicalConnector {

  /**
   * A new connection as the application asked for it: with several hosts and no
   * {@code targetServerType}, the primary (or a standby for a read-only connection).
   */
  BaseConnection connect() throws SQLException;

  /** A new connection to the primary, found within the configured failover timeout. */
  BaseConnection connectPrimary() throws SQLException;

  /** A connection to {@code host}, whatever its role; throws when it cannot be reached. */
  BaseConnection open(HostSpec host) throws SQLException;

  /**
   * Whether the application asked for connections that may be standbys ({@code targetServerType}
   * other than primary, or a read-only connection on a multi-host URL).
   */
  boolean mayOpenStandbys();

  /** How long to look for a primary, and to wait for a lost transaction to end. */
  long failoverTimeoutMillis();
}
