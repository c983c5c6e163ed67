package io.lsem.jdbc.clock;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The default {@link TimestampOracle}: a hybrid logical clock in one {@link AtomicLong}.
 * {@link #next()} returns the physical time in the {@link Hlc} layout when it is ahead of the
 * last timestamp, else the last timestamp plus one — so timestamps strictly increase even when
 * the wall clock steps back, and a full logical counter carries into the millisecond part (the
 * clock then runs at most a little ahead of the wall clock until it catches up). Lock free: one
 * compare-and-set per timestamp.
 */
public final class HybridLogicalClock implements TimestampOracle {
  private final AtomicLong last = new AtomicLong();
  private final LongSupplier physicalMillis;
  private final long maxOffsetMillis;

  /** The system clock, rejecting remote timestamps more than {@code maxOffsetMillis} ahead. */
  public HybridLogicalClock(long maxOffsetMillis) {
    this(maxOffsetMillis, System::currentTimeMillis);
  }

  /** A clock reading {@code physicalMillis} (tests inject skew or steps back here). */
  public HybridLogicalClock(long maxOffsetMillis, LongSupplier physicalMillis) {
    if (maxOffsetMillis < 0) {
      throw new IllegalArgumentException("maxOffsetMillis must be >= 0, was " + maxOffsetMillis);
    }
    this.maxOffsetMillis = maxOffsetMillis;
    this.physicalMillis = physicalMillis;
  }

  @Override
  public long next() {
    long physical = Hlc.of(physicalMillis.getAsLong(), 0);
    for (;;) {
      long prev = last.get();
      long candidate = physical > prev ? physical : prev + 1;
      if (last.compareAndSet(prev, candidate)) {
        return candidate;
      }
    }
  }

  @Override
  public long current() {
    return last.get();
  }

  @Override
  public void observe(long remote) {
    long now = physicalMillis.getAsLong();
    long ahead = Hlc.millis(remote) - now;
    if (ahead > maxOffsetMillis) {
      throw new IllegalArgumentException("timestamp " + Hlc.format(remote) + " is " + ahead
          + " ms ahead of this node's clock; the most accepted is the maximum clock offset of " + maxOffsetMillis
          + " ms (property clockMaxOffset)");
    }
    last.accumulateAndGet(remote, Math::max);
  }

  @Override
  public void advanceTo(long ts) {
    last.accumulateAndGet(ts, Math::max);
  }

  @Override
  public String toString() {
    return "HybridLogicalClock{last=" + Hlc.format(last.get()) + ", maxOffset="
        + TimeUnit.MILLISECONDS.toMillis(maxOffsetMillis) + "ms}";
  }
}
