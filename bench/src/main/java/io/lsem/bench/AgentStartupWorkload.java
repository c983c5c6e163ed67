package io.lsem.bench;

import io.lsem.testkit.PostgresServer;
import io.lsem.testkit.TestDatabase;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What the Java agent adds to an application's start-up (issue 18, target ≤ 300 ms): wall time from
 * launching a JVM until it exits, for an application that opens one connection and commits one row
 * ({@code agent-sample-app}, {@code --once}), three ways in turn: plain pgjdbc, the URL swapped to
 * {@code jdbc:lsem:} with the driver on the class path, and the plain URL under
 * {@code -javaagent:lsem-jdbc-agent.jar}. Medians of the runs.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.lsem.bench.AgentStartupWorkload [runs=7]
 *     [-Dlsem.agent.jar=agent/target/lsem-jdbc-agent.jar] [-Dlsem.sample.jar=agent-sample-app/target/agent-sample-app.jar]
 *     [-Dlsem.pgjdbc.jar=(pgjdbc's jar in ~/.m2)]</pre>
 */
public final class AgentStartupWorkload {
  private AgentStartupWorkload() {}

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 7;
    String agent = existing(System.getProperty("lsem.agent.jar", "agent/target/lsem-jdbc-agent.jar"));
    String sample = existing(System.getProperty("lsem.sample.jar", "agent-sample-app/target/agent-sample-app.jar"));
    // the application's own pgjdbc jar: the one of this version in the local Maven repository
    String version = org.postgresql.util.DriverInfo.DRIVER_VERSION;
    String pgjdbc = existing(System.getProperty("lsem.pgjdbc.jar", Path.of(System.getProperty("user.home"), ".m2",
        "repository", "org", "postgresql", "postgresql", version, "postgresql-" + version + ".jar").toString()));
    TestDatabase db = PostgresServer.shared().createDatabase("agentstartup");
    try {
      try (Connection c = db.plain(); Statement s = c.createStatement()) {
        s.execute("CREATE TABLE agent_probe(path text)");
      }
      String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
      String cp = sample + File.pathSeparator + pgjdbc;
      String password = db.password() == null ? "" : db.password();
      List<List<String>> ways = List.of(
          List.of(java, "-cp", cp, "io.lsem.sample.PgjdbcApp", "--once", db.plainUrl(), db.user(), password),
          List.of(java, "-cp", cp + File.pathSeparator + agent, "io.lsem.sample.PgjdbcApp", "--once", db.lsemUrl(), db.user(),
              password),
          List.of(java, "-javaagent:" + agent, "-cp", cp, "io.lsem.sample.PgjdbcApp", "--once", db.plainUrl(), db.user(),
              password));
      String[] names = {"plain pgjdbc", "URL swapped", "agent"};
      long[][] millis = new long[3][runs];
      for (int r = 0; r < runs; r++) {
        for (int w = 0; w < 3; w++) {
          long start = System.nanoTime();
          Process p = new ProcessBuilder(ways.get(w)).redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
          if (p.waitFor() != 0) {
            throw new IllegalStateException(names[w] + " failed: exit " + p.exitValue());
          }
          millis[w][r] = (System.nanoTime() - start) / 1_000_000;
        }
      }
      for (int w = 0; w < 3; w++) {
        Arrays.sort(millis[w]);
        System.out.printf(Locale.ROOT, "%-13s median %4d ms (runs %s)%n", names[w], millis[w][runs / 2],
            Arrays.toString(millis[w]));
      }
      System.out.printf(Locale.ROOT, "agent - URL swapped: %+d ms (target <= 300)%n", millis[2][runs / 2] - millis[1][runs / 2]);
    } finally {
      db.drop();
    }
  }

  private static String existing(String path) {
    if (!Files.isRegularFile(Path.of(path))) {
      throw new IllegalArgumentException(path + " does not exist: build it first (mvn -B package -DskipTests)");
    }
    return path;
  }
}
