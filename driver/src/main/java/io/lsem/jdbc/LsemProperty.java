package io.lsem.jdbc;

import io.lsem.jdbc.value.ValueParser;
import io.lsem.jdbc.value.Redaction;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The driver's own connection properties. Each is accepted in the URL query
 * ({@code jdbc:lsem:postgresql://host/db?sqlCacheSize=500}) or in the {@code Properties} passed
 * to {@code DriverManager.getConnection}; the URL wins when both give one, as in pgjdbc. They
 * are removed before the rest is handed to pgjdbc, and no name collides with a pgjdbc property.
 * Every other property passes to pgjdbc untouched.
 */
public enum LsemProperty {
  /**
   * How many distinct SQL texts keep their classification (transaction control, read or
   * write) cached, per connection configuration. Classifying is a single pass over the text;
   * the cache spares it for the statements an application runs again and again. {@code 0}
   * turns the cache off. Default 10000 (a few MiB at most).
   */
  SQL_CACHE_SIZE("sqlCacheSize", "10000", ValueParser.intRange(0, 1_000_000),
      "Distinct SQL texts whose classification is cached per connection configuration; 0 turns the cache off"),

  /**
   * Whether pgjdbc's {@code PSQLException} is replaced by a typed exception (see
   * {@code io.lsem.jdbc.error}) that extends the fitting JDBC 4 class, so frameworks classify
   * it without configuration. {@code false} passes pgjdbc's exceptions through untouched, for
   * code that catches {@code PSQLException}. Default {@code true}.
   */
  TYPED_EXCEPTIONS("typedExceptions", "true", ValueParser.bool(),
      "Replace PSQLException by typed exceptions extending the JDBC 4 classes; false passes pgjdbc's through"),

  /**
   * Transparent retry: when a statement or COMMIT fails with one of {@link #RETRY_SQL_STATES},
   * the driver rolls back, waits, replays the transaction's recorded calls, checks that every
   * result the application saw is the same, and resumes — or throws
   * {@code ReplayMismatchException}. Default {@code true}; also switchable per connection and
   * per transaction through {@code LsemConnection}.
   */
  RETRY("retry", "true", ValueParser.bool(),
      "Transparent retry of serialization failures and deadlocks by validated replay"),

  /** The SQLSTATEs that trigger a transparent retry. Default {@code 40001,40P01}. */
  RETRY_SQL_STATES("retrySqlStates", "40001,40P01", ValueParser.sqlStates(),
      "SQLSTATEs that trigger a transparent retry"),

  /**
   * How many times a transaction may run in all, the first run included; {@code retryBudget} bounds
   * the time. Default 30: under heavy contention (16 writers on four rows) a transaction may need
   * many short runs; {@code retryBudget} is what bounds its latency.
   */
  RETRY_MAX_ATTEMPTS("retryMaxAttempts", "30", ValueParser.intRange(1, 1000),
      "Runs of one transaction in all, the first included, before the error reaches the application"),

  /**
   * The first backoff before a replay. The n-th wait is a random time between zero and
   * {@code min(retryBackoffCap, retryBackoffBase * 2^(n-1))} ("full jitter"). Default 5ms.
   */
  RETRY_BACKOFF_BASE("retryBackoffBase", "5ms", ValueParser.duration(Duration.ZERO, Duration.ofSeconds(10)),
      "First backoff before a replay; doubles each attempt, with full jitter"),

  /** The longest backoff before one replay. Default 100ms: a longer wait mostly adds latency, not success. */
  RETRY_BACKOFF_CAP("retryBackoffCap", "100ms", ValueParser.duration(Duration.ZERO, Duration.ofMinutes(10)),
      "Longest backoff before one replay"),

  /**
   * Total time a transaction may spend retrying, from its first failure; then the error surfaces.
   * No backoff waits past it. Default 10s, a safety net rather than the bound of the tail: with
   * backoffs capped at 100 ms, conflicts under TPC-C-like load finish far within it (the worst
   * measured 1.2–1.6 s), while a transaction that deadlocks again and again — each deadlock costs
   * the server's {@code deadlock_timeout}, 1 s by default — still gets several runs.
   */
  RETRY_BUDGET("retryBudget", "10s", ValueParser.duration(Duration.ZERO, Duration.ofHours(1)),
      "Total time one transaction may spend in retries before the error reaches the application"),

  /**
   * The most memory one transaction's recording may take. A transaction that records more
   * (large result sets read, many or large parameters) becomes non-replayable: its retryable
   * errors reach the application. Default 4MiB.
   */
  RETRY_MAX_RECORDED_BYTES("retryMaxRecordedBytes", "4MiB", ValueParser.byteSize(0, Integer.MAX_VALUE),
      "Memory one transaction's recording may take before the transaction becomes non-replayable"),

  /**
   * Global timestamps and the commit ledger: each transaction gets a logical id and a hybrid
   * logical clock start timestamp at BEGIN ({@code current_setting('lsem.txn_id')},
   * {@code current_setting('lsem.start_ts')}), and a commit timestamp at COMMIT, recorded with
   * its xid8 in {@code lsem.commit_log} for transactions that wrote. {@code auto} (default): on
   * when the ledger (schema {@code lsem}) is installed in the database, otherwise off, said once
   * at INFO with how to install it — the driver never creates it unasked; {@code on}: connecting
   * fails with a clear error when the ledger is not installed; {@code off}.
   */
  TIMESTAMPS("timestamps", "auto", ValueParser.oneOf("auto", "on", "off"),
      "Global start/commit timestamps and the commit ledger: auto, on or off"),

  /**
   * Whether the driver may install the commit ledger (schema {@code lsem}) itself, on the first
   * connection of a configuration, when timestamps are not {@code off} and it is missing. Default
   * {@code false}: nothing is created in a user's database unless asked; install it with
   * {@code lsem install} (or set this to {@code true}, which is asking). The objects are owned by
   * the connecting role.
   */
  INSTALL_LEDGER("installLedger", "false", ValueParser.bool(),
      "Create the commit ledger (schema lsem) when missing: true or false"),

  /**
   * How far ahead of this JVM's clock a timestamp received through
   * {@code LsemConnection.observe} may be before it is rejected as a clock fault. Default 500ms.
   */
  CLOCK_MAX_OFFSET("clockMaxOffset", "500ms", ValueParser.duration(Duration.ZERO, Duration.ofHours(1)),
      "Largest accepted lead of an observed remote timestamp over this JVM's clock"),

  /**
   * Where timestamps come from: empty or {@code local} for the in-JVM hybrid logical clock;
   * {@code etcd} for the oracle shared through the etcd cluster named by {@code coordinator}
   * (timestamps ordered across every JVM that uses it, one etcd round trip per timestamp); or the
   * name of a class implementing {@code io.lsem.jdbc.clock.TimestampOracle} with a public
   * no-argument constructor. Default empty: the in-JVM clock, which costs nothing.
   */
  TIMESTAMP_ORACLE("timestampOracle", "", ValueParser.className(),
      "local (empty), etcd, or a TimestampOracle class name: where global timestamps come from"),

  /**
   * A transaction that takes longer than this, from its first call to its end, is logged once as
   * a WARN on {@code io.lsem.jdbc.slow} with its breakdown by layer and its logical id (never a
   * parameter value). Default {@code 0s}: off.
   */
  SLOW_TRANSACTION_THRESHOLD("slowTransactionThreshold", "0s", ValueParser.duration(Duration.ZERO, Duration.ofHours(1)),
      "Log a transaction slower than this with its breakdown by layer; 0s for never"),

  /**
   * Where each transaction's breakdown by layer is exported besides the JFR event and the slow
   * log: {@code micrometer} records timers {@code lsem.transaction} tagged {@code layer} (with
   * p50/p95/p99) in Micrometer's global registry, which Spring Boot's actuator feeds from its own;
   * {@code opentelemetry} makes a span per transaction with a child span per layer through
   * {@code GlobalOpenTelemetry}. Each needs its library on the class path. Default empty: nothing
   * is exported and nothing is measured for it, so an application that does not ask pays nothing.
   */
  TRANSACTION_TELEMETRY("transactionTelemetry", "", ValueParser.telemetry(),
      "Export each transaction's breakdown: micrometer and/or opentelemetry, comma-separated; empty for none"),

  /**
   * Writes in autocommit while timestamps are on get no ledger row and no exactly-once resolution
   * of a lost COMMIT. {@code warn} (default) logs once per SQL text; {@code reject} refuses the
   * statement with {@code GuardRejectedException} before anything is sent; {@code off} is silent.
   * The default only warns, so an unmodified application sees no new error.
   */
  GUARD_AUTOCOMMIT_WRITES("guardAutocommitWrites", "warn", ValueParser.oneOf("off", "warn", "reject"),
      "off, warn or reject: writes in autocommit while timestamps are on (no ledger row)"),

  /**
   * Time made locally in a write while timestamps are on: {@code now()}, {@code current_timestamp},
   * {@code clock_timestamp()}, {@code localtimestamp} ... in a writing statement, or a
   * {@code java.sql.Timestamp}/{@code java.time} parameter within 5 ms of this JVM's clock. The
   * transaction's {@code lsem.start_ts} or its commit timestamp orders globally; local time does
   * not. Values as for {@code guardAutocommitWrites}; default {@code warn}.
   */
  GUARD_LOCAL_TIME("guardLocalTime", "warn", ValueParser.oneOf("off", "warn", "reject"),
      "off, warn or reject: locally made time (now(), a just-taken Timestamp) in writes while timestamps are on"),

  /**
   * The etcd cluster of {@code timestampOracle=etcd}: {@code etcd://host:port[,host:port...][/prefix]}
   * (client endpoints; the key is {@code <prefix>/ts}, default prefix {@code /lsem}). Default empty.
   */
  COORDINATOR("coordinator", "", ValueParser.coordinator(),
      "etcd://host:port[,host:port...][/prefix] of the shared timestamp oracle"),

  /**
   * How long a timestamp may wait for the coordinator (every member tried in turn) before the call
   * that needs it fails with {@code CoordinatorUnavailableException}, unsent. Default 2s: longer
   * than an etcd leader election on a healthy cluster.
   */
  COORDINATOR_TIMEOUT("coordinatorTimeout", "2s", ValueParser.duration(Duration.ofMillis(1), Duration.ofMinutes(10)),
      "How long a timestamp may wait for the coordinator before the call fails, unsent"),

  /**
   * Ledger rows older than this are deleted, in small batches, by the driver (at most once per
   * {@code ledgerPurgeInterval} per configuration, after a commit). {@code 0s} keeps them
   * forever. Default 168h.
   */
  LEDGER_RETENTION("ledgerRetention", "168h", ValueParser.duration(Duration.ZERO, Duration.ofDays(3650)),
      "Age after which ledger rows are deleted in small batches; 0s keeps them"),

  /**
   * How often, at most, the driver runs a retention batch per configuration: after a commit,
   * on that connection, as one extra statement (another batch follows at the next commit while
   * old rows remain). The first batch runs one interval after the configuration's first
   * connection. Default 1m.
   */
  LEDGER_PURGE_INTERVAL("ledgerPurgeInterval", "1m", ValueParser.duration(Duration.ZERO, Duration.ofDays(1)),
      "Least time between two ledger retention batches of one configuration"),

  /**
   * Failover: when the connection is lost (socket error, SQLSTATE 08xxx, 57P01–57P03), the driver
   * finds the primary again (with a multi-host URL, the first host whose
   * {@code pg_is_in_recovery()} is false), reconnects, restores the session settings, and replays
   * the open transaction with the same validation as transparent retry; a COMMIT whose answer was
   * lost is resolved through the commit ledger. Default {@code true}.
   */
  FAILOVER("failover", "true", ValueParser.bool(),
      "Reconnect to the primary and replay the open transaction when the connection is lost"),

  /** How long to look for a primary (and for a lost transaction to end) before giving up. Default 30s. */
  FAILOVER_TIMEOUT("failoverTimeout", "30s", ValueParser.duration(Duration.ZERO, Duration.ofHours(1)),
      "How long to look for a primary after the connection is lost"),

  /**
   * Read-your-writes on standbys: when a connection was opened on a standby (the application
   * asked with pgjdbc's {@code targetServerType=secondary} or {@code preferSecondary}), each
   * transaction (or autocommit statement) on it first waits, at most this long, until the
   * standby has replayed the newest write made through this driver (or a token passed to
   * {@code LsemConnection.observeLsn}); if it has not by then, the connection moves to the
   * primary for good. {@code 0s} moves at once. Default 1s.
   */
  STANDBY_READ_WAIT("standbyReadWait", "1s", ValueParser.duration(Duration.ZERO, Duration.ofMinutes(10)),
      "How long a read on a standby waits for this driver's newest write to be replayed there before using the primary"),

  /** Rows deleted per retention batch (one short statement each). Default 1000. */
  LEDGER_PURGE_BATCH("ledgerPurgeBatch", "1000", ValueParser.intRange(1, 1_000_000),
      "Ledger rows deleted per retention batch"),

  /**
   * Pooling for {@code DriverManager} users: {@code getConnection} borrows from one pool per
   * distinct URL, user and properties, and {@code close()} gives the connection back. Default
   * {@code false}, so that an application that already pools (HikariCP, an application server)
   * never gets two pools; {@code LsemDataSource} always pools.
   */
  POOL("pool", "false", ValueParser.bool(),
      "DriverManager.getConnection borrows from a pool per URL, user and properties"),

  /**
   * The most connections a pool holds, in use or idle. Default 10: each is a server backend (a
   * process and its memory), and a few per core usually saturate the server; raise it only with
   * the server's {@code max_connections} in mind.
   */
  POOL_MAX_SIZE("poolMaxSize", "10", ValueParser.intRange(1, 10_000),
      "Most connections a pool holds, in use or idle"),

  /**
   * Idle connections the pool keeps ready (it refills in the background, one at a time). Default
   * 2: a couple warm, without holding {@code poolMaxSize} server backends for every URL.
   */
  POOL_MIN_IDLE("poolMinIdle", "2", ValueParser.intRange(0, 10_000),
      "Idle connections the pool keeps ready"),

  /**
   * How long a borrower waits for a connection before the typed exhaustion error. Default 30s: long
   * enough to ride out a burst or a brief outage, short enough that a request fails with a clear
   * message instead of hanging.
   */
  POOL_CONNECTION_TIMEOUT("poolConnectionTimeout", "30s", ValueParser.duration(Duration.ZERO, Duration.ofHours(1)),
      "How long a borrower waits for a connection before PoolExhaustedException"),

  /**
   * An idle connection beyond {@code poolMinIdle} is closed after this long unused; {@code 0s}
   * never. Default 10m: the pool shrinks back after a peak, so quiet applications do not hold
   * backends they no longer need.
   */
  POOL_IDLE_TIMEOUT("poolIdleTimeout", "10m", ValueParser.duration(Duration.ZERO, Duration.ofDays(1)),
      "Idle time after which a connection beyond poolMinIdle is closed; 0s never"),

  /**
   * A connection is retired (when idle, or when given back) after this long, less a random
   * jitter of up to 2.5 % so they do not all retire together; {@code 0s} never. Default 30m.
   */
  POOL_MAX_LIFETIME("poolMaxLifetime", "30m", ValueParser.duration(Duration.ZERO, Duration.ofDays(7)),
      "Age at which a connection is retired (with jitter); 0s never"),

  /**
   * An idle connection unused for this long is validated in the background; {@code 0s} never.
   * Default 2m: below common firewall and load-balancer idle cut-offs, so idle connections stay
   * open and a dead one is found by the pool rather than by a borrower.
   */
  POOL_KEEPALIVE("poolKeepalive", "2m", ValueParser.duration(Duration.ZERO, Duration.ofDays(1)),
      "Idle time after which a connection is validated in the background; 0s never"),

  /**
   * How long validating a connection (an empty query, under a network timeout to the millisecond)
   * may take before the connection is thrown away. Default 5s: a busy server still answers an
   * empty query well within it, while a dead peer does not hold a borrower for long.
   */
  POOL_VALIDATION_TIMEOUT("poolValidationTimeout", "5s", ValueParser.duration(Duration.ofMillis(1), Duration.ofMinutes(10)),
      "How long validating a connection may take"),

  /**
   * A connection given back less than this long ago is handed out without validation (no round
   * trip); {@code 0s} validates on every borrow. Default 500ms.
   */
  POOL_VALIDATION_BYPASS("poolValidationBypass", "500ms", ValueParser.duration(Duration.ZERO, Duration.ofHours(1)),
      "A connection used this recently is handed out without a validation round trip"),

  /**
   * A connection borrowed for longer than this is reported (SLF4J WARN) with the borrower's stack;
   * {@code 0s} off. Default off: recording the stack costs on every borrow, and what counts as too
   * long depends on the application.
   */
  POOL_LEAK_DETECTION_THRESHOLD("poolLeakDetectionThreshold", "0s", ValueParser.duration(Duration.ZERO, Duration.ofDays(1)),
      "Borrow time after which a possible leak is logged with the borrower's stack; 0s off"),

  /**
   * With leak detection on: a leaked connection is also taken back — its handle is closed
   * (further calls fail with "connection is closed") and its place in the pool freed. Default false.
   */
  POOL_LEAK_RECLAIM("poolLeakReclaim", "false", ValueParser.bool(),
      "Close the handle of a leaked connection and free its place in the pool"),

  /**
   * Autocommit of pooled connections as handed out (and as put back when given back), like
   * HikariCP's {@code autoCommit}. Default {@code true}, as JDBC specifies.
   */
  POOL_AUTO_COMMIT("poolAutoCommit", "true", ValueParser.bool(),
      "Autocommit of pooled connections as handed out"),

  /**
   * SQL run once on every new pooled connection (e.g. {@code SET search_path = app}), and again on
   * the physical connection that replaces one after a failover; what it {@code SET}s is what giving
   * a connection back restores. Default none.
   */
  POOL_INIT_SQL("poolInitSql", "", ValueParser.text(),
      "SQL run once on every new pooled connection");

  private static final Map<String, LsemProperty> BY_NAME = new HashMap<>();

  static {
    for (LsemProperty p : values()) {
      BY_NAME.put(p.propertyName, p);
    }
  }

  private final String propertyName;
  private final String defaultValue;
  private final ValueParser<?> parser;
  private final String description;

  LsemProperty(String propertyName, String defaultValue, ValueParser<?> parser, String description) {
    this.propertyName = propertyName;
    this.defaultValue = defaultValue;
    this.parser = parser;
    this.description = description;
  }

  /** The name used in URLs and {@code Properties}. */
  public String propertyName() {
    return propertyName;
  }

  /** The value used when the property is not given, as text. */
  public String defaultValue() {
    return defaultValue;
  }

  /** One sentence on what the property does. */
  public String description() {
    return description;
  }

  /** The accepted form of a value, e.g. "an integer from 0 to 1000000". */
  public String expectedForm() {
    return parser.expectedForm();
  }

  /** The property with exactly this name, or {@code null}. */
  public static LsemProperty forName(String name) {
    return BY_NAME.get(name);
  }

  /**
   * The message for a bad value of this property: the value (secrets hidden, since a value may
   * itself be a URL with credentials), the expected form and the default.
   */
  public String invalidValue(String text) {
    return "Invalid value '" + Redaction.redact(text) + "' for property '" + propertyName + "': expected "
        + expectedForm() + " (default " + (defaultValue.isEmpty() ? "none" : defaultValue) + ")";
  }

  /** Parses {@code text}; {@code null} means the text has the wrong form. */
  public Object parse(String text) {
    return parser.parse(text);
  }
}
