package io.lsem.bench;

import io.lsem.jdbc.clock.HybridLogicalClock;
import io.lsem.jdbc.ledger.OracleRegistry;
import io.lsem.jdbc.clock.TimestampOracle;
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
 * {@code oracleNext1/2} call the same clock the way the driver does: the JVM-wide
 * {@link TimestampOracle} from {@link OracleRegistry} (default class, {@code clockMaxOffset}
 * 500 ms), through the interface. No database, no stub: the clock is pure Java.
 *
 * <pre>java -jar bench/target/benchmarks.jar Clock</pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class ClockBenchmark {
  private final HybridLogicalClock clock = new HybridLogicalClock(500);
  private final TimestampOracle oracle = OracleRegistry.shared().oracle("", 500);

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

  @Benchmark
  @Threads(1)
  public long oracleNext1() {
    return oracle.next();
  }

  @Benchmark
  @Threads(2)
  public long oracleNext2() {
    return oracle.next();
  }
}
