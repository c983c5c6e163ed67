package io.lsem.jdbc.clock.etcd;

import io.lsem.jdbc.value.CoordinatorAddress;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.DataOutputStream;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Another JVM for {@link EtcdOracleSkewTest}: its own oracle instance on the shared coordinator, as
 * a driver in another application would have, whose wall clock is shifted by the given skew. Prints
 * {@code ready <its wall clock in ms>}, waits for a line on standard input, then takes
 * {@code threads × perThread} timestamps and writes the calls to the output file.
 *
 * <p>Arguments: coordinator URL, clock skew in ms, threads, calls per thread, output file.
 */
public final class SkewedOracleChild {
  public static void main(String[] args) throws Exception {
    long skew = Long.parseLong(args[1]);
    LongSupplier clock = () -> System.currentTimeMillis() + skew;
    EtcdTimestampOracle oracle = new EtcdTimestampOracle(CoordinatorAddress.parse(args[0]), Duration.ofSeconds(10), 60_000, clock);
    int threads = Integer.parseInt(args[2]);
    int perThread = Integer.parseInt(args[3]);
    oracle.next(); // connected
    System.out.println("ready " + clock.getAsLong());
    System.out.flush();
    new BufferedReader(new InputStreamReader(System.in)).readLine();
    List<TimestampCalls> parts = new ArrayList<>();
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      TimestampCalls calls = new TimestampCalls(perThread);
      parts.add(calls);
      Thread w = new Thread(() -> {
        for (int i = 0; i < perThread; i++) {
          long s = System.nanoTime();
          long v = oracle.next();
          calls.add(s, System.nanoTime(), v);
        }
      });
      w.setUncaughtExceptionHandler((thread, e) -> {
        e.printStackTrace();
        System.exit(3);
      });
      workers.add(w);
      w.start();
    }
    TimestampCalls all = new TimestampCalls(threads * perThread);
    for (int t = 0; t < threads; t++) {
      workers.get(t).join();
      all.addAll(parts.get(t));
    }
    try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(Path.of(args[4]))))) {
      all.writeTo(out);
    }
    System.out.println("done " + all.size());
  }
}
