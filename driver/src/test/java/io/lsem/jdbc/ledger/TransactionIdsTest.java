package io.lsem.jdbc.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lsem.jdbc.clock.Hlc;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Logical transaction ids are RFC 9562 version 7 UUIDs that follow their start timestamps. */
class TransactionIdsTest {

  @Test
  void anIdIsAVersion7UuidCarryingItsStartTimestamp() {
    long ts = Hlc.of(1_795_000_000_123L, 0x2ABCD);
    UUID id = TransactionIds.next(ts);
    assertEquals(7, id.version());
    assertEquals(2, id.variant());
    assertEquals(Hlc.millis(ts), id.getMostSignificantBits() >>> 16, "unix_ts_ms field");
    long logical = (id.getMostSignificantBits() & 0xFFF) << 6 | (id.getLeastSignificantBits() >>> 56 & 0x3F);
    assertEquals(Hlc.logical(ts), logical, "counter in rand_a and the top of rand_b");
  }

  @Test
  void idsOfIncreasingTimestampsAreDistinctAndIncreaseAsPostgresOrdersUuids() {
    Set<UUID> seen = new HashSet<>();
    UUID previous = null;
    long ts = Hlc.of(1_795_000_000_000L, Hlc.LOGICAL_MASK - 500);
    for (int i = 0; i < 100_000; i++, ts++) { // crosses a millisecond boundary on the way
      UUID id = TransactionIds.next(ts);
      assertTrue(seen.add(id), "duplicate " + id);
      if (previous != null) {
        // PostgreSQL compares uuids byte by byte, unsigned: the most significant half first.
        int order = Long.compareUnsigned(previous.getMostSignificantBits(), id.getMostSignificantBits());
        if (order == 0) {
          order = Long.compareUnsigned(previous.getLeastSignificantBits() >>> 56, id.getLeastSignificantBits() >>> 56);
        }
        assertTrue(order < 0, previous + " before " + id);
      }
      previous = id;
    }
  }
}
