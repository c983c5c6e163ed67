package io.lsem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lsem.jdbc.cli.Lsem;
import io.lsem.testkit.PostgresExtension;
import io.lsem.testkit.PostgresServer;
import io.lsem.testkit.TestDatabase;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The application dies by SIGKILL in the middle of two-phase commit, over many runs, at a step
 * chosen at random: before the first PREPARE, between the two PREPAREs, between PREPARE and COMMIT
 * PREPARED, between the two COMMIT PREPAREDs (or not at all). Each run's JVM ({@link
 * XaCrashChild}) first lets Narayana's recovery finish what the previous one left; then nothing
 * is half-applied (the transfer is on both servers or on neither, as the step decides: rolled
 * back before the transaction manager's decision, committed after it), nothing is prepared, the
 * money is unchanged, and at the end {@code lsem verify} across both servers is clean.
 * {@code -Dlsem.xa.crashRuns=N} sets the number of runs (default 20 in the default build; 52 and more as a soak).
 */
@ExtendWith(PostgresExtension.class)
class XaCrashTest {
  private static final int RUNS = Integer.getInteger("lsem.xa.crashRuns", 20);

  @Test
  void everyBranchEndsTheSameWayAfterACrashAndRecovery(TestDatabase here, @TempDir Path dir) throws Exception {
    PostgresServer otherServer = PostgresServer.startPrivate();
    try {
      TestDatabase there = otherServer.createDatabase("xa_crash");
      for (TestDatabase d : List.of(here, there)) {
        try (Connection c = d.plain(); Statement s = c.createStatement()) {
          s.execute("CREATE TABLE account(id int PRIMARY KEY, balance bigint NOT NULL)");
          s.execute("CREATE TABLE transfer(id text PRIMARY KEY, account int NOT NULL, delta bigint NOT NULL)");
          s.execute("INSERT INTO account VALUES (1, 1000)");
        }
      }
      long seed = System.nanoTime();
      Random random = new Random(seed);
      Path store = Files.createDirectories(dir.resolve("object-store"));
      int[] byStep = new int[5];
      List<String> expectedApplied = new ArrayList<>();
      String pending = null; // the previous run's transfer and whether it must end up applied
      boolean pendingApplied = false;
      for (int run = 0; run <= RUNS; run++) {
        boolean last = run == RUNS;
        int crashAt = random.nextInt(5) - 1; // -1: no crash; 0..3: the step before which it dies
        String transfer = "t" + run;
        Child child = new Child(store, here, there, transfer, crashAt, dir.resolve("child-" + run + ".log"));
        child.awaitRecovered();
        if (pending != null && pendingApplied) {
          expectedApplied.add(pending);
        }
        assertConsistent(here, there, expectedApplied, "after run " + (run - 1) + " (seed " + seed + ")");
        if (last) {
          child.stop();
          break;
        }
        child.go();
        int exit = child.awaitExit();
        byStep[crashAt + 1]++;
        if (crashAt < 0) {
          assertEquals(0, exit, child.log());
        } else {
          assertEquals(137, exit, "killed by SIGKILL at step " + crashAt + ": " + child.log());
        }
        pending = transfer;
        pendingApplied = crashAt < 0 || crashAt >= 2; // after both PREPAREs the transaction manager decided: commit
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      int exit = Lsem.run(new String[] {"verify", "--url", here.plainUrl(), "--url", there.plainUrl(),
          "--user", here.user(), "--max-prepared-age", "0"}, new PrintStream(out, true, StandardCharsets.UTF_8),
          System.err);
      assertEquals(0, exit, out.toString(StandardCharsets.UTF_8));
      System.out.printf("XA crash runs: %d (seed %d): no crash %d, before PREPARE %d, between PREPAREs %d,"
          + " between PREPARE and COMMIT %d, between COMMITs %d; %d transfers applied%n", RUNS, seed, byStep[0],
          byStep[1], byStep[2], byStep[3], byStep[4], expectedApplied.size());
    } finally {
      otherServer.stop();
    }
  }

  /**
   * The second server restarts while the application runs transfers: each transfer in flight fails
   * typed and the loop goes on (a branch left prepared holds its rows until recovery; the others
   * time out on them after 2 s); the application then stops with whatever is in doubt, and after
   * the next run's recovery every transfer is on both servers or on neither, nothing is prepared,
   * the money is unchanged and {@code lsem verify} across both is clean.
   */
  @Test
  void aServerRestartedInTheMiddleOfTheWorkloadLosesNothing(TestDatabase db, @TempDir Path dir) throws Exception {
    PostgresServer otherServer = PostgresServer.startPrivate();
    try {
      TestDatabase here = db.server().createDatabase("xa_restart_a");
      TestDatabase there = otherServer.createDatabase("xa_restart_b");
      for (TestDatabase d : List.of(here, there)) {
        try (Connection c = d.plain(); Statement s = c.createStatement()) {
          s.execute("CREATE TABLE account(id int PRIMARY KEY, balance bigint NOT NULL)");
          s.execute("CREATE TABLE transfer(id text PRIMARY KEY, account int NOT NULL, delta bigint NOT NULL)");
          s.execute("INSERT INTO account SELECT g, 10 FROM generate_series(1, 100) g");
        }
      }
      Path store = Files.createDirectories(dir.resolve("object-store"));
      Child app = new Child(store, here, there, "r", XaCrashChild.LOOP, dir.resolve("loop.log"));
      app.awaitRecovered();
      app.go();
      app.awaitLine("COMMITTED 20");
      otherServer.restart();
      long before = Long.parseLong(app.awaitLine("COMMITTED").substring("COMMITTED ".length()));
      app.awaitLine("COMMITTED " + (before + 20)); // transfers commit again after the restart
      app.send("stop");
      String stopped = app.awaitLine("STOPPED");
      assertEquals(0, app.awaitExit(), app.log());

      Child recovery = new Child(store, here, there, "none", -1, dir.resolve("recovery.log"));
      recovery.awaitRecovered();
      for (TestDatabase d : List.of(here, there)) {
        assertEquals(0, count(d, "SELECT count(*) FROM pg_prepared_xacts WHERE database = current_database()"),
            "nothing left prepared after recovery");
      }
      assertEquals(ids(here), ids(there), "every transfer on both servers or on neither");
      assertEquals(2000, count(here, "SELECT sum(balance) FROM account") + count(there, "SELECT sum(balance) FROM account"));
      recovery.stop();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      int exit = Lsem.run(new String[] {"verify", "--url", here.plainUrl(), "--url", there.plainUrl(),
          "--user", here.user(), "--max-prepared-age", "0"}, new PrintStream(out, true, StandardCharsets.UTF_8),
          System.err);
      assertEquals(0, exit, out.toString(StandardCharsets.UTF_8));
      System.out.println("XA restart: " + stopped + "; " + ids(here).size() + " transfers applied on both servers");
    } finally {
      otherServer.stop();
    }
  }

  private static List<String> ids(TestDatabase db) throws SQLException {
    return Query.column(db, "SELECT id FROM transfer ORDER BY substr(id, 2)::int");
  }

  private static long count(TestDatabase db, String sql) throws SQLException {
    return Query.number(db, sql);
  }

  private static void assertConsistent(TestDatabase a, TestDatabase b, List<String> applied, String when)
      throws SQLException {
    for (TestDatabase d : List.of(a, b)) {
      assertEquals(0, count(d, "SELECT count(*) FROM pg_prepared_xacts WHERE database = current_database()"),
          "nothing left prepared " + when);
      assertEquals(applied, ids(d), "each transfer on both servers or on neither " + when);
    }
    assertEquals(2000, count(a, "SELECT sum(balance) FROM account") + count(b, "SELECT sum(balance) FROM account"),
        "money unchanged " + when);
  }

  /** One run of {@link XaCrashChild}: its lines on stdout, its log in a file. */
  private static final class Child {
    private final Process process;
    private final java.util.concurrent.BlockingQueue<String> lines = new java.util.concurrent.LinkedBlockingQueue<>();
    private final Writer in;
    private final Path log;

    Child(Path store, TestDatabase a, TestDatabase b, String transfer, int crashAt, Path log) throws Exception {
      this.log = log;
      ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", System.getProperty("java.class.path"), "-Dorg.jboss.logging.provider=slf4j",
          XaCrashChild.class.getName(), store.toString(), a.lsemUrl(), b.lsemUrl(), a.user(), transfer,
          Integer.toString(crashAt));
      if (a.password() != null) {
        pb.environment().put("LSEM_XA_PASSWORD", a.password());
      }
      pb.redirectError(log.toFile());
      process = pb.start();
      BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      Thread reader = new Thread(() -> {
        try {
          for (String line; (line = out.readLine()) != null;) {
            lines.add(line);
          }
        } catch (java.io.IOException ended) {
          // the process is gone
        }
        lines.add("<end>");
      }, "xa-child-output");
      reader.setDaemon(true);
      reader.start();
      in = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    }

    /** The first line the child writes that starts with {@code prefix}, waiting at most a minute. */
    String awaitLine(String prefix) throws Exception {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      for (;;) {
        String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (line == null || line.equals("<end>")) {
          throw new AssertionError("no '" + prefix + "' from the application (" + (line == null ? "timed out" : "it ended")
              + "): " + log());
        }
        if (line.startsWith(prefix)) {
          return line;
        }
      }
    }

    void awaitRecovered() throws Exception {
      awaitLine("RECOVERED");
    }

    void go() throws Exception {
      send("go");
    }

    void send(String line) throws Exception {
      in.write(line + "\n");
      in.flush();
    }

    void stop() throws Exception {
      send("stop");
      assertTrue(process.waitFor(60, TimeUnit.SECONDS), log());
    }

    int awaitExit() throws Exception {
      assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the run did not end: " + log());
      return process.exitValue();
    }

    String log() throws Exception {
      String text = Files.exists(log) ? Files.readString(log) : "";
      return text.length() > 4000 ? text.substring(text.length() - 4000) : text;
    }
  }
}
