package io.lsem.jdbc.config;

import io.lsem.jdbc.LsemProperty;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * The driver's own settings for one connection configuration, parsed and validated once.
 * Immutable; holds no credentials.
 */
public final class LsemSettings {
  private final Map<LsemProperty, Object> values;

  LsemSettings(Map<LsemProperty, Object> values) {
    this.values = Collections.unmodifiableMap(new EnumMap<>(values));
  }

  /** All defaults. */
  public static LsemSettings defaults() {
    Map<LsemProperty, Object> values = new EnumMap<>(LsemProperty.class);
    for (LsemProperty p : LsemProperty.values()) {
      values.put(p, p.parse(p.defaultValue()));
    }
    return new LsemSettings(values);
  }

  /** See {@link LsemProperty#SQL_CACHE_SIZE}. */
  public int sqlCacheSize() {
    return (Integer) values.get(LsemProperty.SQL_CACHE_SIZE);
  }

  /** See {@link LsemProperty#TYPED_EXCEPTIONS}. */
  public boolean typedExceptions() {
    return (Boolean) values.get(LsemProperty.TYPED_EXCEPTIONS);
  }

  /** See {@link LsemProperty#RETRY}. */
  public boolean retry() {
    return (Boolean) values.get(LsemProperty.RETRY);
  }

  /** See {@link LsemProperty#RETRY_SQL_STATES}. */
  @SuppressWarnings("unchecked")
  public java.util.Set<String> retrySqlStates() {
    return (java.util.Set<String>) values.get(LsemProperty.RETRY_SQL_STATES);
  }

  /** See {@link LsemProperty#RETRY_MAX_ATTEMPTS}. */
  public int retryMaxAttempts() {
    return (Integer) values.get(LsemProperty.RETRY_MAX_ATTEMPTS);
  }

  /** See {@link LsemProperty#RETRY_BACKOFF_BASE}. */
  public java.time.Duration retryBackoffBase() {
    return (java.time.Duration) values.get(LsemProperty.RETRY_BACKOFF_BASE);
  }

  /** See {@link LsemProperty#RETRY_BACKOFF_CAP}. */
  public java.time.Duration retryBackoffCap() {
    return (java.time.Duration) values.get(LsemProperty.RETRY_BACKOFF_CAP);
  }

  /** See {@link LsemProperty#RETRY_BUDGET}. */
  public java.time.Duration retryBudget() {
    return (java.time.Duration) values.get(LsemProperty.RETRY_BUDGET);
  }

  /** See {@link LsemProperty#RETRY_MAX_RECORDED_BYTES}. */
  public long retryMaxRecordedBytes() {
    return (Long) values.get(LsemProperty.RETRY_MAX_RECORDED_BYTES);
  }

  /** See {@link LsemProperty#TIMESTAMPS}: {@code auto}, {@code on} or {@code off}. */
  public String timestamps() {
    return (String) values.get(LsemProperty.TIMESTAMPS);
  }

  /** {@link LsemProperty#INSTALL_LEDGER}. */
  public boolean installLedger() {
    return (Boolean) values.get(LsemProperty.INSTALL_LEDGER);
  }

  /** See {@link LsemProperty#CLOCK_MAX_OFFSET}. */
  public java.time.Duration clockMaxOffset() {
    return (java.time.Duration) values.get(LsemProperty.CLOCK_MAX_OFFSET);
  }

  /** See {@link LsemProperty#SLOW_TRANSACTION_THRESHOLD}; zero for off. */
  public java.time.Duration slowTransactionThreshold() {
    return (java.time.Duration) values.get(LsemProperty.SLOW_TRANSACTION_THRESHOLD);
  }

  /** See {@link LsemProperty#TRANSACTION_TELEMETRY}: the names, empty for none. */
  @SuppressWarnings("unchecked")
  public java.util.Set<String> transactionTelemetry() {
    return (java.util.Set<String>) values.get(LsemProperty.TRANSACTION_TELEMETRY);
  }

  /** See {@link LsemProperty#GUARD_AUTOCOMMIT_WRITES}: off, warn or reject. */
  public String guardAutocommitWrites() {
    return (String) values.get(LsemProperty.GUARD_AUTOCOMMIT_WRITES);
  }

  /** See {@link LsemProperty#GUARD_LOCAL_TIME}: off, warn or reject. */
  public String guardLocalTime() {
    return (String) values.get(LsemProperty.GUARD_LOCAL_TIME);
  }

  /** See {@link LsemProperty#COORDINATOR}; empty for none. */
  public String coordinator() {
    return (String) values.get(LsemProperty.COORDINATOR);
  }

  /** See {@link LsemProperty#COORDINATOR_TIMEOUT}. */
  public java.time.Duration coordinatorTimeout() {
    return (java.time.Duration) values.get(LsemProperty.COORDINATOR_TIMEOUT);
  }

  /** See {@link LsemProperty#TIMESTAMP_ORACLE}. */
  public String timestampOracle() {
    return (String) values.get(LsemProperty.TIMESTAMP_ORACLE);
  }

  /** See {@link LsemProperty#LEDGER_RETENTION}. */
  public java.time.Duration ledgerRetention() {
    return (java.time.Duration) values.get(LsemProperty.LEDGER_RETENTION);
  }

  /** See {@link LsemProperty#LEDGER_PURGE_INTERVAL}. */
  public java.time.Duration ledgerPurgeInterval() {
    return (java.time.Duration) values.get(LsemProperty.LEDGER_PURGE_INTERVAL);
  }

  /** See {@link LsemProperty#FAILOVER}. */
  public boolean failover() {
    return (Boolean) values.get(LsemProperty.FAILOVER);
  }

  /** See {@link LsemProperty#FAILOVER_TIMEOUT}. */
  public java.time.Duration failoverTimeout() {
    return (java.time.Duration) values.get(LsemProperty.FAILOVER_TIMEOUT);
  }

  /** See {@link LsemProperty#STANDBY_READ_WAIT}. */
  public java.time.Duration standbyReadWait() {
    return (java.time.Duration) values.get(LsemProperty.STANDBY_READ_WAIT);
  }

  /** See {@link LsemProperty#LEDGER_PURGE_BATCH}. */
  public int ledgerPurgeBatch() {
    return (Integer) values.get(LsemProperty.LEDGER_PURGE_BATCH);
  }

  /** See {@link LsemProperty#POOL}. */
  public boolean pool() {
    return (Boolean) values.get(LsemProperty.POOL);
  }

  /** See {@link LsemProperty#POOL_MAX_SIZE}. */
  public int poolMaxSize() {
    return (Integer) values.get(LsemProperty.POOL_MAX_SIZE);
  }

  /** See {@link LsemProperty#POOL_MIN_IDLE}. */
  public int poolMinIdle() {
    return (Integer) values.get(LsemProperty.POOL_MIN_IDLE);
  }

  /** See {@link LsemProperty#POOL_CONNECTION_TIMEOUT}. */
  public java.time.Duration poolConnectionTimeout() {
    return (java.time.Duration) values.get(LsemProperty.POOL_CONNECTION_TIMEOUT);
  }

  /** See {@link LsemProperty#POOL_IDLE_TIMEOUT}. */
  public java.time.Duration poolIdleTimeout() {
    return (java.time.Duration) values.get(LsemProperty.POOL_IDLE_TIMEOUT);
  }

  /** See {@link LsemProperty#POOL_MAX_LIFETIME}. */
  public java.time.Duration poolMaxLifetime() {
    return (java.time.Duration) values.get(LsemProperty.POOL_MAX_LIFETIME);
  }

  /** See {@link LsemProperty#POOL_KEEPALIVE}. */
  public java.time.Duration poolKeepalive() {
    return (java.time.Duration) values.get(LsemProperty.POOL_KEEPALIVE);
  }

  /** See {@link LsemProperty#POOL_VALIDATION_TIMEOUT}. */
  public java.time.Duration poolValidationTimeout() {
    return (java.time.Duration) values.get(LsemProperty.POOL_VALIDATION_TIMEOUT);
  }

  /** See {@link LsemProperty#POOL_VALIDATION_BYPASS}. */
  public java.time.Duration poolValidationBypass() {
    return (java.time.Duration) values.get(LsemProperty.POOL_VALIDATION_BYPASS);
  }

  /** See {@link LsemProperty#POOL_LEAK_DETECTION_THRESHOLD}. */
  public java.time.Duration poolLeakDetectionThreshold() {
    return (java.time.Duration) values.get(LsemProperty.POOL_LEAK_DETECTION_THRESHOLD);
  }

  /** See {@link LsemProperty#POOL_LEAK_RECLAIM}. */
  public boolean poolLeakReclaim() {
    return (Boolean) values.get(LsemProperty.POOL_LEAK_RECLAIM);
  }

  /** See {@link LsemProperty#POOL_AUTO_COMMIT}. */
  public boolean poolAutoCommit() {
    return (Boolean) values.get(LsemProperty.POOL_AUTO_COMMIT);
  }

  /** See {@link LsemProperty#POOL_INIT_SQL}. */
  public String poolInitSql() {
    return (String) values.get(LsemProperty.POOL_INIT_SQL);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LsemSettings && ((LsemSettings) o).values.equals(values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("LsemSettings{");
    values.forEach((p, v) -> sb.append(p.propertyName()).append('=').append(v).append(", "));
    sb.setLength(sb.length() - 2);
    return sb.append('}').toString();
  }
}
