package io.lsem.jdbc.spi;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;
import javax.sql.XAConnection;

/**
 * What the API classes ({@code io.lsem.jdbc.LsemDriver} and the data sources) ask of the driver's
 * implementation. The API package names only this interface, and {@code LsemDriver} loads the one
 * implementation ({@code io.lsem.jdbc.core.DriverCore}) once per driver instance through
 * {@link java.util.ServiceLoader}; so the implementation packages may use the API's types while the
 * API depends on none of them, and the packages form no cycle. Not for applications: the
 * implementation and this interface change together.
 */
public interface DriverImplementation {

  /**
   * A connection for an accepted {@code jdbc:lsem:postgresql:} URL: borrowed from the URL's pool
   * with {@code pool=true}, otherwise newly opened. Bad input throws naming the bad thing.
   */
  Connection connect(String url, Properties info) throws SQLException;

  /** A newly opened connection for {@code url}, never from a pool (pools open theirs with it). */
  Connection connectUnpooled(String url, Properties info) throws SQLException;

  /** The XA connection over {@code connection}, a connection this implementation opened. */
  XAConnection xaConnection(Connection connection) throws SQLException;
}
