package io.lsem.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * One side of the comparison: a label ("plain" or "lsem"), the JDBC URL and the connection
 * properties. Both sides use the same database, credentials and pgjdbc settings; only the URL
 * prefix differs. {@link #toString()} never shows the properties (they hold the password).
 */
public record DriverTarget(String label, String url, Properties properties) {

  /** A new connection through {@link DriverManager}, as an application would open it. */
  public Connection connect() throws SQLException {
    return DriverManager.getConnection(url, properties);
  }

  @Override
  public String toString() {
    return label + " (" + url + ")";
  }
}
