package io.lsem.jdbc.pool;

import io.lsem.jdbc.error.PoolExhaustedException;
import io.lsem.jdbc.wrap.ConnectionSession;
import io.lsem.jdbc.wrap.ConnectionWrapper;
import io.lsem.jdbc.wrap.SessionDefaults;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.util.Arrays;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.postgresql.core.BaseConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pool of the driver's connections. Borrowing takes an idle connection by compare-and-set,
 * each thread searching from its own place in the list, without locks; when none is idle the
 * borrower asks the pool's single background thread for a new one (one at a time, with
 * exponential back-off after failures, so neither a burst of borrowers nor an outage causes a
 * connection storm) and waits on a hand-off queue for whichever connection comes first, a new
 * one or one given back. Nothing on the borrow path is {@code synchronized}, so virtual threads
 * never pin. A connection is validated (an empty query) when handed out unless it was used within
 * {@code poolValidationBypass}; broken ones are closed and replaced. Giving a connection back
 * rolls back, resets what the application changed and closes its statements
 * ({@link ConnectionWrapper#resetForReuse}). The same thread retires idle and old connections,
 * validates long-idle ones, reports leaks and refills to {@code poolMinIdle}.
 */
public final class ConnectionPool implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionPool.class);
  private static final long FIRST_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
  private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(5);

  /** Opens a new physical connection with its session (the driver, without pooling). */
  @FunctionalInterface
  public interface SessionFactory {
    ConnectionSession open() throws SQLException;
  }

  private final String name;
  private final PoolSettings settings;
  private final SessionFactory factory;
  /** Every connection of the pool, as an array replaced on each change (read on every borrow, changed rarely). */
  private final AtomicReference<PooledSession[]> all = new AtomicReference<>(new PooledSession[0]);
  private final LinkedTransferQueue<PooledSession> handoff = new LinkedTransferQueue<>();
  private final AtomicInteger waiting = new AtomicInteger();
  private final AtomicBoolean creating = new AtomicBoolean();
  private final ScheduledThreadPoolExecutor worker;
  private final LongAdder created = new LongAdder();
  private final LongAdder evicted = new LongAdder();
  /** Counters of connections no longer in the pool (the others keep their own). */
  private final LongAdder retiredBorrows = new LongAdder();
  private final LongAdder retiredBorrowWaitNanos = new LongAdder();
  private final LongAdder retiredUsageNanos = new LongAdder();
  private final LongAdder leaks = new LongAdder();
  private volatile boolean closed;
  private volatile SQLException lastConnectFailure;
  private long backoffNanos = FIRST_BACKOFF_NANOS;
  /** Handed to borrowers still waiting when the pool closes; never takeable. */
  private final PooledSession wakeUp = new PooledSession(null, null, 0, 0);
  /** Marks every connection suspect when one of them failed over; registered with the first connection's context. */
  private final java.util.function.Consumer<ConnectionSession> failoverHook = s -> suspectAll();
  private volatile io.lsem.jdbc.wrap.WrapperContext hookedContext;

  ConnectionPool(String name, PoolSettings settings, SessionFactory factory) {
    this.name = name;
    this.settings = settings;
    this.factory = factory;
    this.worker = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "lsem-pool " + name);
      t.setDaemon(true);
      return t;
    });
    worker.setRemoveOnCancelPolicy(true);
    long period = settings.housekeepingNanos();
    worker.scheduleWithFixedDelay(this::housekeep, period, period, TimeUnit.NANOSECONDS);
    requestConnections();
  }

  /**
   * A pool of connections from {@code factory} with the pool settings of {@code settings} (the
   * {@code pool*} properties).
   */
  public static ConnectionPool create(String name, io.lsem.jdbc.config.LsemSettings settings, SessionFactory factory) {
    return new ConnectionPool(name, PoolSettings.of(settings), factory);
  }

  // ---- borrowing -----------------------------------------------------------------------------------

  /** A connection, valid when handed out; waits up to {@code poolConnectionTimeout}. */
  public Connection borrow() throws SQLException {
    long start = System.nanoTime();
    for (;;) {
      PooledSession p = takeIdle();
      if (p == null) {
        p = await(start);
      }
      long now = System.nanoTime();
      if (usable(p, now)) {
        return handOut(p, start, now);
      }
      evict(p, "it failed validation");
    }
  }

  /**
   * Takes an idle connection. Each thread starts its search at its own place in the list (by
   * thread id), so concurrent borrowers rarely contend for the same connection and a thread tends
   * to get the connection it had last, still warm in its cache.
   */
  private PooledSession takeIdle() {
    PooledSession[] entries = all.get();
    int n = entries.length;
    if (n == 0) {
      return null;
    }
    int start = (int) (Thread.currentThread().getId() % n);
    for (int i = 0; i < n; i++) {
      PooledSession p = entries[(start + i) % n];
      if (p.take(PooledSession.IDLE)) {
        return p;
      }
    }
    return null;
  }

  /** Waits for a connection given back or newly opened, until the connection timeout. */
  private PooledSession await(long start) throws SQLException {
    ensureOpen();
    waiting.incrementAndGet();
    try {
      requestConnections();
      PooledSession p = takeIdle(); // one given back between the first look and the registration
      long deadline = start + settings.connectionTimeoutNanos();
      while (p == null) {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
          throw exhausted(start);
        }
        PooledSession offered = handoff.poll(remaining, TimeUnit.NANOSECONDS);
        ensureOpen();
        if (offered != null && offered.take(PooledSession.IDLE)) {
          p = offered;
        }
      }
      return p;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLNonTransientConnectionException("interrupted while waiting for a connection from pool " + name,
          "08001", e);
    } finally {
      waiting.decrementAndGet();
    }
  }

  private boolean usable(PooledSession p, long now) {
    if (now - p.retireAtNanos >= 0) {
      return false;
    }
    if (!p.suspect && now - p.lastUsedNanos < settings.validationBypassNanos()) {
      return true;
    }
    return valid(p);
  }

  /**
   * One empty query within {@code poolValidationTimeout}, to the millisecond ({@code isValid} takes
   * whole seconds, so a 200 ms setting would wait a second for a server that stopped answering).
   * A timeout aborts the pgjdbc connection, which is then evicted.
   */
  private boolean valid(PooledSession p) {
    BaseConnection c = p.session.physical();
    try {
      if (c.isClosed()) {
        return false;
      }
      int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE,
          TimeUnit.NANOSECONDS.toMillis(settings.validationTimeoutNanos())));
      int saved = c.getNetworkTimeout();
      boolean shorter = saved == 0 || millis < saved;
      if (shorter) {
        c.setNetworkTimeout(Runnable::run, millis);
      }
      try {
        c.execSQLUpdate(""); // no BEGIN, even without autocommit
      } finally {
        if (shorter && !c.isClosed()) {
          c.setNetworkTimeout(Runnable::run, saved);
        }
      }
      p.suspect = false;
      return true;
    } catch (SQLException e) {
      LOG.debug("pool {}: validating {} failed: {}", name, p, e.getMessage());
      return false;
    }
  }

  private Connection handOut(PooledSession p, long start, long now) {
    ConnectionWrapper lease = ConnectionWrapper.lease(p.session);
    p.borrowedNanos = now;
    p.borrows++;
    p.borrowWaitNanos += now - start;
    p.session.poolWaited(now - start);
    if (settings.leakThresholdNanos() > 0) {
      p.lease = lease;
      p.leakReported = false;
      p.borrower = new Throwable("borrowed here");
    }
    return lease;
  }

  private PoolExhaustedException exhausted(long start) {
    PoolStats s = stats();
    SQLException failure = lastConnectFailure;
    return new PoolExhaustedException("Connection pool " + name + " has no free connection after waiting "
        + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms (poolConnectionTimeout): " + s.active()
        + " active, " + s.idle() + " idle, " + s.pending() + " pending, maximum " + s.max() + " (poolMaxSize)"
        + (failure == null ? "" : "; the last attempt to open a connection failed: " + failure.getMessage()), failure);
  }

  // ---- giving back ---------------------------------------------------------------------------------

  /** The application closed {@code lease} of {@code p}: reset it and make it available again. */
  private void giveBack(PooledSession p, ConnectionWrapper lease) throws SQLException {
    long now = System.nanoTime();
    p.usageNanos += now - p.borrowedNanos;
    if (p.borrower != null) {
      p.lease = null;
      p.borrower = null;
    }
    try {
      lease.resetForReuse(p.defaults);
    } catch (SQLException e) {
      evict(p, "resetting it failed: " + e.getMessage());
      return;
    }
    if (closed || broken(p) || now - p.retireAtNanos >= 0) {
      evict(p, closed ? "the pool is closed" : broken(p) ? "its connection is closed" : "it reached poolMaxLifetime");
      return;
    }
    p.lastUsedNanos = now;
    p.state.set(PooledSession.IDLE);
    if (waiting.get() > 0) {
      handoff.offer(p);
    }
  }

  private static boolean broken(PooledSession p) {
    try {
      return p.session.physical().isClosed();
    } catch (SQLException e) {
      return true;
    }
  }

  private void evict(PooledSession p, String why) {
    p.state.set(PooledSession.REMOVED);
    if (remove(p)) {
      evicted.increment();
      retiredBorrows.add(p.borrows);
      retiredBorrowWaitNanos.add(p.borrowWaitNanos);
      retiredUsageNanos.add(p.usageNanos);
      LOG.debug("pool {}: closing {} because {}", name, p, why);
      closeQuietly(p);
      requestConnections();
    }
  }

  /** Takes {@code p} out of {@link #all}; false if it was not there. */
  private boolean remove(PooledSession p) {
    for (;;) {
      PooledSession[] current = all.get();
      int i = Arrays.asList(current).indexOf(p);
      if (i < 0) {
        return false;
      }
      PooledSession[] next = new PooledSession[current.length - 1];
      System.arraycopy(current, 0, next, 0, i);
      System.arraycopy(current, i + 1, next, i, current.length - i - 1);
      if (all.compareAndSet(current, next)) {
        return true;
      }
    }
  }

  private static void closeQuietly(PooledSession p) {
    try {
      p.session.physical().close();
    } catch (SQLException ignored) {
      // it is being thrown away
    }
  }

  // ---- opening connections (the pool's thread, one at a time) -------------------------------------

  /** Asks the pool's thread to open connections while some are needed. */
  private void requestConnections() {
    if (!closed && needsConnection() && creating.compareAndSet(false, true)) {
      try {
        worker.execute(this::openWhileNeeded);
      } catch (java.util.concurrent.RejectedExecutionException shutDown) {
        creating.set(false);
      }
    }
  }

  /** More borrowers wait than connections are idle (one just handed over counts), or below poolMinIdle. */
  private boolean needsConnection() {
    int total = all.get().length;
    if (total >= settings.maxSize()) {
      return false;
    }
    int idle = idleCount();
    return waiting.get() > idle || idle < settings.minIdle();
  }

  private void openWhileNeeded() {
    while (!closed && needsConnection()) {
      try {
        add(open());
        backoffNanos = FIRST_BACKOFF_NANOS;
        lastConnectFailure = null;
      } catch (SQLException | RuntimeException e) {
        lastConnectFailure = e instanceof SQLException ? (SQLException) e : new SQLException(e);
        LOG.debug("pool {}: opening a connection failed, next try in {} ms: {}", name,
            TimeUnit.NANOSECONDS.toMillis(backoffNanos), e.getMessage());
        try {
          worker.schedule(this::openWhileNeeded, backoffNanos, TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException shutDown) {
          creating.set(false);
        }
        backoffNanos = Math.min(MAX_BACKOFF_NANOS, backoffNanos * 2);
        return; // still "creating": the scheduled retry carries on
      }
    }
    creating.set(false);
    if (!closed && needsConnection()) {
      requestConnections(); // a borrower arrived just as the loop ended
    }
  }

  private PooledSession open() throws SQLException {
    ConnectionSession session = factory.open();
    try {
      session.init(settings.initSql());
      if (!settings.autoCommit()) {
        ConnectionWrapper first = ConnectionWrapper.lease(session);
        first.setAutoCommit(false); // through a lease, so the transaction tracker knows
        first.endLease();
      }
      long now = System.nanoTime();
      long lifetime = settings.maxLifetimeNanos();
      long retireAt = lifetime <= 0 ? now + Long.MAX_VALUE / 2
          : now + lifetime - (long) (ThreadLocalRandom.current().nextDouble() * lifetime * 0.025);
      PooledSession p = new PooledSession(session, SessionDefaults.of(session), now, retireAt);
      session.releaseWith(lease -> giveBack(p, lease));
      if (hookedContext == null) {
        hookedContext = session.context();
        hookedContext.onFailover(failoverHook);
      }
      return p;
    } catch (SQLException | RuntimeException e) {
      session.physical().close();
      throw e;
    }
  }

  private void add(PooledSession p) {
    PooledSession[] current;
    PooledSession[] next;
    do {
      current = all.get();
      next = Arrays.copyOf(current, current.length + 1);
      next[current.length] = p;
    } while (!all.compareAndSet(current, next));
    created.increment();
    p.state.set(PooledSession.IDLE);
    if (closed) {
      evict(p, "the pool is closed");
    } else if (waiting.get() > 0) {
      handoff.offer(p);
    }
  }

  /** A connection failed over: every other one may point at the old primary; validate each before use. */
  private void suspectAll() {
    for (PooledSession p : all.get()) {
      p.suspect = true;
    }
  }

  // ---- housekeeping (the pool's thread) --------------------------------------------------------------

  private void housekeep() {
    long now = System.nanoTime();
    for (PooledSession p : all.get()) {
      int state = p.state.get();
      if (state == PooledSession.IDLE) {
        if (now - p.retireAtNanos >= 0) {
          retireIdle(p, "it reached poolMaxLifetime");
        } else if (settings.idleTimeoutNanos() > 0 && now - p.lastUsedNanos > settings.idleTimeoutNanos()
            && idleCount() > settings.minIdle()) {
          retireIdle(p, "it was idle longer than poolIdleTimeout");
        } else if ((settings.keepaliveNanos() > 0 && now - p.lastUsedNanos > settings.keepaliveNanos() || p.suspect)
            && p.take(PooledSession.IDLE)) {
          if (!valid(p)) {
            evict(p, "keepalive validation failed");
          } else if (closed) {
            evict(p, "the pool is closed");
          } else {
            p.lastUsedNanos = System.nanoTime();
            p.state.set(PooledSession.IDLE);
          }
        }
      } else if (state == PooledSession.IN_USE) {
        reportLeak(p, now);
      }
    }
    requestConnections();
    if (LOG.isDebugEnabled()) {
      LOG.debug("pool {}: {}", name, stats());
    }
  }

  private void retireIdle(PooledSession p, String why) {
    if (p.state.compareAndSet(PooledSession.IDLE, PooledSession.REMOVED)) {
      evict(p, why);
    }
  }

  private void reportLeak(PooledSession p, long now) {
    long threshold = settings.leakThresholdNanos();
    Throwable borrower = p.borrower;
    if (threshold <= 0 || p.leakReported || borrower == null || now - p.borrowedNanos <= threshold) {
      return;
    }
    p.leakReported = true;
    leaks.increment();
    LOG.warn("pool {}: a connection has been borrowed for {} ms (poolLeakDetectionThreshold); possible leak, borrowed at:",
        name, TimeUnit.NANOSECONDS.toMillis(now - p.borrowedNanos), borrower);
    ConnectionWrapper lease = p.lease;
    if (settings.leakReclaim() && lease != null && p.state.compareAndSet(PooledSession.IN_USE, PooledSession.REMOVED)) {
      try {
        lease.endLease(); // the application's handle now answers "connection is closed"
      } catch (SQLException ignored) {
        // closing its statements failed; the connection goes anyway
      }
      evict(p, "it leaked (poolLeakReclaim)");
    }
  }

  // ---- state ---------------------------------------------------------------------------------------

  private int idleCount() {
    int n = 0;
    for (PooledSession p : all.get()) {
      if (p.state.get() == PooledSession.IDLE) {
        n++;
      }
    }
    return n;
  }

  /** The pool's counters now. */
  public PoolStats stats() {
    int active = 0;
    int idle = 0;
    long borrows = retiredBorrows.sum();
    long borrowWaitNanos = retiredBorrowWaitNanos.sum();
    long usageNanos = retiredUsageNanos.sum();
    for (PooledSession p : all.get()) {
      borrows += p.borrows;
      borrowWaitNanos += p.borrowWaitNanos;
      usageNanos += p.usageNanos;
      int s = p.state.get();
      if (s == PooledSession.IN_USE) {
        active++;
      } else if (s == PooledSession.IDLE) {
        idle++;
      }
    }
    return new PoolStats(active, idle, waiting.get(), all.get().length, settings.maxSize(), created.sum(), evicted.sum(),
        borrows, borrowWaitNanos, usageNanos, leaks.sum());
  }

  private void ensureOpen() throws SQLException {
    if (closed) {
      throw new SQLNonTransientConnectionException("Connection pool " + name + " is closed", "08003");
    }
  }

  /**
   * Closes the pool: new borrows fail at once, waiting borrowers are woken with the same error,
   * idle connections are closed now and borrowed ones when given back, and the pool's thread stops.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    worker.shutdownNow();
    for (PooledSession p : all.get()) {
      if (p.state.compareAndSet(PooledSession.IDLE, PooledSession.REMOVED)) {
        evict(p, "the pool is closed");
      }
    }
    for (int i = waiting.get(); i > 0; i--) {
      handoff.offer(wakeUp);
    }
    java.util.function.Consumer<ConnectionSession> hook = failoverHook;
    if (hook != null && hookedContext != null) {
      hookedContext.removeOnFailover(hook);
    }
    try {
      worker.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    // one the pool's thread was validating (keepalive) when the first sweep ran is idle again by now
    for (PooledSession p : all.get()) {
      if (p.state.compareAndSet(PooledSession.IDLE, PooledSession.REMOVED)) {
        evict(p, "the pool is closed");
      }
    }
  }

  public boolean isClosed() {
    return closed;
  }

  @Override
  public String toString() {
    return "ConnectionPool " + name + ": " + stats();
  }

}
