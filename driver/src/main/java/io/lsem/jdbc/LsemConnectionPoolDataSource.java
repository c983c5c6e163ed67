package io.lsem.jdbc;

import io.lsem.jdbc.codegen.GenerateDataSourceBase;

/**
 * pgjdbc's {@code PGConnectionPoolDataSource} through the LSEM driver, for application servers and
 * pools that take a {@code ConnectionPoolDataSource}: configured like pgjdbc's (setters or a
 * {@code jdbc:lsem:postgresql:} URL), with the driver's own properties as bean properties
 * ({@link LsemDataSourceProperties}), by {@link #setProperty(String, String)} or in the URL. The
 * physical connection inside each {@code PooledConnection} is the driver's.
 */
@GenerateDataSourceBase(name = "ConnectionPoolDataSourceBase", over = "org.postgresql.ds.PGConnectionPoolDataSource")
public class LsemConnectionPoolDataSource extends ConnectionPoolDataSourceBase {
  private static final long serialVersionUID = 1L;

  @Override
  public String getDescription() {
    return "LSEM JDBC ConnectionPoolDataSource over pgjdbc " + org.postgresql.util.DriverInfo.DRIVER_VERSION;
  }
}
