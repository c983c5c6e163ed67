package io.lsem.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One measured run: {@code threads} {@link TpcbClient}s on one driver for a fixed number of
 * seconds. Connecting and preparing happen before the window opens, so only transactions are
 * timed.
 */
final class TpcbRun {
  private static final int CONNECT_TIMEOUT_SECONDS = 60;
  private static final int STOP_GRACE_SECONDS = 30;

  private TpcbRun() {
  }

  static RunResult run(DriverTarget target, TpcbOptions options, int seconds, String runName)
      throws InterruptedException {
    return run(target, options, seconds, runName, 0);
  }

  /**
   * A run at a fixed offered load of {@code rate} transactions per second in all (0: each client
   * as fast as it can). At a fixed rate each client starts its transactions on a schedule and a
   * transaction's latency counts from its scheduled start, so a stall is not hidden by the
   * transactions it delayed.
   */
  static RunResult run(DriverTarget target, TpcbOptions options, int seconds, String runName, double rate)
      throws InterruptedException {
    RunControl control = new RunControl(options.threads());
    ErrorLog errors = new ErrorLog();
    List<TpcbClient> clients = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < options.threads(); i++) {
      TpcbClient client = new TpcbClient(i, target, options, control, errors, rate);
      Thread t = new Thread(client, "tpcb-" + target.label() + "-" + i);
      t.setDaemon(true);
      clients.add(client);
      threads.add(t);
      t.start();
    }
    if (!control.awaitReady(CONNECT_TIMEOUT_SECONDS)) {
      System.out.println("  ! " + runName + ": clients not ready after " + CONNECT_TIMEOUT_SECONDS
          + " s; starting anyway");
    }
    long deadline = control.begin(seconds);
    long wait;
    while ((wait = deadline - System.nanoTime()) > 0) {
      TimeUnit.NANOSECONDS.sleep(wait);
    }
    control.stop();
    for (Thread t : threads) {
      t.join(TimeUnit.SECONDS.toMillis(STOP_GRACE_SECONDS));
      if (t.isAlive()) {
        System.out.println("  ! " + runName + ": " + t.getName() + " still busy after the window; not counted further");
      }
    }
    errors.summarize(runName);
    long counted = 0;
    long latency = 0;
    long committed = 0;
    long failed = 0;
    long unknown = 0;
    long cpu = 0;
    long user = 0;
    long reads = 0;
    long writes = 0;
    long[] latencies = new long[0];
    for (int i = 0; i < clients.size(); i++) {
      if (threads.get(i).isAlive()) {
        continue;
      }
      TpcbClient c = clients.get(i);
      counted += c.counted;
      int had = latencies.length;
      latencies = java.util.Arrays.copyOf(latencies, had + c.sampleCount);
      System.arraycopy(c.samples, 0, latencies, had, c.sampleCount);
      latency += c.latencyNanos;
      committed += c.committed;
      failed += c.failed;
      unknown += c.unknownOutcomes;
      cpu += c.cpuNanos;
      user += c.userNanos;
      if (reads >= 0 && c.readCalls >= 0) {
        reads += c.readCalls;
        writes += c.writeCalls;
      } else {
        reads = -1;
        writes = -1;
      }
    }
    java.util.Arrays.sort(latencies);
    return new RunResult(target.label(), seconds, counted, latency, committed, failed, unknown, cpu, user,
        reads, writes, latencies);
  }
}
