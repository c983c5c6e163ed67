package io.lsem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lsem.testkit.PostgresExtension;
import io.lsem.testkit.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import liquibase.Liquibase;
import liquibase.database.Database;
import liquibase.database.DatabaseFactory;
import liquibase.resource.DirectoryResourceAccessor;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Flyway and Liquibase given only the {@code jdbc:lsem:} URL, as a build or an application
 * configures them (issue 18 items 3 and 4). Before the driver's plugins both refused the URL:
 * "No Flyway database plugin found to handle jdbc:lsem:…" and "Driver class was not specified and
 * could not be determined from the url".
 */
@ExtendWith(PostgresExtension.class)
class MigrationToolsTest {

  @Test
  void flywayMigratesByTheLsemUrl(TestDatabase db, @TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("V1__flyway_table.sql"), "CREATE TABLE flyway_made(id int PRIMARY KEY);\n"
        + "INSERT INTO flyway_made VALUES (1);\n");
    Flyway flyway = Flyway.configure().dataSource(db.lsemUrl(), db.user(), db.password())
        .schemas("flyway_app").locations("filesystem:" + dir).load();
    assertEquals(1, flyway.migrate().migrationsExecuted);
    assertEquals(1, count(db, "SELECT count(*) FROM flyway_app.flyway_made"));
    assertEquals(1, count(db, "SELECT count(*) FROM flyway_app.flyway_schema_history WHERE success AND version = '1'"));
  }

  /** Spring Boot's Flyway given only {@code spring.flyway.url} (plus user and password): its own data source by the URL. */
  @Test
  void springFlywayUrlMigratesByTheLsemUrl(TestDatabase db, @TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("V1__boot_flyway_table.sql"), "CREATE TABLE boot_flyway_made(id int PRIMARY KEY);\n"
        + "INSERT INTO boot_flyway_made VALUES (1);\n");
    try (var context = migrateAtStart(db, "flyway", "--spring.flyway.schemas=boot_flyway",
        "--spring.flyway.locations=filesystem:" + dir)) {
      assertEquals(1, count(db, "SELECT count(*) FROM boot_flyway.boot_flyway_made"));
      assertEquals(1, count(db, "SELECT count(*) FROM boot_flyway.boot_flyway_made t"
          + " WHERE EXISTS (SELECT 1 FROM lsem.commit_of(t.xmin))"), "the migration ran through LSEM JDBC (a ledger row)");
      assertEquals(1, count(db, "SELECT count(*) FROM boot_flyway.flyway_schema_history WHERE success AND version = '1'"));
    }
  }

  /** Spring Boot's Liquibase given only {@code spring.liquibase.url} (plus user and password). */
  @Test
  void springLiquibaseUrlUpdatesByTheLsemUrl(TestDatabase db, @TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("boot-changelog.sql"), "--liquibase formatted sql\n"
        + "--changeset lsem:1\nCREATE TABLE boot_liquibase_made(id int PRIMARY KEY);\nINSERT INTO boot_liquibase_made VALUES (1);\n");
    try (var context = migrateAtStart(db, "liquibase",
        "--spring.liquibase.change-log=file:" + dir.resolve("boot-changelog.sql"))) {
      assertEquals(1, count(db, "SELECT count(*) FROM boot_liquibase_made t"
          + " WHERE EXISTS (SELECT 1 FROM lsem.commit_of(t.xmin))"), "updated through LSEM JDBC (a ledger row)");
    }
  }

  @org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
  @org.springframework.boot.autoconfigure.EnableAutoConfiguration
  static class MigratingApp {}

  /**
   * A Boot application whose {@code tool} ({@code flyway} or {@code liquibase}) runs at start-up with
   * only {@code spring.<tool>.url}, user and password of its own (plus {@code more}).
   */
  private static org.springframework.context.ConfigurableApplicationContext migrateAtStart(TestDatabase db, String tool,
      String... more) {
    org.springframework.boot.SpringApplication app = new org.springframework.boot.SpringApplication(MigratingApp.class);
    app.setWebApplicationType(org.springframework.boot.WebApplicationType.NONE);
    java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("--spring.datasource.url=" + db.lsemUrl(),
        "--spring.datasource.username=" + db.user(), "--spring.datasource.password=" + db.password(),
        "--spring." + tool + ".url=" + db.lsemUrl(), "--spring." + tool + ".user=" + db.user(),
        "--spring." + tool + ".password=" + db.password(), "--spring." + tool + ".enabled=true"));
    args.addAll(java.util.List.of(more));
    return app.run(args.toArray(String[]::new));
  }

  @Test
  void liquibaseUpdatesByTheLsemUrl(TestDatabase db, @TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("changelog.sql"), "--liquibase formatted sql\n"
        + "--changeset lsem:1\nCREATE TABLE liquibase_made(id int PRIMARY KEY);\n"
        + "--changeset lsem:2\nINSERT INTO liquibase_made VALUES (1);\n");
    DirectoryResourceAccessor files = new DirectoryResourceAccessor(dir);
    Database database = DatabaseFactory.getInstance().openDatabase(db.lsemUrl(), db.user(), db.password(), null,
        null, null, null, files);
    try (Liquibase liquibase = new Liquibase("changelog.sql", files, database)) {
      liquibase.update("");
    }
    assertEquals(1, count(db, "SELECT count(*) FROM liquibase_made"));
    assertEquals(2, count(db, "SELECT count(*) FROM databasechangelog"));
  }

  private static int count(TestDatabase db, String sql) throws Exception {
    try (Connection c = db.plain(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
