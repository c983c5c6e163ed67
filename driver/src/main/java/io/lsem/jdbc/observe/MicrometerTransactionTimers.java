package io.lsem.jdbc.observe;

import io.lsem.jdbc.TransactionBreakdown;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/**
 * Micrometer timers of every transaction's breakdown ({@code transactionTelemetry=micrometer}):
 * {@code lsem.transaction} tagged {@code layer} = total, pool_wait, server, oracle, coordination, retry,
 * application, driver, each with p50, p95 and p99, and the summary {@code lsem.transaction.attempts}.
 * A layer that took no time in a transaction is recorded as zero, so every timer counts every
 * transaction. Shared by the connections of one configuration; Micrometer's meters are thread safe.
 */
final class MicrometerTransactionTimers implements TransactionSink {
  private final Timer total;
  private final Timer poolWait;
  private final Timer server;
  private final Timer oracle;
  private final Timer coordination;
  private final Timer retry;
  private final Timer application;
  private final Timer driver;
  private final DistributionSummary attempts;

  /** Timers in Micrometer's global registry (which Spring Boot's actuator registry is added to). */
  static TransactionSink inGlobalRegistry() {
    return new MicrometerTransactionTimers(io.micrometer.core.instrument.Metrics.globalRegistry);
  }

  MicrometerTransactionTimers(MeterRegistry registry) {
    total = timer(registry, "total", "whole transaction, pool wait included");
    poolWait = timer(registry, "pool_wait", "waiting for the pooled connection");
    server = timer(registry, "server", "calls to the server, network included (L0)");
    oracle = timer(registry, "oracle", "waiting for global timestamps (L2)");
    coordination = timer(registry, "coordination", "an XA branch waiting for its transaction manager (L2)");
    retry = timer(registry, "retry", "transparent retry: backoff and replay");
    application = timer(registry, "application", "the application's own time between its calls");
    driver = timer(registry, "driver", "the driver's own work");
    attempts = DistributionSummary.builder("lsem.transaction.attempts")
        .description("runs of a transaction, the first included").register(registry);
  }

  private static Timer timer(MeterRegistry registry, String layer, String description) {
    return Timer.builder("lsem.transaction").description("time of a transaction by layer: " + description)
        .tag("layer", layer).publishPercentiles(0.5, 0.95, 0.99).register(registry);
  }

  @Override
  public void ended(TransactionBreakdown b, boolean committed, ServerEndpoint where) {
    total.record(b.totalNanos(), TimeUnit.NANOSECONDS);
    poolWait.record(b.poolWaitNanos(), TimeUnit.NANOSECONDS);
    server.record(b.serverNanos(), TimeUnit.NANOSECONDS);
    oracle.record(b.oracleNanos(), TimeUnit.NANOSECONDS);
    coordination.record(b.coordinationNanos(), TimeUnit.NANOSECONDS);
    retry.record(b.retryNanos(), TimeUnit.NANOSECONDS);
    application.record(b.applicationNanos(), TimeUnit.NANOSECONDS);
    driver.record(b.driverNanos(), TimeUnit.NANOSECONDS);
    attempts.record(b.attempts());
  }
}
