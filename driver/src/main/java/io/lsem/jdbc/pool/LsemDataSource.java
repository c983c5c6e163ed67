package io.lsem.jdbc.pool;

import io.lsem.jdbc.LsemDriver;
import io.lsem.jdbc.config.ConnectionConfig;
import io.lsem.jdbc.wrap.ConnectionWrapper;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Properties;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A pooled {@link DataSource} of the driver: set the {@code jdbc:lsem:} URL, user and password
 * (and any driver or pgjdbc property, in the URL or with {@link #setProperty}), then
 * {@link #getConnection()} borrows and {@code Connection.close()} gives back. The pool starts with
 * the first borrow, with the {@code pool*} properties (see the README); {@link #close()} closes it.
 * A plain JavaBean, so Spring ({@code spring.datasource.type=io.lsem.jdbc.pool.LsemDataSource}) and
 * JNDI containers can create and configure it. The password is never part of {@code toString()}.
 */
public final class LsemDataSource implements DataSource, AutoCloseable {
  private final Properties properties = new Properties();
  private volatile String url;
  private volatile ConnectionPool pool;
  private final java.util.concurrent.atomic.AtomicReference<ConnectionPool> starting =
      new java.util.concurrent.atomic.AtomicReference<>();
  private PrintWriter logWriter;
  private int loginTimeout;

  public LsemDataSource() {
  }

  /** A data source for {@code url} ({@code jdbc:lsem:postgresql://...}). */
  public LsemDataSource(String url) {
    this.url = url;
  }

  public String getUrl() {
    return url;
  }

  /** The {@code jdbc:lsem:postgresql://...} URL; only before the first borrow. */
  public void setUrl(String url) {
    beforeStart("url");
    this.url = url;
  }

  /** Spring's and HikariCP's name for {@link #setUrl}. */
  public void setJdbcUrl(String url) {
    setUrl(url);
  }

  public String getUser() {
    return properties.getProperty("user");
  }

  public void setUser(String user) {
    setProperty("user", user);
  }

  /** Spring's name for {@link #setUser}. */
  public void setUsername(String user) {
    setUser(user);
  }

  public void setPassword(String password) {
    setProperty("password", password);
  }

  /** Any driver ({@code poolMaxSize}, {@code retry}, ...) or pgjdbc property; only before the first borrow. */
  public void setProperty(String name, String value) {
    beforeStart(name);
    if (value == null) {
      properties.remove(name);
    } else {
      properties.setProperty(name, value);
    }
  }

  /** The value set for a driver or pgjdbc property with {@link #setProperty} (not the URL's), or {@code null}. */
  public String getProperty(String name) {
    return properties.getProperty(name);
  }

  /** Several properties at once (see {@link #setProperty}). */
  public void setProperties(Properties more) {
    for (String name : more.stringPropertyNames()) {
      setProperty(name, more.getProperty(name));
    }
  }

  private void beforeStart(String what) {
    if (pool != null) {
      throw new IllegalStateException("the pool has started; '" + what + "' can no longer be changed");
    }
  }

  @Override
  public Connection getConnection() throws SQLException {
    return pool().borrow();
  }

  /** Not supported: a pool holds connections of one user. */
  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    throw new SQLFeatureNotSupportedException("LsemDataSource pools connections of one user (setUser/setPassword);"
        + " getConnection(user, password) is not supported");
  }

  private ConnectionPool pool() throws SQLException {
    ConnectionPool p = pool;
    if (p != null) {
      return p;
    }
    String u = url;
    if (u == null) {
      throw new SQLException("LsemDataSource has no URL; expected setUrl(\"jdbc:lsem:postgresql://host:5432/db\")",
          "08001");
    }
    ConnectionConfig config = ConnectionConfig.parse(u, properties); // bad input fails here, before any pool exists
    LsemDriver driver = LsemDriver.registered();
    Properties given = (Properties) properties.clone();
    ConnectionPool fresh = ConnectionPool.create(ConnectionConfig.redact(u), config.settings(),
        () -> driver.connectUnpooled(u, given).unwrap(ConnectionWrapper.class).session());
    if (starting.compareAndSet(null, fresh)) {
      pool = fresh;
      return fresh;
    }
    fresh.close(); // another thread started the pool first
    return starting.get();
  }

  /** The pool's counters, or all zero before the first borrow. */
  public PoolStats stats() {
    ConnectionPool p = pool;
    return p == null ? new PoolStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0) : p.stats();
  }

  /** Closes the pool (see {@link ConnectionPool#close()}); borrowing afterwards fails. */
  @Override
  public void close() {
    ConnectionPool p = pool;
    if (p != null) {
      p.close();
    }
  }

  public boolean isClosed() {
    ConnectionPool p = pool;
    return p != null && p.isClosed();
  }

  @Override
  public PrintWriter getLogWriter() {
    return logWriter;
  }

  @Override
  public void setLogWriter(PrintWriter out) {
    this.logWriter = out;
  }

  @Override
  public void setLoginTimeout(int seconds) {
    this.loginTimeout = seconds;
  }

  @Override
  public int getLoginTimeout() {
    return loginTimeout;
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException("the driver logs through SLF4J, not java.util.logging");
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    if (iface.isInstance(this)) {
      return iface.cast(this);
    }
    throw new SQLException("LsemDataSource does not wrap a " + iface.getName());
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) {
    return iface.isInstance(this);
  }

  @Override
  public String toString() {
    return "LsemDataSource{" + (url == null ? "no URL" : ConnectionConfig.redact(url)) + ", " + stats() + "}";
  }
}
