package io.lsem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lsem.testkit.PostgresExtension;
import io.lsem.testkit.TestDatabase;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The agent over an application built against plain pgjdbc only ({@code agent-sample-app}: a
 * {@code jdbc:postgresql:} URL, {@code org.postgresql.Driver} and pgjdbc's three data sources, an
 * XA branch included), run in a child JVM exactly as a user would:
 * {@code java -javaagent:lsem-jdbc-agent.jar -cp app.jar:postgresql.jar}. Each path's row must map
 * through its xmin to a ledger row — only a transaction that went through LSEM JDBC writes one —
 * and without the agent none does.
 */
@ExtendWith(PostgresExtension.class)
class JavaAgentTest {
  private static final List<String> PATHS = List.of("DriverManager", "Driver", "PGSimpleDataSource",
      "PGConnectionPoolDataSource", "PGXADataSource");

  private final TestDatabase db;

  JavaAgentTest(TestDatabase db) {
    this.db = db;
  }

  @BeforeEach
  void probeTable() throws SQLException {
    try (Connection c = db.plain(); Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS agent_probe");
      s.execute("CREATE TABLE agent_probe(path text NOT NULL)");
    }
  }

  @Test
  void everyPgjdbcPathOfAnUnmodifiedApplicationGoesThroughTheDriver() throws Exception {
    Run run = app(List.of("-javaagent:" + jar("lsem.agent.jar") + "=timestamps=on"));
    assertEquals(0, run.exit(), run.output());
    for (String path : PATHS) {
      assertTrue(run.output().contains("ok " + path), run.output());
    }
    Map<String, Boolean> recorded = recordedByPath();
    assertEquals(PATHS.size(), recorded.size(), recorded.toString());
    recorded.forEach((path, ledger) -> assertTrue(ledger, path + " did not go through LSEM JDBC: " + recorded));
  }

  @Test
  void withoutTheAgentNothingGoesThroughTheDriver() throws Exception {
    Run run = app(List.of());
    assertEquals(0, run.exit(), run.output());
    Map<String, Boolean> recorded = recordedByPath();
    assertEquals(PATHS.size(), recorded.size(), recorded.toString());
    recorded.forEach((path, ledger) -> assertTrue(!ledger, path + " has a ledger row without the agent"));
  }

  @Test
  void aMisspelledPropertyStopsTheJvmNamingIt() throws Exception {
    Run run = app(List.of("-javaagent:" + jar("lsem.agent.jar") + "=timestmaps=on"));
    assertTrue(run.exit() != 0, run.output());
    assertTrue(run.output().contains("timestmaps"), run.output());
    assertEquals(0, recordedByPath().size(), "the application did not run");
  }

  @Test
  void propertiesComeFromSystemPropertiesToo() throws Exception {
    Run run = app(List.of("-javaagent:" + jar("lsem.agent.jar"), "-Dlsem.timestamps=sometimes"));
    assertTrue(run.exit() != 0, run.output());
    assertTrue(run.output().contains("timestamps") && run.output().contains("sometimes"), run.output());
  }

  private record Run(int exit, String output) {}

  private Run app(List<String> jvmOptions) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(jar("lsem.sample.jar") + File.pathSeparator + pgjdbcJar());
    command.add("io.lsem.sample.PgjdbcApp");
    command.add(db.plainUrl());
    command.add(db.user());
    command.add(db.password() == null ? "" : db.password());
    Path log = Files.createTempFile("agent-app", ".log");
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("the application did not finish: " + Files.readString(log));
      }
      return new Run(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(log);
    }
  }

  /** Each path's row, and whether a ledger row records the transaction that wrote it. */
  private Map<String, Boolean> recordedByPath() throws SQLException {
    Map<String, Boolean> recorded = new TreeMap<>();
    try (Connection c = db.plain(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT p.path, EXISTS (SELECT 1 FROM lsem.commit_of(p.xmin)) FROM agent_probe p")) {
      while (rs.next()) {
        recorded.put(rs.getString(1), rs.getBoolean(2));
      }
    }
    return recorded;
  }

  private static String jar(String property) {
    String path = System.getProperty(property);
    if (path == null || !Files.isRegularFile(Path.of(path))) {
      throw new IllegalStateException(property + " = " + path + ": run these tests in the verify phase (mvn verify),"
          + " after the agent and the sample application are packaged");
    }
    return path;
  }

  private static String pgjdbcJar() throws IOException {
    try {
      return Path.of(org.postgresql.Driver.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    } catch (java.net.URISyntaxException e) {
      throw new IOException(e);
    }
  }
}
