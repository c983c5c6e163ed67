package io.lsem.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.XAConnection;
import org.postgresql.xa.PGXADataSource;

/**
 * pgjdbc's {@code PGXADataSource} through the LSEM driver, for transaction managers: configured
 * like pgjdbc's (setters or a {@code jdbc:lsem:postgresql:} URL), with the driver's own properties
 * by {@link #setProperty(String, String)} or in the URL. Each {@code XAConnection} is an
 * {@code io.lsem.jdbc.xa.LsemXAConnection} over a connection of the driver: the statements of a
 * branch go through the driver, and with timestamps on every branch of a global transaction
 * records the same logical id and commit timestamp in its database's ledger. A branch is not
 * replayed once prepared; before, transparent retry works as for any transaction.
 */
public class LsemXADataSource extends PGXADataSource implements LsemDataSourceProperties {
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

  @Override
  public XAConnection getXAConnection(String user, String password) throws SQLException {
    return LsemDriver.registered().xaConnection(getConnection(user, password));
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
    return "LSEM JDBC XADataSource over pgjdbc " + org.postgresql.util.DriverInfo.DRIVER_VERSION;
  }
}
