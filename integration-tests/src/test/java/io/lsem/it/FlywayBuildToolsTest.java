package io.lsem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lsem.jdbc.LsemDriver;
import io.lsem.testkit.PostgresExtension;
import io.lsem.testkit.TestDatabase;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Flyway's Maven plugin and Flyway's command line given only the {@code jdbc:lsem:} URL (issue 18
 * item 3), each run as a user runs it, in a child process: {@code mvn flyway:migrate} on a project
 * that has the driver as a dependency, and {@code org.flywaydb.commandline.Main migrate} with the
 * driver on its class path. Both find the driver's Flyway database type through Flyway's plugin
 * loader; without it they stop with "No Flyway database plugin found to handle jdbc:lsem:…". The
 * migrated row must map to a ledger row, which only a commit through LSEM JDBC writes.
 *
 * <p>The child builds resolve Flyway from the local Maven repository, or from Maven Central the
 * first time. The command line is Flyway 12.4 (13.x's command line needs artifacts Maven Central
 * does not serve), with jackson-annotations 2.21, which its own dependency tree lacks.
 */
@ExtendWith(PostgresExtension.class)
class FlywayBuildToolsTest {
  private static final String FLYWAY_PLUGIN_VERSION = "13.12.2";
  private static final String FLYWAY_CLI_VERSION = "12.4.0";

  @Test
  void theFlywayMavenPluginMigratesByTheLsemUrl(TestDatabase db, @TempDir Path project) throws Exception {
    migration(project);
    Files.writeString(project.resolve("pom.xml"), pom(driverDependencies(), """
        <build><plugins><plugin>
          <groupId>org.flywaydb</groupId><artifactId>flyway-maven-plugin</artifactId><version>%1$s</version>
          <dependencies>
            <dependency><groupId>org.flywaydb</groupId><artifactId>flyway-database-postgresql</artifactId><version>%1$s</version></dependency>
          </dependencies>
        </plugin></plugins></build>""".formatted(FLYWAY_PLUGIN_VERSION)));
    run(project, maven(project, "flyway:migrate", "-Dflyway.url=" + db.lsemUrl(), "-Dflyway.user=" + db.user(),
        "-Dflyway.password=" + db.password(), "-Dflyway.schemas=maven_flyway",
        "-Dflyway.locations=filesystem:" + project.resolve("sql")));
    assertMigratedThroughLsem(db, "maven_flyway");
  }

  @Test
  void theFlywayCommandLineMigratesByTheLsemUrl(TestDatabase db, @TempDir Path project) throws Exception {
    migration(project);
    Files.writeString(project.resolve("pom.xml"), pom("""
        <dependency><groupId>org.flywaydb</groupId><artifactId>flyway-commandline</artifactId><version>%1$s</version></dependency>
        <dependency><groupId>org.flywaydb</groupId><artifactId>flyway-database-postgresql</artifactId><version>%1$s</version></dependency>
        <dependency><groupId>com.fasterxml.jackson.core</groupId><artifactId>jackson-annotations</artifactId><version>2.21</version></dependency>
        """.formatted(FLYWAY_CLI_VERSION), ""));
    Path classPathFile = project.resolve("flyway.classpath");
    run(project, maven(project, "dependency:build-classpath", "-Dmdep.outputFile=" + classPathFile));
    String classPath = Files.readString(classPathFile).trim() + File.pathSeparator + String.join(File.pathSeparator,
        driverJars());
    run(project, List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", classPath,
        "org.flywaydb.commandline.Main", "-url=" + db.lsemUrl(), "-user=" + db.user(), "-password=" + db.password(),
        "-schemas=cli_flyway", "-locations=filesystem:" + project.resolve("sql"), "migrate"));
    assertMigratedThroughLsem(db, "cli_flyway");
  }

  private static void migration(Path project) throws Exception {
    Files.createDirectories(project.resolve("sql"));
    Files.writeString(project.resolve("sql/V1__made.sql"), "CREATE TABLE made(id int PRIMARY KEY);\n"
        + "INSERT INTO made VALUES (1);\n");
  }

  private static void assertMigratedThroughLsem(TestDatabase db, String schema) throws Exception {
    assertEquals(1, count(db, "SELECT count(*) FROM " + schema + ".made t"
        + " WHERE EXISTS (SELECT 1 FROM lsem.commit_of(t.xmin))"), "the migration committed through LSEM JDBC");
    assertEquals(1, count(db, "SELECT count(*) FROM " + schema + ".flyway_schema_history WHERE success AND version = '1'"));
  }

  private static String pom(String dependencies, String build) {
    return """
        <project xmlns="http://maven.apache.org/POM/4.0.0">
          <modelVersion>4.0.0</modelVersion>
          <groupId>io.lsem.it</groupId><artifactId>flyway-by-url</artifactId><version>1</version>
          <dependencies>
        %s
          </dependencies>
        %s
        </project>
        """.formatted(dependencies, build);
  }

  /** The driver and what it needs at run time, as the project's own dependencies (the jars of this build). */
  private static String driverDependencies() {
    StringBuilder xml = new StringBuilder();
    List<String> jars = driverJars();
    for (int i = 0; i < jars.size(); i++) {
      xml.append("<dependency><groupId>io.lsem.it</groupId><artifactId>runtime-").append(i)
          .append("</artifactId><version>0</version><scope>system</scope><systemPath>").append(jars.get(i))
          .append("</systemPath></dependency>\n");
    }
    return xml.toString();
  }

  private static List<String> driverJars() {
    return List.of(jarOf(LsemDriver.class), jarOf(org.postgresql.Driver.class), jarOf(org.slf4j.Logger.class));
  }

  private static String jarOf(Class<?> type) {
    try {
      return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<String> maven(Path project, String... goalAndProperties) {
    String home = System.getProperty("maven.home");
    String mvn = home == null ? "mvn" : Path.of(home, "bin", "mvn").toString();
    List<String> command = new ArrayList<>(List.of(mvn, "-B", "-q", "-f", project.resolve("pom.xml").toString()));
    String localRepository = System.getProperty("lsem.maven.repo.local");
    if (localRepository != null) {
      command.add("-Dmaven.repo.local=" + localRepository);
    }
    command.addAll(List.of(goalAndProperties));
    return command;
  }

  private static void run(Path dir, List<String> command) throws Exception {
    Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    byte[] output = process.getInputStream().readAllBytes();
    if (!process.waitFor(5, TimeUnit.MINUTES)) {
      process.destroyForcibly();
    }
    assertEquals(0, process.exitValue(), () -> command.get(0) + " failed:\n" + new String(output, StandardCharsets.UTF_8));
  }

  private static int count(TestDatabase db, String sql) throws Exception {
    try (Connection c = db.plain(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
