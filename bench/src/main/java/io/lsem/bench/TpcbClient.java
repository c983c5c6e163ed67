package io.lsem.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One client thread of a measured run: keeps one connection (autocommit off, statements
 * prepared once) and runs TPC-B-like transactions until told to stop. A transaction is:
 * update an account's balance, read it back, update a teller's and a branch's balance, insert
 * a history row, commit; account, teller, branch and delta are drawn at random as in pgbench.
 * A commit counts towards throughput only if it was acknowledged before the deadline. The
 * thread's own CPU time (user + system, and user alone) is measured over its transaction loop,
 * which shows what the client side costs per transaction far more steadily than throughput on a
 * shared machine; so are its read/write system calls (see {@link ThreadIo}). An error
 * is reported, counted and rolled back; a broken connection is replaced. Not thread safe: each
 * instance belongs to its thread, and its counters are read after the thread has ended.
 */
final class TpcbClient implements Runnable {
  private final int id;
  private final DriverTarget target;
  private final TpcbOptions options;
  private final RunControl control;
  private final ErrorLog errors;

  private Connection conn;
  private PreparedStatement updateAccount;
  private PreparedStatement selectBalance;
  private PreparedStatement updateTeller;
  private PreparedStatement updateBranch;
  private PreparedStatement insertHistory;

  long counted;
  long latencyNanos;
  long committed;
  long failed;
  long unknownOutcomes;
  long cpuNanos;
  long userNanos;
  long readCalls = -1;
  long writeCalls = -1;
  /** Latencies (ns) of counted transactions, the first {@code samples.length} of them. */
  long[] samples = new long[1 << 16];
  int sampleCount;
  /** Nanoseconds between this client's scheduled starts at a fixed offered load; 0 for as fast as it can. */
  private final long intervalNanos;

  TpcbClient(int id, DriverTarget target, TpcbOptions options, RunControl control, ErrorLog errors, double rate) {
    this.intervalNanos = rate > 0 ? (long) (1e9 * options.threads() / rate) : 0;
    this.id = id;
    this.target = target;
    this.options = options;
    this.control = control;
    this.errors = errors;
  }

  @Override
  public void run() {
    try {
      connectQuietly();
    } finally {
      control.ready();
    }
    if (!control.awaitStart()) {
      closeQuietly();
      return;
    }
    long deadline = control.deadlineNanos();
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    long cpuStart = cpu.getCurrentThreadCpuTime();
    long userStart = cpu.getCurrentThreadUserTime();
    long[] ioStart = ThreadIo.syscalls();
    long scheduled = System.nanoTime() + (intervalNanos * id) / Math.max(1, options.threads()); // staggered
    while (!control.stopped()) {
      if (conn == null && !connectQuietly()) {
        pause();
        continue;
      }
      long start = System.nanoTime();
      if (intervalNanos > 0) {
        long wait = scheduled - start;
        if (wait > 0) {
          java.util.concurrent.locks.LockSupport.parkNanos(wait); // the schedule, not synchronization
        }
        start = scheduled;
        scheduled += intervalNanos;
      }
      boolean committing = false;
      try {
        work();
        committing = true;
        conn.commit();
        committed++;
        long end = System.nanoTime();
        if (end - deadline <= 0) {
          counted++;
          latencyNanos += end - start;
          if (sampleCount < samples.length) {
            samples[sampleCount++] = end - start;
          }
        }
      } catch (SQLException | RuntimeException e) {
        failed++;
        if (committing) {
          unknownOutcomes++;
        }
        errors.report(target.label(), id, e);
        recover(e);
      }
    }
    cpuNanos = cpu.getCurrentThreadCpuTime() - cpuStart;
    userNanos = cpu.getCurrentThreadUserTime() - userStart;
    long[] ioEnd = ThreadIo.syscalls();
    if (ioStart[0] >= 0 && ioEnd[0] >= 0) {
      readCalls = ioEnd[0] - ioStart[0];
      writeCalls = ioEnd[1] - ioStart[1];
    }
    closeQuietly();
  }

  private void work() throws SQLException {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    int aid = random.nextInt(options.accounts()) + 1;
    int bid = random.nextInt(options.branches()) + 1;
    int tid = random.nextInt(options.tellers()) + 1;
    int delta = random.nextInt(-5000, 5001);

    updateAccount.setInt(1, delta);
    updateAccount.setInt(2, aid);
    updateAccount.executeUpdate();
    selectBalance.setInt(1, aid);
    try (ResultSet rs = selectBalance.executeQuery()) {
      if (!rs.next()) {
        throw new SQLException("account missing; was the schema loaded?", "02000");
      }
      rs.getInt(1);
    }
    updateTeller.setInt(1, delta);
    updateTeller.setInt(2, tid);
    updateTeller.executeUpdate();
    updateBranch.setInt(1, delta);
    updateBranch.setInt(2, bid);
    updateBranch.executeUpdate();
    insertHistory.setInt(1, tid);
    insertHistory.setInt(2, bid);
    insertHistory.setInt(3, aid);
    insertHistory.setInt(4, delta);
    insertHistory.executeUpdate();
  }

  private boolean connectQuietly() {
    try {
      conn = target.connect();
      conn.setAutoCommit(false);
      updateAccount = conn.prepareStatement("UPDATE accounts SET abalance = abalance + ? WHERE aid = ?");
      selectBalance = conn.prepareStatement("SELECT abalance FROM accounts WHERE aid = ?");
      updateTeller = conn.prepareStatement("UPDATE tellers SET tbalance = tbalance + ? WHERE tid = ?");
      updateBranch = conn.prepareStatement("UPDATE branches SET bbalance = bbalance + ? WHERE bid = ?");
      insertHistory = conn.prepareStatement(
          "INSERT INTO history (tid, bid, aid, delta, mtime) VALUES (?, ?, ?, ?, CURRENT_TIMESTAMP)");
      return true;
    } catch (SQLException | RuntimeException e) {
      failed++;
      errors.report(target.label(), id, e);
      closeQuietly();
      return false;
    }
  }

  /** After a failed transaction: roll back, or replace the connection if it is broken. */
  private void recover(Exception e) {
    String state = e instanceof SQLException ? ((SQLException) e).getSQLState() : null;
    boolean broken = state != null && state.startsWith("08");
    if (!broken) {
      try {
        broken = conn.isClosed();
        if (!broken) {
          conn.rollback();
        }
      } catch (SQLException | RuntimeException rollbackFailed) {
        broken = true;
      }
    }
    if (broken) {
      closeQuietly();
    }
  }

  private void closeQuietly() {
    if (conn != null) {
      try {
        conn.close();
      } catch (SQLException | RuntimeException ignored) {
        // the connection is being discarded
      }
      conn = null;
    }
  }

  private static void pause() {
    try {
      Thread.sleep(50);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
