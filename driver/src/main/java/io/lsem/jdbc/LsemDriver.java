package io.lsem.jdbc;

import io.lsem.jdbc.spi.DriverImplementation;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.logging.Logger;
import javax.sql.XAConnection;

/**
 * The JDBC driver for {@code jdbc:lsem:postgresql:} URLs. It removes the {@code lsem:} and the
 * driver's own properties (see {@link LsemProperty}), opens the connection with pgjdbc, and
 * returns it wrapped. Registered with {@link DriverManager} through
 * {@code META-INF/services/java.sql.Driver} and when the class is loaded, so neither
 * {@code Class.forName} nor a {@code driverClassName} setting is needed.
 *
 * <p>The work is done by the implementation ({@code io.lsem.jdbc.core.DriverCore}, found through
 * {@link DriverImplementation} once per instance): per distinct configuration it keeps the parsed
 * settings and SQL cache, and with {@code pool=true} one pool. That state belongs to the instance;
 * the registered instance is the only static state.
 */
public final class LsemDriver implements Driver {
  /** What every URL of this driver starts with. */
  public static final String URL_PREFIX = "jdbc:lsem:postgresql:";
  /** The form of a valid URL, for error messages. */
  public static final String URL_FORM =
      "jdbc:lsem:postgresql://host[:port][,host2[:port2]...]/database[?property=value[&...]]";

  private static final LsemDriver REGISTERED = new LsemDriver();

  static {
    try {
      DriverManager.registerDriver(REGISTERED);
    } catch (SQLException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** This instance's connections, contexts and URL-level pools. */
  private final DriverImplementation implementation = loadImplementation();

  /** The instance registered with {@link DriverManager}. */
  public static LsemDriver registered() {
    return REGISTERED;
  }

  private static DriverImplementation loadImplementation() {
    return ServiceLoader.load(DriverImplementation.class, LsemDriver.class.getClassLoader()).findFirst()
        .orElseThrow(() -> new IllegalStateException("The LSEM JDBC jar is incomplete: no "
            + DriverImplementation.class.getName() + " in META-INF/services; expected io.lsem.jdbc.core.DriverCore"));
  }

  @Override
  public Connection connect(String url, Properties info) throws SQLException {
    return acceptsURL(url) ? implementation.connect(url, info) : null;
  }

  /**
   * A newly opened connection for {@code url}, never from a pool even with {@code pool=true}: what a
   * pool (the driver's {@code LsemDataSource}) opens its connections with. A URL that is not the
   * driver's is refused naming it, as every bad input is.
   */
  public Connection connectUnpooled(String url, Properties info) throws SQLException {
    return implementation.connectUnpooled(url, info);
  }

  /** The XA connection over {@code connection}, a connection of this driver. */
  XAConnection xaConnection(Connection connection) throws SQLException {
    return implementation.xaConnection(connection);
  }

  @Override
  public boolean acceptsURL(String url) {
    return url != null && url.startsWith(URL_PREFIX);
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
    Collections.addAll(result, new org.postgresql.Driver().getPropertyInfo(pgUrl, given));
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
