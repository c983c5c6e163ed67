package io.lsem.jdbc.observe;

import io.lsem.jdbc.TransactionBreakdown;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * An OpenTelemetry span per transaction ({@code transactionTelemetry=opentelemetry}), made when
 * the transaction ends, child of the application's current span: named {@code lsem.transaction},
 * kind CLIENT, with the database semantic conventions ({@code db.system.name}, {@code
 * db.namespace}, {@code db.operation.name} COMMIT or ROLLBACK, {@code server.address}, {@code
 * server.port}), the logical id and the attempts. A child span per layer that took time
 * ({@code lsem.server}, {@code lsem.oracle}, ...) lasts that layer's total; the children are laid
 * end to end from the transaction's start, since a layer's time is spread over the transaction.
 */
final class OpenTelemetryTransactionSpans implements TransactionSink {
  private static final AttributeKey<String> DB_SYSTEM_NAME = AttributeKey.stringKey("db.system.name");
  private static final AttributeKey<String> DB_NAMESPACE = AttributeKey.stringKey("db.namespace");
  private static final AttributeKey<String> DB_OPERATION = AttributeKey.stringKey("db.operation.name");
  private static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
  private static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
  private static final AttributeKey<String> TRANSACTION_ID = AttributeKey.stringKey("lsem.transaction.id");
  private static final AttributeKey<Long> ATTEMPTS = AttributeKey.longKey("lsem.transaction.attempts");

  private final Tracer tracer;

  /** Spans through the application's {@code GlobalOpenTelemetry}. */
  static TransactionSink global() {
    return new OpenTelemetryTransactionSpans(io.opentelemetry.api.GlobalOpenTelemetry.get());
  }

  OpenTelemetryTransactionSpans(OpenTelemetry openTelemetry) {
    this.tracer = openTelemetry.getTracer("io.lsem.jdbc");
  }

  @Override
  public void ended(TransactionBreakdown b, boolean committed, ServerEndpoint where) {
    Instant now = Instant.now();
    long end = TimeUnit.SECONDS.toNanos(now.getEpochSecond()) + now.getNano();
    long start = end - b.totalNanos();
    Span transaction = tracer.spanBuilder("lsem.transaction").setSpanKind(SpanKind.CLIENT)
        .setStartTimestamp(start, TimeUnit.NANOSECONDS)
        .setAttribute(DB_SYSTEM_NAME, "postgresql")
        .setAttribute(DB_NAMESPACE, where.database())
        .setAttribute(DB_OPERATION, committed ? "COMMIT" : "ROLLBACK")
        .setAttribute(SERVER_ADDRESS, where.host())
        .setAttribute(SERVER_PORT, (long) where.port())
        .setAttribute(TRANSACTION_ID, b.transactionId())
        .setAttribute(ATTEMPTS, (long) b.attempts())
        .startSpan();
    Context parent = Context.current().with(transaction);
    long at = start;
    at = layer(parent, "lsem.pool_wait", at, b.poolWaitNanos());
    at = layer(parent, "lsem.server", at, b.serverNanos());
    at = layer(parent, "lsem.oracle", at, b.oracleNanos());
    at = layer(parent, "lsem.coordination", at, b.coordinationNanos());
    at = layer(parent, "lsem.retry", at, b.retryNanos());
    at = layer(parent, "lsem.application", at, b.applicationNanos());
    layer(parent, "lsem.driver", at, b.driverNanos());
    transaction.end(end, TimeUnit.NANOSECONDS);
  }

  private long layer(Context parent, String name, long start, long nanos) {
    if (nanos <= 0) {
      return start;
    }
    tracer.spanBuilder(name).setParent(parent).setSpanKind(SpanKind.INTERNAL)
        .setStartTimestamp(start, TimeUnit.NANOSECONDS).startSpan().end(start + nanos, TimeUnit.NANOSECONDS);
    return start + nanos;
  }
}
