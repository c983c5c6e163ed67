package io.lsem.jdbc;

/**
 * The driver's properties as JavaBeans properties of the LSEM data source classes, for containers
 * and frameworks that configure a data source by setters (a {@code <Resource>} or
 * {@code <xa-datasource-property>} entry, Spring's bean properties, JNDI factories). Each property
 * takes the same text as in the URL ({@code "false"}, {@code "250ms"}, {@code "4MiB"}) and is
 * checked when set: a bad value throws {@link IllegalArgumentException} with the URL's message.
 * A getter returns the value set, or {@code null} when the property is left at its default. The
 * meaning and default of each are on {@link LsemProperty}.
 */
public interface LsemDataSourceProperties {

  /** Sets one of the driver's properties from its URL text; {@code null} restores the default. */
  void setDriverProperty(LsemProperty property, String value);

  /** The text set for one of the driver's properties, or {@code null} if it is at its default. */
  String getDriverProperty(LsemProperty property);

  /** {@link LsemProperty#SQL_CACHE_SIZE} ({@code sqlCacheSize}). */
  default void setSqlCacheSize(String value) {
    setDriverProperty(LsemProperty.SQL_CACHE_SIZE, value);
  }

  /** {@link LsemProperty#SQL_CACHE_SIZE} ({@code sqlCacheSize}) as set, or {@code null}. */
  default String getSqlCacheSize() {
    return getDriverProperty(LsemProperty.SQL_CACHE_SIZE);
  }

  /** {@link LsemProperty#TYPED_EXCEPTIONS} ({@code typedExceptions}). */
  default void setTypedExceptions(String value) {
    setDriverProperty(LsemProperty.TYPED_EXCEPTIONS, value);
  }

  /** {@link LsemProperty#TYPED_EXCEPTIONS} ({@code typedExceptions}) as set, or {@code null}. */
  default String getTypedExceptions() {
    return getDriverProperty(LsemProperty.TYPED_EXCEPTIONS);
  }

  /** {@link LsemProperty#RETRY} ({@code retry}). */
  default void setRetry(String value) {
    setDriverProperty(LsemProperty.RETRY, value);
  }

  /** {@link LsemProperty#RETRY} ({@code retry}) as set, or {@code null}. */
  default String getRetry() {
    return getDriverProperty(LsemProperty.RETRY);
  }

  /** {@link LsemProperty#RETRY_SQL_STATES} ({@code retrySqlStates}). */
  default void setRetrySqlStates(String value) {
    setDriverProperty(LsemProperty.RETRY_SQL_STATES, value);
  }

  /** {@link LsemProperty#RETRY_SQL_STATES} ({@code retrySqlStates}) as set, or {@code null}. */
  default String getRetrySqlStates() {
    return getDriverProperty(LsemProperty.RETRY_SQL_STATES);
  }

  /** {@link LsemProperty#RETRY_MAX_ATTEMPTS} ({@code retryMaxAttempts}). */
  default void setRetryMaxAttempts(String value) {
    setDriverProperty(LsemProperty.RETRY_MAX_ATTEMPTS, value);
  }

  /** {@link LsemProperty#RETRY_MAX_ATTEMPTS} ({@code retryMaxAttempts}) as set, or {@code null}. */
  default String getRetryMaxAttempts() {
    return getDriverProperty(LsemProperty.RETRY_MAX_ATTEMPTS);
  }

  /** {@link LsemProperty#RETRY_BACKOFF_BASE} ({@code retryBackoffBase}). */
  default void setRetryBackoffBase(String value) {
    setDriverProperty(LsemProperty.RETRY_BACKOFF_BASE, value);
  }

  /** {@link LsemProperty#RETRY_BACKOFF_BASE} ({@code retryBackoffBase}) as set, or {@code null}. */
  default String getRetryBackoffBase() {
    return getDriverProperty(LsemProperty.RETRY_BACKOFF_BASE);
  }

  /** {@link LsemProperty#RETRY_BACKOFF_CAP} ({@code retryBackoffCap}). */
  default void setRetryBackoffCap(String value) {
    setDriverProperty(LsemProperty.RETRY_BACKOFF_CAP, value);
  }

  /** {@link LsemProperty#RETRY_BACKOFF_CAP} ({@code retryBackoffCap}) as set, or {@code null}. */
  default String getRetryBackoffCap() {
    return getDriverProperty(LsemProperty.RETRY_BACKOFF_CAP);
  }

  /** {@link LsemProperty#RETRY_BUDGET} ({@code retryBudget}). */
  default void setRetryBudget(String value) {
    setDriverProperty(LsemProperty.RETRY_BUDGET, value);
  }

  /** {@link LsemProperty#RETRY_BUDGET} ({@code retryBudget}) as set, or {@code null}. */
  default String getRetryBudget() {
    return getDriverProperty(LsemProperty.RETRY_BUDGET);
  }

  /** {@link LsemProperty#RETRY_MAX_RECORDED_BYTES} ({@code retryMaxRecordedBytes}). */
  default void setRetryMaxRecordedBytes(String value) {
    setDriverProperty(LsemProperty.RETRY_MAX_RECORDED_BYTES, value);
  }

  /** {@link LsemProperty#RETRY_MAX_RECORDED_BYTES} ({@code retryMaxRecordedBytes}) as set, or {@code null}. */
  default String getRetryMaxRecordedBytes() {
    return getDriverProperty(LsemProperty.RETRY_MAX_RECORDED_BYTES);
  }

  /** {@link LsemProperty#TIMESTAMPS} ({@code timestamps}). */
  default void setTimestamps(String value) {
    setDriverProperty(LsemProperty.TIMESTAMPS, value);
  }

  /** {@link LsemProperty#TIMESTAMPS} ({@code timestamps}) as set, or {@code null}. */
  default String getTimestamps() {
    return getDriverProperty(LsemProperty.TIMESTAMPS);
  }

  /** {@link LsemProperty#INSTALL_LEDGER} ({@code installLedger}). */
  default void setInstallLedger(String value) {
    setDriverProperty(LsemProperty.INSTALL_LEDGER, value);
  }

  /** {@link LsemProperty#INSTALL_LEDGER} ({@code installLedger}) as set, or {@code null}. */
  default String getInstallLedger() {
    return getDriverProperty(LsemProperty.INSTALL_LEDGER);
  }

  /** {@link LsemProperty#CLOCK_MAX_OFFSET} ({@code clockMaxOffset}). */
  default void setClockMaxOffset(String value) {
    setDriverProperty(LsemProperty.CLOCK_MAX_OFFSET, value);
  }

  /** {@link LsemProperty#CLOCK_MAX_OFFSET} ({@code clockMaxOffset}) as set, or {@code null}. */
  default String getClockMaxOffset() {
    return getDriverProperty(LsemProperty.CLOCK_MAX_OFFSET);
  }

  /** {@link LsemProperty#TIMESTAMP_ORACLE} ({@code timestampOracle}). */
  default void setTimestampOracle(String value) {
    setDriverProperty(LsemProperty.TIMESTAMP_ORACLE, value);
  }

  /** {@link LsemProperty#TIMESTAMP_ORACLE} ({@code timestampOracle}) as set, or {@code null}. */
  default String getTimestampOracle() {
    return getDriverProperty(LsemProperty.TIMESTAMP_ORACLE);
  }

  /** {@link LsemProperty#SLOW_TRANSACTION_THRESHOLD} ({@code slowTransactionThreshold}). */
  default void setSlowTransactionThreshold(String value) {
    setDriverProperty(LsemProperty.SLOW_TRANSACTION_THRESHOLD, value);
  }

  /** {@link LsemProperty#SLOW_TRANSACTION_THRESHOLD} ({@code slowTransactionThreshold}) as set, or {@code null}. */
  default String getSlowTransactionThreshold() {
    return getDriverProperty(LsemProperty.SLOW_TRANSACTION_THRESHOLD);
  }

  /** {@link LsemProperty#TRANSACTION_TELEMETRY} ({@code transactionTelemetry}). */
  default void setTransactionTelemetry(String value) {
    setDriverProperty(LsemProperty.TRANSACTION_TELEMETRY, value);
  }

  /** {@link LsemProperty#TRANSACTION_TELEMETRY} ({@code transactionTelemetry}) as set, or {@code null}. */
  default String getTransactionTelemetry() {
    return getDriverProperty(LsemProperty.TRANSACTION_TELEMETRY);
  }

  /** {@link LsemProperty#GUARD_AUTOCOMMIT_WRITES} ({@code guardAutocommitWrites}). */
  default void setGuardAutocommitWrites(String value) {
    setDriverProperty(LsemProperty.GUARD_AUTOCOMMIT_WRITES, value);
  }

  /** {@link LsemProperty#GUARD_AUTOCOMMIT_WRITES} ({@code guardAutocommitWrites}) as set, or {@code null}. */
  default String getGuardAutocommitWrites() {
    return getDriverProperty(LsemProperty.GUARD_AUTOCOMMIT_WRITES);
  }

  /** {@link LsemProperty#GUARD_LOCAL_TIME} ({@code guardLocalTime}). */
  default void setGuardLocalTime(String value) {
    setDriverProperty(LsemProperty.GUARD_LOCAL_TIME, value);
  }

  /** {@link LsemProperty#GUARD_LOCAL_TIME} ({@code guardLocalTime}) as set, or {@code null}. */
  default String getGuardLocalTime() {
    return getDriverProperty(LsemProperty.GUARD_LOCAL_TIME);
  }

  /** {@link LsemProperty#COORDINATOR} ({@code coordinator}). */
  default void setCoordinator(String value) {
    setDriverProperty(LsemProperty.COORDINATOR, value);
  }

  /** {@link LsemProperty#COORDINATOR} ({@code coordinator}) as set, or {@code null}. */
  default String getCoordinator() {
    return getDriverProperty(LsemProperty.COORDINATOR);
  }

  /** {@link LsemProperty#COORDINATOR_TIMEOUT} ({@code coordinatorTimeout}). */
  default void setCoordinatorTimeout(String value) {
    setDriverProperty(LsemProperty.COORDINATOR_TIMEOUT, value);
  }

  /** {@link LsemProperty#COORDINATOR_TIMEOUT} ({@code coordinatorTimeout}) as set, or {@code null}. */
  default String getCoordinatorTimeout() {
    return getDriverProperty(LsemProperty.COORDINATOR_TIMEOUT);
  }

  /** {@link LsemProperty#LEDGER_RETENTION} ({@code ledgerRetention}). */
  default void setLedgerRetention(String value) {
    setDriverProperty(LsemProperty.LEDGER_RETENTION, value);
  }

  /** {@link LsemProperty#LEDGER_RETENTION} ({@code ledgerRetention}) as set, or {@code null}. */
  default String getLedgerRetention() {
    return getDriverProperty(LsemProperty.LEDGER_RETENTION);
  }

  /** {@link LsemProperty#LEDGER_PURGE_INTERVAL} ({@code ledgerPurgeInterval}). */
  default void setLedgerPurgeInterval(String value) {
    setDriverProperty(LsemProperty.LEDGER_PURGE_INTERVAL, value);
  }

  /** {@link LsemProperty#LEDGER_PURGE_INTERVAL} ({@code ledgerPurgeInterval}) as set, or {@code null}. */
  default String getLedgerPurgeInterval() {
    return getDriverProperty(LsemProperty.LEDGER_PURGE_INTERVAL);
  }

  /** {@link LsemProperty#FAILOVER} ({@code failover}). */
  default void setFailover(String value) {
    setDriverProperty(LsemProperty.FAILOVER, value);
  }

  /** {@link LsemProperty#FAILOVER} ({@code failover}) as set, or {@code null}. */
  default String getFailover() {
    return getDriverProperty(LsemProperty.FAILOVER);
  }

  /** {@link LsemProperty#FAILOVER_TIMEOUT} ({@code failoverTimeout}). */
  default void setFailoverTimeout(String value) {
    setDriverProperty(LsemProperty.FAILOVER_TIMEOUT, value);
  }

  /** {@link LsemProperty#FAILOVER_TIMEOUT} ({@code failoverTimeout}) as set, or {@code null}. */
  default String getFailoverTimeout() {
    return getDriverProperty(LsemProperty.FAILOVER_TIMEOUT);
  }

  /** {@link LsemProperty#STANDBY_READ_WAIT} ({@code standbyReadWait}). */
  default void setStandbyReadWait(String value) {
    setDriverProperty(LsemProperty.STANDBY_READ_WAIT, value);
  }

  /** {@link LsemProperty#STANDBY_READ_WAIT} ({@code standbyReadWait}) as set, or {@code null}. */
  default String getStandbyReadWait() {
    return getDriverProperty(LsemProperty.STANDBY_READ_WAIT);
  }

  /** {@link LsemProperty#LEDGER_PURGE_BATCH} ({@code ledgerPurgeBatch}). */
  default void setLedgerPurgeBatch(String value) {
    setDriverProperty(LsemProperty.LEDGER_PURGE_BATCH, value);
  }

  /** {@link LsemProperty#LEDGER_PURGE_BATCH} ({@code ledgerPurgeBatch}) as set, or {@code null}. */
  default String getLedgerPurgeBatch() {
    return getDriverProperty(LsemProperty.LEDGER_PURGE_BATCH);
  }

  /** {@link LsemProperty#POOL} ({@code pool}). */
  default void setPool(String value) {
    setDriverProperty(LsemProperty.POOL, value);
  }

  /** {@link LsemProperty#POOL} ({@code pool}) as set, or {@code null}. */
  default String getPool() {
    return getDriverProperty(LsemProperty.POOL);
  }

  /** {@link LsemProperty#POOL_MAX_SIZE} ({@code poolMaxSize}). */
  default void setPoolMaxSize(String value) {
    setDriverProperty(LsemProperty.POOL_MAX_SIZE, value);
  }

  /** {@link LsemProperty#POOL_MAX_SIZE} ({@code poolMaxSize}) as set, or {@code null}. */
  default String getPoolMaxSize() {
    return getDriverProperty(LsemProperty.POOL_MAX_SIZE);
  }

  /** {@link LsemProperty#POOL_MIN_IDLE} ({@code poolMinIdle}). */
  default void setPoolMinIdle(String value) {
    setDriverProperty(LsemProperty.POOL_MIN_IDLE, value);
  }

  /** {@link LsemProperty#POOL_MIN_IDLE} ({@code poolMinIdle}) as set, or {@code null}. */
  default String getPoolMinIdle() {
    return getDriverProperty(LsemProperty.POOL_MIN_IDLE);
  }

  /** {@link LsemProperty#POOL_CONNECTION_TIMEOUT} ({@code poolConnectionTimeout}). */
  default void setPoolConnectionTimeout(String value) {
    setDriverProperty(LsemProperty.POOL_CONNECTION_TIMEOUT, value);
  }

  /** {@link LsemProperty#POOL_CONNECTION_TIMEOUT} ({@code poolConnectionTimeout}) as set, or {@code null}. */
  default String getPoolConnectionTimeout() {
    return getDriverProperty(LsemProperty.POOL_CONNECTION_TIMEOUT);
  }

  /** {@link LsemProperty#POOL_IDLE_TIMEOUT} ({@code poolIdleTimeout}). */
  default void setPoolIdleTimeout(String value) {
    setDriverProperty(LsemProperty.POOL_IDLE_TIMEOUT, value);
  }

  /** {@link LsemProperty#POOL_IDLE_TIMEOUT} ({@code poolIdleTimeout}) as set, or {@code null}. */
  default String getPoolIdleTimeout() {
    return getDriverProperty(LsemProperty.POOL_IDLE_TIMEOUT);
  }

  /** {@link LsemProperty#POOL_MAX_LIFETIME} ({@code poolMaxLifetime}). */
  default void setPoolMaxLifetime(String value) {
    setDriverProperty(LsemProperty.POOL_MAX_LIFETIME, value);
  }

  /** {@link LsemProperty#POOL_MAX_LIFETIME} ({@code poolMaxLifetime}) as set, or {@code null}. */
  default String getPoolMaxLifetime() {
    return getDriverProperty(LsemProperty.POOL_MAX_LIFETIME);
  }

  /** {@link LsemProperty#POOL_KEEPALIVE} ({@code poolKeepalive}). */
  default void setPoolKeepalive(String value) {
    setDriverProperty(LsemProperty.POOL_KEEPALIVE, value);
  }

  /** {@link LsemProperty#POOL_KEEPALIVE} ({@code poolKeepalive}) as set, or {@code null}. */
  default String getPoolKeepalive() {
    return getDriverProperty(LsemProperty.POOL_KEEPALIVE);
  }

  /** {@link LsemProperty#POOL_VALIDATION_TIMEOUT} ({@code poolValidationTimeout}). */
  default void setPoolValidationTimeout(String value) {
    setDriverProperty(LsemProperty.POOL_VALIDATION_TIMEOUT, value);
  }

  /** {@link LsemProperty#POOL_VALIDATION_TIMEOUT} ({@code poolValidationTimeout}) as set, or {@code null}. */
  default String getPoolValidationTimeout() {
    return getDriverProperty(LsemProperty.POOL_VALIDATION_TIMEOUT);
  }

  /** {@link LsemProperty#POOL_VALIDATION_BYPASS} ({@code poolValidationBypass}). */
  default void setPoolValidationBypass(String value) {
    setDriverProperty(LsemProperty.POOL_VALIDATION_BYPASS, value);
  }

  /** {@link LsemProperty#POOL_VALIDATION_BYPASS} ({@code poolValidationBypass}) as set, or {@code null}. */
  default String getPoolValidationBypass() {
    return getDriverProperty(LsemProperty.POOL_VALIDATION_BYPASS);
  }

  /** {@link LsemProperty#POOL_LEAK_DETECTION_THRESHOLD} ({@code poolLeakDetectionThreshold}). */
  default void setPoolLeakDetectionThreshold(String value) {
    setDriverProperty(LsemProperty.POOL_LEAK_DETECTION_THRESHOLD, value);
  }

  /** {@link LsemProperty#POOL_LEAK_DETECTION_THRESHOLD} ({@code poolLeakDetectionThreshold}) as set, or {@code null}. */
  default String getPoolLeakDetectionThreshold() {
    return getDriverProperty(LsemProperty.POOL_LEAK_DETECTION_THRESHOLD);
  }

  /** {@link LsemProperty#POOL_LEAK_RECLAIM} ({@code poolLeakReclaim}). */
  default void setPoolLeakReclaim(String value) {
    setDriverProperty(LsemProperty.POOL_LEAK_RECLAIM, value);
  }

  /** {@link LsemProperty#POOL_LEAK_RECLAIM} ({@code poolLeakReclaim}) as set, or {@code null}. */
  default String getPoolLeakReclaim() {
    return getDriverProperty(LsemProperty.POOL_LEAK_RECLAIM);
  }

  /** {@link LsemProperty#POOL_AUTO_COMMIT} ({@code poolAutoCommit}). */
  default void setPoolAutoCommit(String value) {
    setDriverProperty(LsemProperty.POOL_AUTO_COMMIT, value);
  }

  /** {@link LsemProperty#POOL_AUTO_COMMIT} ({@code poolAutoCommit}) as set, or {@code null}. */
  default String getPoolAutoCommit() {
    return getDriverProperty(LsemProperty.POOL_AUTO_COMMIT);
  }

  /** {@link LsemProperty#POOL_INIT_SQL} ({@code poolInitSql}). */
  default void setPoolInitSql(String value) {
    setDriverProperty(LsemProperty.POOL_INIT_SQL, value);
  }

  /** {@link LsemProperty#POOL_INIT_SQL} ({@code poolInitSql}) as set, or {@code null}. */
  default String getPoolInitSql() {
    return getDriverProperty(LsemProperty.POOL_INIT_SQL);
  }
}
