package io.lsem.jdbc;

import io.lsem.jdbc.config.ConnectionConfig;
import io.lsem.jdbc.error.InvalidPropertyException;
import io.lsem.jdbc.failover.CausalToken;
import io.lsem.jdbc.failover.FailoverConnector;
import io.lsem.jdbc.pool.ConnectionPool;
import io.lsem.jdbc.wrap.ConnectionWrapper;
import io.lsem.jdbc.wrap.WrapperContext;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.logging.Logger;
import org.postgresql.core.BaseConnection;

/**
 * The JDBC driver for {@code jdbc:lsem:postgresql:} URLs. It removes the {@code lsem:} and the
 * driver's own properties (see {@link LsemProperty}), opens the connection with pgjdbc, and
 * returns it wrapped. Registered with {@link DriverManager} through
 * {@code META-INF/services/java.sql.Driver} and when the class is loaded, so neither
 * {@code Class.forName} nor a {@code driverClassName} setting is needed.
 *
 * <p>Per distinct configuration (URL, properties) the driver keeps one {@link WrapperContext}
 * (settings parsed once, the SQL classification cache) in a small bounded map, and with
 * {@code pool=true} one {@link ConnectionPool}; these maps belong to the registered instance,
 * which with the registration is the only static state.
 */
public final class LsemDriver implements Driver {
  private static final int MAX_CONFIGURATIONS = 256;
  private static final LsemDriver REGISTERED = new LsemDriver();

  static {
    try {
      DriverManager.registerDriver(REGISTERED);
    } catch (SQLException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final org.postgresql.Driver pgjdbc = new org.postgresql.Driver();
  /** URL-level pools (property {@code pool=true}), one per configuration; they live as long as the driver. */
  private final Map<ConnectionConfig, ConnectionPool> pools = new java.util.concurrent.ConcurrentHashMap<>();
  /** The newest write made through this driver, for read-your-writes on standbys. */
  private final CausalToken causal = new CausalToken();
  private final Map<ConnectionConfig, WrapperContext> contexts = Collections.synchronizedMap(
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ConnectionConfig, WrapperContext> eldest) {
          return size() > MAX_CONFIGURATIONS;
        }
      });

  /** The instance registered with {@link DriverManager}. */
  public static LsemDriver registered() {
    return REGISTERED;
  }

  @Override
  public Connection connect(String url, Properties info) throws SQLException {
    if (!acceptsURL(url)) {
      return null;
    }
    ConnectionConfig config = ConnectionConfig.parse(url, info);
    if (config.settings().pool()) {
      return pools.computeIfAbsent(config, c -> ConnectionPool.create(ConnectionConfig.redact(url), c.settings(),
          () -> openSession(c))).borrow();
    }
    return connectUnpooled(config);
  }

  /** A new connection's session for {@code config}, never from a pool (pools open theirs with it). */
  public io.lsem.jdbc.wrap.ConnectionSession openSession(ConnectionConfig config) throws SQLException {
    return connectUnpooled(config).session();
  }

  /** A new connection of {@code config}, never from a pool. */
  private ConnectionWrapper connectUnpooled(ConnectionConfig config) throws SQLException {
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

  @Override
  public boolean acceptsURL(String url) {
    return ConnectionConfig.accepts(url);
  }

  /**
   * The driver's own properties (name, current or default value, description with default and
   * accepted form), then pgjdbc's.
   */
  @Override
  public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) throws SQLException {
    Properties given = info == null ? new Properties() : info;
    List<DriverPropertyInfo> result = new ArrayList<>();
    for (LsemProperty p : LsemProperty.values()) {
      DriverPropertyInfo d = new DriverPropertyInfo(p.propertyName(),
          given.getProperty(p.propertyName(), p.defaultValue()));
      d.description = p.description() + ". Default " + p.defaultValue() + "; " + p.expectedForm() + ".";
      d.required = false;
      result.add(d);
    }
    String pgUrl = acceptsURL(url) ? "jdbc:" + url.substring("jdbc:lsem:".length()) : url;
    Collections.addAll(result, pgjdbc.getPropertyInfo(pgUrl, given));
    return result.toArray(new DriverPropertyInfo[0]);
  }

  @Override
  public int getMajorVersion() {
    return 0;
  }

  @Override
  public int getMinorVersion() {
    return 1;
  }

  /** No: the driver is not yet a full JDBC compliance candidate (nor is pgjdbc). */
  @Override
  public boolean jdbcCompliant() {
    return false;
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException("the driver logs through SLF4J, not java.util.logging");
  }
}
