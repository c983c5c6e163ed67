package io.lsem.jdbc.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lsem.testkit.PostgresExtension;
import io.lsem.testkit.TestDatabase;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code transactionTelemetry}: the breakdown of every transaction reaches Micrometer's timers and
 * OpenTelemetry's spans, with the layer that was slow on purpose ({@code pg_sleep}) carrying the
 * time, and nothing is exported when the property is not set.
 */
@ExtendWith(PostgresExtension.class)
class TransactionTelemetryTest {
  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

  private static Connection lsem(TestDatabase db, String telemetry) throws SQLException {
    Properties p = new Properties();
    p.setProperty("timestamps", "off");
    if (telemetry != null) {
      p.setProperty("transactionTelemetry", telemetry);
    }
    Connection c = db.lsem(p);
    c.setAutoCommit(false);
    return c;
  }

  private static void slowTransactions(Connection c, int n) throws SQLException {
    try (Statement s = c.createStatement()) {
      for (int i = 0; i < n; i++) {
        s.execute("SELECT pg_sleep(0.03)");
        c.commit();
      }
    }
  }

  @Test
  void micrometerTimersPerLayer(TestDatabase db) throws SQLException {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Metrics.addRegistry(registry);
    try {
      try (Connection plain = lsem(db, null)) {
        slowTransactions(plain, 1);
      }
      assertTrue(registry.find("lsem.transaction").timers().isEmpty(), "nothing is exported unless asked");
      try (Connection c = lsem(db, "micrometer")) {
        slowTransactions(c, 3);
      }
      Timer total = registry.get("lsem.transaction").tag("layer", "total").timer();
      Timer server = registry.get("lsem.transaction").tag("layer", "server").timer();
      Timer retry = registry.get("lsem.transaction").tag("layer", "retry").timer();
      assertEquals(3, total.count());
      assertEquals(3, server.count());
      assertTrue(server.totalTime(TimeUnit.NANOSECONDS) >= 3 * 30 * MS, "pg_sleep is server time");
      assertTrue(server.totalTime(TimeUnit.NANOSECONDS) <= total.totalTime(TimeUnit.NANOSECONDS));
      assertEquals(0, retry.totalTime(TimeUnit.NANOSECONDS), 0.0);
      assertEquals(3, registry.get("lsem.transaction.attempts").summary().totalAmount(), 0.0);
      assertTrue(server.takeSnapshot().percentileValues().length == 3, "p50, p95, p99 are published");
    } finally {
      Metrics.removeRegistry(registry);
      registry.close();
    }
  }

  @Test
  void openTelemetrySpanPerTransactionWithLayers(TestDatabase db) throws SQLException {
    InMemorySpanExporter spans = InMemorySpanExporter.create();
    GlobalOpenTelemetry.resetForTest();
    try (OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
        .buildAndRegisterGlobal()) {
      try (Connection c = lsem(db, "opentelemetry"); Statement s = c.createStatement()) {
        s.execute("SELECT pg_sleep(0.03)");
        c.commit();
        s.execute("SELECT 1");
        c.rollback();
      }
      List<SpanData> all = spans.getFinishedSpanItems();
      List<SpanData> transactions = all.stream().filter(d -> d.getName().equals("lsem.transaction")).toList();
      assertEquals(2, transactions.size(), all.toString());
      SpanData committed = transactions.get(0);
      assertEquals("COMMIT", committed.getAttributes().get(AttributeKey.stringKey("db.operation.name")));
      assertEquals("ROLLBACK", transactions.get(1).getAttributes().get(AttributeKey.stringKey("db.operation.name")));
      assertEquals("postgresql", committed.getAttributes().get(AttributeKey.stringKey("db.system.name")));
      assertEquals(db.name(), committed.getAttributes().get(AttributeKey.stringKey("db.namespace")));
      assertEquals("127.0.0.1", committed.getAttributes().get(AttributeKey.stringKey("server.address")));
      Map<String, Long> children = all.stream()
          .filter(d -> d.getParentSpanId().equals(committed.getSpanId()))
          .collect(Collectors.toMap(SpanData::getName, d -> d.getEndEpochNanos() - d.getStartEpochNanos()));
      assertTrue(children.getOrDefault("lsem.server", 0L) >= 30 * MS, children.toString());
      long sum = children.values().stream().mapToLong(Long::longValue).sum();
      long whole = committed.getEndEpochNanos() - committed.getStartEpochNanos();
      assertTrue(Math.abs(whole - sum) <= whole / 20, "the layers add up to the transaction: " + children);
      assertTrue(!children.containsKey("lsem.retry"), "a layer that took no time has no span");
    } finally {
      GlobalOpenTelemetry.resetForTest();
    }
  }

  @Test
  void anUnknownExporterIsNamedWithTheAcceptedForms(TestDatabase db) {
    SQLException e = assertThrows(SQLException.class, () -> lsem(db, "micrometer,prometheus"));
    assertTrue(e.getMessage().contains("transactionTelemetry") && e.getMessage().contains("opentelemetry"),
        e.getMessage());
  }
}
