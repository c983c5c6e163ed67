package io.lsem.jdbc.ledger;

import io.lsem.jdbc.clock.HybridLogicalClock;
import io.lsem.jdbc.clock.TimestampOracle;

/**
 * Oracles for tests, named by the {@code timestampOracle} property: each stands for another
 * application instance whose wall clock is off by a fixed amount.
 */
public final class SkewedOracles {
  private SkewedOracles() {}

  /** Delegates to a hybrid logical clock whose physical time is shifted. */
  abstract static class Shifted implements TimestampOracle {
    private final HybridLogicalClock clock;

    Shifted(long shiftMillis) {
      clock = new HybridLogicalClock(500, () -> System.currentTimeMillis() + shiftMillis);
    }

    @Override
    public long next() {
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

    @Override
    public void advanceTo(long ts) {
      clock.advanceTo(ts);
    }
  }

  /** An instance whose clock runs 5 seconds ahead. */
  public static final class Ahead extends Shifted {
    public Ahead() {
      super(5_000);
    }
  }

  /** An instance whose clock is 5 seconds behind. */
  public static final class Behind extends Shifted {
    public Behind() {
      super(-5_000);
    }
  }

  /** An instance that starts later, with a correct clock (seeding is observable on it). */
  public static final class Fresh extends Shifted {
    public Fresh() {
      super(0);
    }
  }
}
