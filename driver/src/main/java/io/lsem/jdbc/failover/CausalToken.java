package io.lsem.jdbc.failover;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The newest WAL position that a write made through this driver instance is known to have reached
 * on the primary: the causal token for reads on standbys. A read on a standby runs only once the
 * standby has replayed up to it (read-your-writes across every connection of the driver). Writers
 * publish their commit LSN only while some connection reads from a standby, so nobody else pays
 * for it. Thread safe; one per {@code LsemDriver} instance.
 */
public final class CausalToken {
  private final AtomicLong lsn = new AtomicLong();
  private volatile boolean standbyReaders;

  /** Raises the token to {@code lsn} if that is newer. */
  public void advance(long lsn) {
    this.lsn.accumulateAndGet(lsn, Math::max);
  }

  /** The newest known write position (0 when none). */
  public long lsn() {
    return lsn.get();
  }

  /** A connection reads from a standby: from now on writers publish their commit LSN. */
  public void standbyReaderOpened() {
    standbyReaders = true;
  }

  public boolean standbyReadersExist() {
    return standbyReaders;
  }

  /** {@code 16/B374D848} as a number. */
  public static long parse(String lsn) {
    int slash = lsn.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException("not an LSN: '" + lsn + "'; expected the form 16/B374D848");
    }
    try {
      return (Long.parseLong(lsn.substring(0, slash), 16) << 32) | Long.parseLong(lsn.substring(slash + 1), 16);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not an LSN: '" + lsn + "'; expected the form 16/B374D848", e);
    }
  }

  /** The text form PostgreSQL uses. */
  public static String format(long lsn) {
    return Long.toHexString(lsn >>> 32).toUpperCase() + "/" + Long.toHexString(lsn & 0xFFFFFFFFL).toUpperCase();
  }
}
