package io.lsem.jdbc.migrate;

import io.lsem.jdbc.LsemDriver;
import liquibase.database.DatabaseConnection;
import liquibase.database.core.PostgresDatabase;

/**
 * Lets Liquibase find the driver for a {@code jdbc:lsem:postgresql:} URL: Liquibase asks every
 * database implementation for the default driver of a URL, and none knows the LSEM prefix ("Driver
 * class was not specified and could not be determined from the url"). Once connected, Liquibase's
 * own PostgreSQL implementation handles the database; this one never claims a connection.
 * Registered in {@code META-INF/services/liquibase.database.Database}; loaded only by Liquibase.
 */
public class LsemLiquibaseDatabase extends PostgresDatabase {

  @Override
  public String getDefaultDriver(String url) {
    return url != null && url.startsWith("jdbc:lsem:postgresql:") ? LsemDriver.class.getName() : null;
  }

  /** PostgreSQL's implementation handles the connection: this one only names the driver. */
  @Override
  public boolean isCorrectDatabaseImplementation(DatabaseConnection conn) {
    return false;
  }

  @Override
  public String getShortName() {
    return "lsem-postgresql";
  }
}
