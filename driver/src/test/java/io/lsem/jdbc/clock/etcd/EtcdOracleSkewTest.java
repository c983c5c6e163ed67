package io.lsem.jdbc.clock.etcd;

import io.lsem.jdbc.value.CoordinatorAddress;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lsem.testkit.EtcdCluster;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.File;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Linearizable across JVMs whose wall clocks disagree (issue 15): two child JVMs, one whose clock
 * is 5 s ahead and one 5 s behind, and threads of this JVM take timestamps from one 3-member etcd
 * cluster at once. (The skew is given to each child's oracle as its wall clock: shifting a whole
 * JVM's clock with libfaketime works too, but slows the JVM about a hundredfold.) Every timestamp is unique, and of any two calls where one returned
 * before the other began — in whichever processes — the later got the greater timestamp.
 *
 * <p>{@code -Dlsem.etcd.skewTimestamps=1000000} runs the million (about a minute here); the
 * default build takes 30,000.
 */
class EtcdOracleSkewTest {
  private static final int TOTAL = Integer.getInteger("lsem.etcd.skewTimestamps", 30_000);
  private static final int THREADS_PER_PROCESS = 16;

  @Test
  void timestampsFromSkewedJvmsAreUniqueAndInRealTimeOrder(@TempDir Path dir) throws Exception {
    assumeTrue(EtcdCluster.binary() != null, "no etcd server program (Debian's etcd-server) on this machine");
    int perThread = TOTAL / (3 * THREADS_PER_PROCESS);
    try (EtcdCluster etcd = EtcdCluster.start(3)) {
      String coordinator = etcd.coordinator("/skew");
      List<Process> children = new ArrayList<>();
      try {
        int[] skews = {+5, -5};
        List<Path> outputs = new ArrayList<>();
        List<BufferedReader> readers = new ArrayList<>();
        for (int skew : skews) {
          Path out = dir.resolve("calls" + skew + ".bin");
          outputs.add(out);
          ProcessBuilder pb = new ProcessBuilder(javaBinary(), "-Xmx256m", "-cp", System.getProperty("java.class.path"),
              SkewedOracleChild.class.getName(), coordinator, Long.toString(skew * 1000L), Integer.toString(THREADS_PER_PROCESS),
              Integer.toString(perThread), out.toString())
              .redirectError(dir.resolve("child" + skew + ".err").toFile());
          Process child = pb.start();
          children.add(child);
          readers.add(new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8)));
        }
        for (int i = 0; i < skews.length; i++) {
          String ready = readers.get(i).readLine();
          assertTrue(ready != null && ready.startsWith("ready "), "child " + skews[i] + "s: " + ready + " "
              + Files.readString(dir.resolve("child" + skews[i] + ".err")));
          long offset = Long.parseLong(ready.substring(6)) - System.currentTimeMillis();
          assertTrue(Math.abs(offset - skews[i] * 1000L) < 2000, "child clock offset " + offset + " ms, meant " + skews[i] + " s");
        }
        for (Process child : children) {
          OutputStream go = child.getOutputStream();
          go.write('\n');
          go.flush();
        }
        TimestampCalls here = takeHere(coordinator, perThread);
        TimestampCalls all = new TimestampCalls(TOTAL);
        all.addAll(here);
        for (int i = 0; i < skews.length; i++) {
          String done = readers.get(i).readLine();
          assertTrue(children.get(i).waitFor(5, TimeUnit.MINUTES), "child " + skews[i] + "s finished");
          assertEquals(0, children.get(i).exitValue(), "child " + skews[i] + "s: " + done + " "
              + Files.readString(dir.resolve("child" + skews[i] + ".err")));
          try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(outputs.get(i))))) {
            all.addAll(TimestampCalls.readFrom(in));
          }
        }
        assertEquals(3 * THREADS_PER_PROCESS * perThread, all.size(), "calls: here " + here.size() + "; children "
            + Files.readString(dir.resolve("child5.err")) + Files.readString(dir.resolve("child-5.err")));
        all.assertLinearizable();
      } finally {
        children.forEach(Process::destroyForcibly);
      }
    }
  }

  private static TimestampCalls takeHere(String coordinator, int perThread) throws InterruptedException {
    EtcdTimestampOracle oracle = new EtcdTimestampOracle(CoordinatorAddress.parse(coordinator), Duration.ofSeconds(10), 60_000);
    List<TimestampCalls> parts = new CopyOnWriteArrayList<>();
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < THREADS_PER_PROCESS; t++) {
      Thread w = new Thread(() -> {
        TimestampCalls calls = new TimestampCalls(perThread);
        try {
          for (int i = 0; i < perThread; i++) {
            long s = System.nanoTime();
            long v = oracle.next();
            calls.add(s, System.nanoTime(), v);
          }
        } catch (Throwable e) {
          failures.add(e);
        }
        parts.add(calls);
      });
      workers.add(w);
      w.start();
    }
    for (Thread w : workers) {
      w.join();
    }
    assertEquals(List.of(), failures);
    TimestampCalls all = new TimestampCalls(THREADS_PER_PROCESS * perThread);
    parts.forEach(all::addAll);
    return all;
  }

  private static String javaBinary() {
    return System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
  }
}
