package io.lsem.jdbc.ledger;

import io.lsem.jdbc.clock.Hlc;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Logical transaction ids: version 7 UUIDs (RFC 9562) made from the transaction's start
 * timestamp. The 48-bit Unix millisecond field is the timestamp's milliseconds; the 12-bit
 * {@code rand_a} field and the top 6 bits of {@code rand_b} hold its 18-bit logical counter
 * (the RFC's "dedicated counter" method), and the remaining 56 bits are random.
 *
 * <p>Why: ids issued by one clock are unique by construction (its timestamps are), ids of
 * different clocks differ in 56 random bits, the ledger's primary key grows at its right edge
 * instead of at random pages, and making one costs no {@code SecureRandom} call (the ids are
 * identifiers, not secrets).
 */
final class TransactionIds {
  private static final long VERSION_7 = 0x7000L;
  private static final long VARIANT_RFC = 0x8000_0000_0000_0000L;

  private TransactionIds() {}

  /** The id of the transaction that starts at {@code startTs}. */
  static UUID next(long startTs) {
    long logical = Hlc.logical(startTs);
    long msb = Hlc.millis(startTs) << 16 | VERSION_7 | (logical >>> 6);
    long lsb = VARIANT_RFC | (logical & 0x3F) << 56 | ThreadLocalRandom.current().nextLong() >>> 8;
    return new UUID(msb, lsb);
  }
}
