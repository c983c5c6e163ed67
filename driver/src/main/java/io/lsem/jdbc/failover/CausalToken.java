package io.lsem.jdbc.failover;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The newest WAL position that a write made through this driver instance is known to have reached
 * on the primary: the causal token for reads on standbys. A read on a standby runs only once the
 * standby has replayed up to it (read-your-writes across every connection of the driver). Writers
 * publish their commit LSN only while some connection reads from a standby, so nobody else pays
 * for it (and only while such a connection is open). Thread safe; one per {@code LsemDriver} instance.
 */
public final class CausalToken {
  private final AtomicLong lsn = new AtomicLong();
  /** Sessions open on standbys now. */
  private final java.util.concurrent.atomic.AtomicInteger standbyReaders = new java.util.concurrent.atomic.AtomicInteger();

  /** Raises the token to {@code lsn} if that is newer. */
  public void advance(long lsn) {
    this.lsn.accumulateAndGet(lsn, Math::max);
  }

  /** The newest known write position (0 when none). */
  public long lsn() {
    return lsn.get();
  }

  /** A connection reads from a standby: while any does, writers publish their commit LSN. */
  public void standbyReaderOpened() {
    standbyReaders.incrementAndGet();
  }

  /** A connection that read from a standby closed or moved to the primary. */
  public void standbyReaderClosed() {
    standbyReaders.decrementAndGet();
  }

  public boolean standbyReadersExist() {
    return standbyReaders.get() > 0;
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
