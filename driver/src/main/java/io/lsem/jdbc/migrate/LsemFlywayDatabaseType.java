package io.lsem.jdbc.migrate;

import io.lsem.jdbc.LsemDriver;
import org.flywaydb.database.postgresql.PostgreSQLDatabaseType;

/**
 * Flyway's database type for {@code jdbc:lsem:postgresql:} URLs: Flyway picks a database type, and
 * the driver class to load, from the URL's prefix, and without this it refuses the LSEM URL ("No
 * Flyway database plugin found to handle jdbc:lsem:…"). Everything else is Flyway's PostgreSQL
 * support; a connection handed to Flyway (a DataSource) is recognised by PostgreSQL's own type, so
 * this one answers for URLs only. Registered as a Flyway plugin in {@code META-INF/services}; loaded
 * only by Flyway, which needs {@code flyway-database-postgresql} beside it, as for plain pgjdbc.
 */
public class LsemFlywayDatabaseType extends PostgreSQLDatabaseType {
  private static final String PREFIX = "jdbc:lsem:postgresql:";

  @Override
  public String getName() {
    return "PostgreSQL (LSEM JDBC)";
  }

  @Override
  public boolean handlesJDBCUrl(String url) {
    return url != null && url.startsWith(PREFIX);
  }

  @Override
  public String getDriverClass(String url, ClassLoader classLoader) {
    return LsemDriver.class.getName();
  }

  /** Connections are PostgreSQL's to recognise: this type is for URLs. */
  @Override
  public boolean handlesDatabaseProductNameAndVersion(String databaseProductName, String databaseProductVersion,
      java.sql.Connection connection) {
    return false;
  }
}
