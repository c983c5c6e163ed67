package io.lsem.jdbc.clock;

import java.time.Instant;

/**
 * The timestamp layout: {@code (unixMillis << 18) | logical}. 46 bits of milliseconds last until
 * the year 4199; 18 bits give 262,144 timestamps per millisecond before the counter carries into
 * the millisecond part.
 */
public final class Hlc {
  /** Bits of the logical counter. */
  public static final int LOGICAL_BITS = 18;
  /** Mask of the logical counter. */
  public static final long LOGICAL_MASK = (1L << LOGICAL_BITS) - 1;

  private Hlc() {}

  /** The timestamp of {@code millis} with logical counter {@code logical}. */
  public static long of(long millis, long logical) {
    return (millis << LOGICAL_BITS) | (logical & LOGICAL_MASK);
  }

  /** The Unix milliseconds of {@code ts}. */
  public static long millis(long ts) {
    return ts >>> LOGICAL_BITS;
  }

  /** The logical counter of {@code ts}. */
  public static long logical(long ts) {
    return ts & LOGICAL_MASK;
  }

  /** For humans: {@code 2026-11-24T13:45:00.123Z+17}. */
  public static String format(long ts) {
    return Instant.ofEpochMilli(millis(ts)) + "+" + logical(ts);
  }
}
