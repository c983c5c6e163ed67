package io.lsem.jdbc.wrap;

import io.lsem.jdbc.failover.PhysicalConnector;
import io.lsem.jdbc.config.LsemSettings;
import io.lsem.jdbc.error.ExceptionTranslator;
import io.lsem.jdbc.sql.SqlClassifierCache;
import io.lsem.jdbc.sql.SqlInfo;
import io.lsem.jdbc.ledger.OracleRegistry;
import io.lsem.jdbc.ledger.Ledger;
import io.lsem.jdbc.tx.RetryPolicy;
import java.sql.SQLException;

/**
 * What every wrapper of one connection configuration shares: the settings, the SQL
 * classification cache and the exception translation. Immutable and thread safe.
 */
public final class WrapperContext {
  private final LsemSettings settings;
  private final SqlClassifierCache classifier;
  private final ExceptionTranslator translator;
  private final RetryPolicy retryPolicy;
  private final Ledger ledger;

  private final PhysicalConnector connector;
  private final java.util.List<java.util.function.Consumer<ConnectionSession>> failoverListeners =
      new java.util.concurrent.CopyOnWriteArrayList<>();

  private final io.lsem.jdbc.failover.CausalToken causal;

  /** A context without failover (no way to reconnect). */
  public WrapperContext(LsemSettings settings) {
    this(settings, null, new io.lsem.jdbc.failover.CausalToken());
  }

  /**
   * A context that reconnects through {@code connector} when failover is on, and keeps reads on
   * standbys behind {@code causal}, the driver instance's newest write.
   */
  public WrapperContext(LsemSettings settings, PhysicalConnector connector, io.lsem.jdbc.failover.CausalToken causal) {
    this.settings = settings;
    this.causal = causal;
    this.classifier = new SqlClassifierCache(settings.sqlCacheSize());
    this.translator = new ExceptionTranslator(settings.typedExceptions());
    this.retryPolicy = RetryPolicy.of(settings);
    this.ledger = new Ledger(settings, OracleRegistry.shared().oracle(settings.timestampOracle(),
        settings.coordinator(), settings.coordinatorTimeout(), settings.clockMaxOffset().toMillis()));
    this.connector = settings.failover() ? connector : null;
    this.guards = new WriteGuards(settings);
    this.telemetry = io.lsem.jdbc.observe.TransactionSinks.of(settings.transactionTelemetry());
  }

  private final java.util.List<io.lsem.jdbc.observe.TransactionSink> telemetry;

  /** Where each measured transaction's breakdown is exported ({@code transactionTelemetry}); empty for nowhere. */
  java.util.List<io.lsem.jdbc.observe.TransactionSink> telemetry() {
    return telemetry;
  }

  private final WriteGuards guards;

  /** The write guards of this configuration (checked while timestamps are on). */
  WriteGuards guards() {
    return guards;
  }

  /** The application's {@code jdbc:lsem:} URL, or {@code null} (a context made without one). */
  private volatile String url;

  /** Sets the application's {@code jdbc:lsem:} URL its connections report (set once, by the driver). */
  public void url(String url) {
    this.url = url;
  }

  /** The application's {@code jdbc:lsem:} URL, or {@code null}. */
  public String url() {
    return url;
  }

  /** How lost connections are re-established, or {@code null} when failover is off. */
  public PhysicalConnector connector() {
    return connector;
  }

  /** The driver instance's causal token (read-your-writes on standbys). */
  public io.lsem.jdbc.failover.CausalToken causal() {
    return causal;
  }

  /** Called with every session that had to reconnect (pools drop connections to the old primary). */
  public void onFailover(java.util.function.Consumer<ConnectionSession> listener) {
    failoverListeners.add(listener);
  }

  /** Removes a listener added with {@link #onFailover}. */
  public void removeOnFailover(java.util.function.Consumer<ConnectionSession> listener) {
    failoverListeners.remove(listener);
  }

  void failedOver(ConnectionSession session) {
    for (java.util.function.Consumer<ConnectionSession> l : failoverListeners) {
      l.accept(session);
    }
  }

  /** The commit ledger and clock of this configuration. */
  public Ledger ledger() {
    return ledger;
  }

  RetryPolicy retryPolicy() {
    return retryPolicy;
  }

  public LsemSettings settings() {
    return settings;
  }

  SqlInfo classify(String sql, boolean standardConformingStrings) {
    return classifier.classify(sql, standardConformingStrings);
  }

  /** The exception to give the application for {@code e}. */
  public SQLException translate(SQLException e) {
    return translator.translate(e);
  }

  /** The same for an exception from a statement that may have been canceled or timed out. */
  SQLException translate(SQLException e, boolean cancelRequested, boolean queryTimeoutSet) {
    return translator.translate(e, cancelRequested, queryTimeoutSet);
  }
}
