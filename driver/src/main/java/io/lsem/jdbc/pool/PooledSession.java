package io.lsem.jdbc.pool;

import io.lsem.jdbc.wrap.ConnectionSession;
import io.lsem.jdbc.wrap.ConnectionWrapper;
import io.lsem.jdbc.wrap.SessionDefaults;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One connection of a pool: its session (the physical connection with its transaction state
 * machine), its state, and the times the pool decides by. The state changes only by
 * compare-and-set, so exactly one borrower (or the housekeeper) can hold it.
 */
final class PooledSession {
  static final int IDLE = 0;
  static final int IN_USE = 1;
  static final int REMOVED = 2;

  final ConnectionSession session;
  final SessionDefaults defaults;
  /** {@link #IDLE}, {@link #IN_USE} (borrowed, or being validated by the pool) or {@link #REMOVED}. */
  final AtomicInteger state = new AtomicInteger(IN_USE);
  final long createdNanos;
  /** When the connection retires (maximum lifetime less jitter); {@code Long.MAX_VALUE} never. */
  final long retireAtNanos;
  volatile long lastUsedNanos;
  /** Validate at the next borrow whatever the bypass window (after a failover elsewhere, say). */
  volatile boolean suspect;
  /**
   * When it was last handed out; with leak detection on, also the lease and the borrower's stack.
   * Plain fields, written by the borrower after taking the connection: the housekeeper may see
   * them a round late, which only delays a leak report.
   */
  long borrowedNanos;
  ConnectionWrapper lease;
  Throwable borrower;
  boolean leakReported;
  /** Counters of this connection's borrows, written by whoever holds it (summed for the pool's stats). */
  long borrows;
  long borrowWaitNanos;
  long usageNanos;
  /**
   * Padding: keeps the fields two borrowers write (of two connections made one after the other)
   * off a shared cache line, which otherwise slows two threads borrowing at once.
   */
  @SuppressWarnings("unused")
  private long pad0, pad1, pad2, pad3, pad4, pad5, pad6, pad7;

  PooledSession(ConnectionSession session, SessionDefaults defaults, long now, long retireAtNanos) {
    this.session = session;
    this.defaults = defaults;
    this.createdNanos = now;
    this.retireAtNanos = retireAtNanos;
    this.lastUsedNanos = now;
  }

  boolean take(int from) {
    return state.compareAndSet(from, IN_USE);
  }

  @Override
  public String toString() {
    return session == null ? "no connection" : "pooled " + session.physical();
  }
}
