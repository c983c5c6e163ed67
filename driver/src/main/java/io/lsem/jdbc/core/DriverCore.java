package io.lsem.jdbc.core;

import io.lsem.jdbc.config.ConnectionConfig;
import io.lsem.jdbc.error.InvalidPropertyException;
import io.lsem.jdbc.failover.CausalToken;
import io.lsem.jdbc.failover.FailoverConnector;
import io.lsem.jdbc.pool.ConnectionPool;
import io.lsem.jdbc.spi.DriverImplementation;
import io.lsem.jdbc.wrap.ConnectionWrapper;
import io.lsem.jdbc.wrap.WrapperContext;
import io.lsem.jdbc.xa.LsemXAConnection;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.XAConnection;
import org.postgresql.core.BaseConnection;

/**
 * The driver's implementation behind {@code io.lsem.jdbc.LsemDriver}: it removes the {@code lsem:}
 * and the driver's own properties, opens the connection with pgjdbc (through the failover connector
 * for multi-host URLs), and returns it wrapped.
 *
 * <p>Per distinct configuration (URL, properties) it keeps one {@link WrapperContext} (settings
 * parsed once, the SQL classification cache) in a small bounded map, and with {@code pool=true}
 * one {@link ConnectionPool}; these maps belong to the driver instance that loaded this one.
 */
public final class DriverCore implements DriverImplementation {
  private static final int MAX_CONFIGURATIONS = 256;

  private final org.postgresql.Driver pgjdbc = new org.postgresql.Driver();
  /** URL-level pools (property {@code pool=true}), one per configuration; they live as long as the driver. */
  private final Map<ConnectionConfig, ConnectionPool> pools = new ConcurrentHashMap<>();
  /** The newest write made through this driver, for read-your-writes on standbys. */
  private final CausalToken causal = new CausalToken();
  private final Map<ConnectionConfig, WrapperContext> contexts = Collections.synchronizedMap(
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ConnectionConfig, WrapperContext> eldest) {
          return size() > MAX_CONFIGURATIONS;
        }
      });

  /** For {@link java.util.ServiceLoader}. */
  public DriverCore() {}

  @Override
  public Connection connect(String url, Properties info) throws SQLException {
    ConnectionConfig config = ConnectionConfig.parse(url, info);
    if (config.settings().pool()) {
      return pools.computeIfAbsent(config, c -> ConnectionPool.create(ConnectionConfig.redact(url), c.settings(),
          () -> open(c).session())).borrow();
    }
    return open(config);
  }

  @Override
  public Connection connectUnpooled(String url, Properties info) throws SQLException {
    return open(ConnectionConfig.parse(url, info));
  }

  @Override
  public XAConnection xaConnection(Connection connection) throws SQLException {
    return new LsemXAConnection(connection.unwrap(ConnectionWrapper.class));
  }

  /** A new connection of {@code config}, never from a pool. */
  private ConnectionWrapper open(ConnectionConfig config) throws SQLException {
    WrapperContext context = contexts.computeIfAbsent(config, c -> {
      WrapperContext made = new WrapperContext(c.settings(),
          new FailoverConnector(pgjdbc, c.pgUrl(), c.pgProperties(), c.settings().failoverTimeout().toMillis()),
          causal);
      made.url(c.url());
      return made;
    });
    Connection raw;
    try {
      raw = context.connector() != null ? context.connector().connect()
          : pgjdbc.connect(config.pgUrl(), config.pgProperties());
    } catch (SQLException e) {
      throw context.translate(e);
    }
    if (raw == null) {
      throw new InvalidPropertyException("url", "pgjdbc rejected the URL '" + ConnectionConfig.redact(config.pgUrl())
          + "'; expected " + ConnectionConfig.URL_FORM);
    }
    try {
      return ConnectionWrapper.wrap(raw.unwrap(BaseConnection.class), context);
    } catch (SQLException | RuntimeException e) {
      raw.close();
      throw e;
    }
  }
}
