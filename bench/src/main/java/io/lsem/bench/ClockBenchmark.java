package io.lsem.bench;

import io.lsem.jdbc.clock.HybridLogicalClock;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Hybrid-logical-clock timestamps per second from one shared clock ({@code next()}: a wall-clock
 * read and one compare-and-set), with 1 and 2 threads. Expect tens of millions per second.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class ClockBenchmark {
  private final HybridLogicalClock clock = new HybridLogicalClock(500);

  @Benchmark
  @Threads(1)
  public long next1() {
    return clock.next();
  }

  @Benchmark
  @Threads(2)
  public long next2() {
    return clock.next();
  }
}
