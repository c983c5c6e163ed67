package io.lsem.jdbc.observe;

import io.lsem.jdbc.clock.HybridLogicalClock;
import io.lsem.jdbc.clock.TimestampOracle;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/** A timestamp oracle that takes 100 ms per timestamp: the L2 layer made slow on purpose. */
public final class SlowOracle implements TimestampOracle {
  static final long DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  private final HybridLogicalClock clock = new HybridLogicalClock(500);

  @Override
  public long next() {
    long until = System.nanoTime() + DELAY_NANOS;
    for (long left = DELAY_NANOS; left > 0; left = until - System.nanoTime()) {
      LockSupport.parkNanos(left); // the oracle's own latency, not synchronization
    }
    return clock.next();
  }

  @Override
  public long current() {
    return clock.current();
  }

  @Override
  public void observe(long remote) {
    clock.observe(remote);
  }
}
