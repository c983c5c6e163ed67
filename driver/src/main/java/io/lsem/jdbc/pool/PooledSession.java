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
  /** The lease handed out now, and when and by whom it was borrowed (leak detection). */
  volatile ConnectionWrapper lease;
  volatile long borrowedNanos;
  volatile Throwable borrower;
  volatile boolean leakReported;

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
