package io.lsem.jdbc.clock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The hybrid logical clock with injected physical time: strictly increasing when the wall clock
 * stands still or steps back, the logical counter carrying into the milliseconds, remote
 * timestamps accepted up to the maximum offset, and unique timestamps under concurrency.
 */
class HybridLogicalClockTest {

  @Test
  void layoutIsMillisecondsAndLogicalCounter() {
    long ts = Hlc.of(1_700_000_000_123L, 5);
    assertEquals(1_700_000_000_123L, Hlc.millis(ts));
    assertEquals(5, Hlc.logical(ts));
    assertEquals("2023-11-14T22:13:20.123Z+5", Hlc.format(ts));
  }

  @Test
  void followsTheWallClockAndCountsWithinAMillisecond() {
    AtomicLong now = new AtomicLong(1_000);
    HybridLogicalClock clock = new HybridLogicalClock(500, now::get);
    assertEquals(Hlc.of(1_000, 0), clock.next());
    assertEquals(Hlc.of(1_000, 1), clock.next());
    now.set(1_001);
    assertEquals(Hlc.of(1_001, 0), clock.next());
  }

  @Test
  void staysStrictlyIncreasingWhenTheWallClockStepsBack() {
    AtomicLong now = new AtomicLong(5_000);
    HybridLogicalClock clock = new HybridLogicalClock(500, now::get);
    long before = clock.next();
    now.set(1_000);
    long after = clock.next();
    assertTrue(after > before);
    assertEquals(5_000, Hlc.millis(after), "holds at the highest time seen");
  }

  @Test
  void aFullLogicalCounterCarriesIntoTheMilliseconds() {
    AtomicLong now = new AtomicLong(7_000);
    HybridLogicalClock clock = new HybridLogicalClock(500, now::get);
    clock.advanceTo(Hlc.of(7_000, Hlc.LOGICAL_MASK));
    long carried = clock.next();
    assertEquals(Hlc.of(7_001, 0), carried);
    assertTrue(carried > Hlc.of(7_000, Hlc.LOGICAL_MASK));
  }

  @Test
  void observeAcceptsUpToTheMaximumOffset() {
    AtomicLong now = new AtomicLong(10_000);
    HybridLogicalClock clock = new HybridLogicalClock(500, now::get);
    clock.observe(Hlc.of(10_500, 3));
    assertEquals(Hlc.of(10_500, 4), clock.next(), "the next timestamp follows the observed one");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> clock.observe(Hlc.of(10_501, 0)));
    assertTrue(e.getMessage().contains("501 ms ahead"), e.getMessage());
    clock.observe(Hlc.of(1, 0));
    assertTrue(clock.next() > Hlc.of(10_500, 4), "an old remote timestamp changes nothing");
  }

  @Test
  void timestampsAreUniqueAcrossThreads() throws Exception {
    HybridLogicalClock clock = new HybridLogicalClock(500);
    Set<Long> seen = ConcurrentHashMap.newKeySet();
    List<Thread> threads = IntStream.range(0, 4).mapToObj(i -> new Thread(() -> {
      long last = 0;
      for (int n = 0; n < 50_000; n++) {
        long ts = clock.next();
        if (ts <= last || !seen.add(ts)) {
          throw new AssertionError("duplicate or decreasing timestamp " + ts);
        }
        last = ts;
      }
    })).collect(Collectors.toList());
    Set<Throwable> failures = new HashSet<>();
    for (Thread t : threads) {
      t.setUncaughtExceptionHandler((th, e) -> failures.add(e));
      t.start();
    }
    for (Thread t : threads) {
      t.join();
    }
    assertEquals(Set.of(), failures);
    assertEquals(200_000, seen.size());
  }
}
