package io.lsem.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import org.postgresql.ds.PGConnectionPoolDataSource;

/**
 * pgjdbc's {@code PGConnectionPoolDataSource} through the LSEM driver, for application servers and
 * pools that take a {@code ConnectionPoolDataSource}: configured like pgjdbc's (setters or a
 * {@code jdbc:lsem:postgresql:} URL), with the driver's own properties as bean properties
 * ({@link LsemDataSourceProperties}), by {@link #setProperty(String, String)} or in the URL. The
 * physical connection inside each {@code PooledConnection} is the driver's.
 */
public class LsemConnectionPoolDataSource extends PGConnectionPoolDataSource implements LsemDataSourceProperties {
  private static final long serialVersionUID = 1L;
  private final DataSourceSettings lsem = new DataSourceSettings();

  /** Takes a {@code jdbc:lsem:postgresql:} URL; throws {@link IllegalArgumentException} naming the expected form otherwise. */
  @Override
  public void setUrl(String url) {
    super.setUrl(lsem.plainUrl(url));
  }

  @Override
  public void setURL(String url) {
    setUrl(url);
  }

  /** The {@code jdbc:lsem:} URL, the driver's properties included. */
  @Override
  public String getUrl() {
    return lsem.lsemUrl(super.getUrl());
  }

  @Override
  public String getURL() {
    return getUrl();
  }

  /** Sets a driver property (validated now, as in the URL) or a pgjdbc one. */
  @Override
  public void setProperty(String name, String value) throws SQLException {
    LsemProperty p = lsem.owned(name);
    if (p != null) {
      lsem.set(p, value);
    } else {
      super.setProperty(name, value);
    }
  }

  @Override
  public String getProperty(String name) throws SQLException {
    LsemProperty p = lsem.owned(name);
    return p != null ? lsem.get(p) : super.getProperty(name);
  }

  @Override
  public void setDriverProperty(LsemProperty property, String value) {
    lsem.set(property, value);
  }

  @Override
  public String getDriverProperty(LsemProperty property) {
    return lsem.get(property);
  }

  @Override
  public Connection getConnection(String user, String password) throws SQLException {
    return lsem.connect(super.getUrl(), user, password);
  }

  /** A reference that {@link LsemObjectFactory} turns back into this class, the driver's properties included. */
  @Override
  protected javax.naming.Reference createReference() {
    return DataSourceSettings.reference(getClass());
  }

  @Override
  public javax.naming.Reference getReference() throws javax.naming.NamingException {
    return lsem.addTo(super.getReference());
  }

  @Override
  public String getDescription() {
    return "LSEM JDBC ConnectionPoolDataSource over pgjdbc " + org.postgresql.util.DriverInfo.DRIVER_VERSION;
  }
}
