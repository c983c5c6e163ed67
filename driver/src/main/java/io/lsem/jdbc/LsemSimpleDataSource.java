package io.lsem.jdbc;

import io.lsem.jdbc.codegen.GenerateDataSourceBase;

/**
 * pgjdbc's {@code PGSimpleDataSource} through the LSEM driver: configured the same way (server
 * names, ports, database, pgjdbc's setters and properties) or by a {@code jdbc:lsem:postgresql:}
 * URL, and the driver's own properties as bean properties ({@link LsemDataSourceProperties}), by
 * {@link #setProperty(String, String)} or in the URL.
 * Every connection it hands out is the driver's. Not pooled: use {@code LsemDataSource} or a pool.
 */
@GenerateDataSourceBase(name = "SimpleDataSourceBase", over = "org.postgresql.ds.PGSimpleDataSource")
public class LsemSimpleDataSource extends SimpleDataSourceBase {
  private static final long serialVersionUID = 1L;

  @Override
  public String getDescription() {
    return "LSEM JDBC non-pooling DataSource over pgjdbc " + org.postgresql.util.DriverInfo.DRIVER_VERSION;
  }
}
