package io.lsem.bench;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collection;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Every benchmark bench/README.md cites still runs (issue 19: a benchmark that broke silently left
 * the README's figures irreproducible): each JMH benchmark once, briefly, in this JVM, with a real
 * score; the TPC-B and SmallBank comparisons for a second with their consistency checks. Smoke only: the figures
 * come from the commands in bench/README.md.
 */
class BenchmarkSmokeTest {

  @Test
  void everyJmhBenchmarkRuns() throws Exception {
    Options options = new OptionsBuilder()
        .include("io\\.lsem\\.bench\\.[A-Za-z]+Benchmark\\.")
        .forks(0)
        .warmupIterations(0)
        .measurementIterations(1)
        .measurementTime(TimeValue.milliseconds(30))
        .shouldFailOnError(true)
        .build();
    Collection<RunResult> results = new Runner(options).run();
    assertTrue(results.size() >= 8, "the benchmarks found: " + results.size());
    for (RunResult r : results) {
      double score = r.getPrimaryResult().getScore();
      assertFalse(Double.isNaN(score) || score <= 0, r.getParams().getBenchmark() + " scored " + score);
    }
  }

  @Test
  void theSmallBankComparisonRunsAndChecksTheMoney() throws Exception {
    assertTrue(SmallBankWorkload.run(new String[] {"--threads", "4", "--seconds", "1", "--rounds", "1"}),
        "the SmallBank run's money check");
  }

  @Test
  void theTpcbComparisonRunsAndChecksConsistency() throws Exception {
    assertTrue(TpcbWorkload.run(TpcbOptions.parse(new String[] {"--threads", "2", "--seconds", "1", "--rounds", "1",
        "--warmup", "0", "--scale", "1"})), "the TPC-B run's consistency check");
  }
}
