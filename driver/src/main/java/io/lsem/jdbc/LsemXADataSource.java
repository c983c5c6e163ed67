package io.lsem.jdbc;

import io.lsem.jdbc.codegen.GenerateDataSourceBase;
import java.sql.SQLException;
import javax.sql.XAConnection;

/**
 * pgjdbc's {@code PGXADataSource} through the LSEM driver, for transaction managers: configured
 * like pgjdbc's (setters or a {@code jdbc:lsem:postgresql:} URL), with the driver's own properties
 * by {@link #setProperty(String, String)} or in the URL. Each {@code XAConnection} is an
 * {@code io.lsem.jdbc.xa.LsemXAConnection} over a connection of the driver: the statements of a
 * branch go through the driver, and with timestamps on every branch of a global transaction
 * records the same logical id and commit timestamp in its database's ledger. A branch is not
 * replayed once prepared; before, transparent retry works as for any transaction.
 */
@GenerateDataSourceBase(name = "XADataSourceBase", over = "org.postgresql.xa.PGXADataSource")
public class LsemXADataSource extends XADataSourceBase {
  private static final long serialVersionUID = 1L;

  /** An XA connection whose statements go through the driver (its own XA resource). */
  @Override
  public XAConnection getXAConnection(String user, String password) throws SQLException {
    return LsemDriver.registered().xaConnection(getConnection(user, password));
  }

  @Override
  public String getDescription() {
    return "LSEM JDBC XADataSource over pgjdbc " + org.postgresql.util.DriverInfo.DRIVER_VERSION;
  }
}
