package io.lsem.jdbc.failover;

import java.sql.SQLException;
import java.util.Properties;
import org.postgresql.core.BaseConnection;

/** The {@link PhysicalConnector} of one configuration, over a {@link PrimaryFinder}. */
public final class FailoverConnector implements PhysicalConnector {
  private final PrimaryFinder finder;
  private final long timeoutMillis;

  public FailoverConnector(org.postgresql.Driver pgjdbc, String pgUrl, Properties properties, long timeoutMillis) {
    this.finder = new PrimaryFinder(pgjdbc, pgUrl, properties);
    this.timeoutMillis = timeoutMillis;
  }

  /** See {@link PrimaryFinder#connectAsAsked}. */
  @Override
  public BaseConnection connect() throws SQLException {
    return finder.connectAsAsked(timeoutMillis);
  }

  @Override
  public BaseConnection connectPrimary() throws SQLException {
    return finder.connect(timeoutMillis);
  }

  @Override
  public BaseConnection open(HostSpec host) throws SQLException {
    return finder.open(host);
  }

  @Override
  public boolean mayOpenStandbys() {
    return finder.mayOpenStandbys();
  }

  @Override
  public long failoverTimeoutMillis() {
    return timeoutMillis;
  }
}
