package io.lsem.jdbc.failover;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.postgresql.core.BaseConnection;

/**
 * The money-transfer workload of the failover tests: worker threads move money between accounts
 * through a multi-host {@code jdbc:lsem:} URL: on a connection of their own, borrowing from
 * HikariCP, or borrowing from the driver's own pool ({@code LsemDataSource}) for every transfer. It remembers every transfer whose COMMIT returned, every
 * exception that reached a worker, and when transactions began and committed on a given server,
 * and checks the stored history against what the application saw.
 */
final class TransferWorkload implements AutoCloseable {
  static final int ACCOUNTS = 20;
  static final long OPENING_BALANCE = 1_000;

  private final String url;
  private final Set<UUID> committed = ConcurrentHashMap.newKeySet();
  private final List<Throwable> errors = new CopyOnWriteArrayList<>();
  private final List<Thread> workers = new ArrayList<>();
  private final CountDownLatch stop = new CountDownLatch(1);
  private final HikariDataSource pool;
  private final io.lsem.jdbc.pool.LsemDataSource ownPool;
  private final AtomicReference<Milestone> milestone = new AtomicReference<>();
  private final Properties credentials;
  /** When each COMMIT returned (System.nanoTime), in no particular order. */
  private final java.util.Queue<Long> commitTimes = new java.util.concurrent.ConcurrentLinkedQueue<>();

  /** Counts commits of transactions that began after {@code since} and committed on {@code port}. */
  static final class Milestone {
    final long since;
    final int port;
    final CountDownLatch commits;
    final AtomicLong first = new AtomicLong(Long.MAX_VALUE);

    Milestone(long since, int port, int commits) {
      this.since = since;
      this.port = port;
      this.commits = new CountDownLatch(commits);
    }

    boolean await(long seconds) throws InterruptedException {
      return commits.await(seconds, TimeUnit.SECONDS);
    }

    /** When the first such commit returned (System.nanoTime). */
    long firstCommitNanos() {
      return first.get();
    }
  }

  /** Creates the schema through {@code admin} (a plain connection to the primary). */
  static void createSchema(Connection admin) throws SQLException {
    try (Statement s = admin.createStatement()) {
      s.execute("CREATE TABLE account(id int PRIMARY KEY, balance bigint NOT NULL)");
      s.execute("CREATE TABLE transfer(id uuid NOT NULL, from_id int, to_id int, amount bigint)"); // no key: duplicates would show
      s.execute("INSERT INTO account SELECT g, " + OPENING_BALANCE + " FROM generate_series(1, " + ACCOUNTS + ") g");
    }
  }

  TransferWorkload(String lsemUrl, int workers) {
    this(lsemUrl, workers, postgres());
  }

  private static Properties postgres() {
    Properties p = new Properties();
    p.setProperty("user", "postgres");
    return p;
  }

  /** Transfers through {@code lsemUrl} as the user (and password) in {@code credentials}. */
  TransferWorkload(String lsemUrl, int workers, Properties credentials) {
    this.url = lsemUrl;
    this.credentials = credentials;
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(lsemUrl);
    config.setUsername(credentials.getProperty("user"));
    config.setPassword(credentials.getProperty("password"));
    config.setAutoCommit(false);
    config.setMaximumPoolSize(Math.max(1, workers / 2));
    config.addDataSourceProperty("connectTimeout", "2");
    config.addDataSourceProperty("retryBackoffBase", "1ms");
    config.addDataSourceProperty("failoverTimeout", "60s");
    this.pool = new HikariDataSource(config);
    this.ownPool = new io.lsem.jdbc.pool.LsemDataSource(lsemUrl);
    ownPool.setUser(credentials.getProperty("user"));
    ownPool.setPassword(credentials.getProperty("password"));
    ownPool.setProperty("poolMaxSize", String.valueOf(Math.max(1, workers / 2)));
    ownPool.setProperty("poolAutoCommit", "false");
    ownPool.setProperty("connectTimeout", "2");
    ownPool.setProperty("retryBackoffBase", "1ms");
    ownPool.setProperty("failoverTimeout", "60s");
    for (int w = 0; w < workers; w++) {
      javax.sql.DataSource source = w % 3 == 1 ? pool : w % 3 == 2 ? ownPool : null;
      Thread t = new Thread(() -> work(source), "transfer-" + w);
      t.start();
      this.workers.add(t);
    }
  }

  /** From now on, counts transactions that begin now and commit on {@code port}. */
  Milestone watch(int port, int commits) {
    Milestone m = new Milestone(System.nanoTime(), port, commits);
    milestone.set(m);
    return m;
  }

  private Connection connect() throws SQLException {
    Properties p = new Properties();
    p.putAll(credentials);
    p.setProperty("failoverTimeout", "60s");
    p.setProperty("retryBackoffBase", "1ms");
    p.setProperty("connectTimeout", "2");
    return DriverManager.getConnection(url, p);
  }

  /** Transfers until stopped; through {@code source} for each transfer, or on a connection of its own when null. */
  private void work(javax.sql.DataSource source) {
    try (Connection own = connect()) {
      own.setAutoCommit(false);
      while (stop.getCount() > 0) {
        long started = System.nanoTime();
        UUID id;
        int port;
        if (source != null) {
          try (Connection c = source.getConnection()) {
            id = transfer(c);
            port = servedBy(c);
          }
        } else {
          id = transfer(own);
          port = servedBy(own);
        }
        long now = System.nanoTime();
        committed.add(id);
        commitTimes.add(now);
        Milestone m = milestone.get();
        if (m != null && started > m.since && port == m.port) {
          m.first.accumulateAndGet(now, Math::min);
          m.commits.countDown();
        }
      }
    } catch (Throwable e) {
      errors.add(e);
      Milestone m = milestone.get();
      while (m != null && m.commits.getCount() > 0) {
        m.commits.countDown(); // let the test see the failure at once
      }
    }
  }

  /** One transfer in one transaction; returns its id once COMMIT returned. */
  private static UUID transfer(Connection c) throws SQLException {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    int from = 1 + random.nextInt(ACCOUNTS);
    int to = 1 + (from + random.nextInt(ACCOUNTS - 1)) % ACCOUNTS;
    long amount = 1 + random.nextInt(50);
    UUID id = UUID.randomUUID();
    try (PreparedStatement debit = c.prepareStatement("UPDATE account SET balance = balance - ? WHERE id = ?");
         PreparedStatement credit = c.prepareStatement("UPDATE account SET balance = balance + ? WHERE id = ?");
         PreparedStatement record = c.prepareStatement("INSERT INTO transfer VALUES (?, ?, ?, ?)")) {
      debit.setLong(1, amount);
      debit.setInt(2, from);
      assertEquals(1, debit.executeUpdate());
      credit.setLong(1, amount);
      credit.setInt(2, to);
      assertEquals(1, credit.executeUpdate());
      record.setObject(1, id);
      record.setInt(2, from);
      record.setInt(3, to);
      record.setLong(4, amount);
      record.executeUpdate();
    }
    c.commit();
    return id;
  }

  /** The port of the server the driver's connection uses now. */
  private static int servedBy(Connection c) throws SQLException {
    return c.unwrap(BaseConnection.class).getQueryExecutor().getHostSpec().getPort();
  }

  /** Stops the workers (each finishes its transfer) and the pool. */
  @Override
  public void close() throws InterruptedException {
    stop.countDown();
    for (Thread t : workers) {
      t.join(TimeUnit.SECONDS.toMillis(60));
    }
    pool.close();
    ownPool.close();
  }

  /** The ids of the transfers whose COMMIT returned so far. */
  Set<UUID> committed() {
    return Set.copyOf(committed);
  }

  /**
   * The longest time between two consecutive COMMITs returning (to any worker) within
   * [{@code from}, {@code to}] (System.nanoTime), in milliseconds: how long the workload stood still.
   */
  long longestStallMillis(long from, long to) {
    long[] times = commitTimes.stream().mapToLong(Long::longValue).filter(t -> t >= from && t <= to).sorted().toArray();
    long longest = 0;
    long previous = from;
    for (long t : times) {
      longest = Math.max(longest, t - previous);
      previous = t;
    }
    return TimeUnit.NANOSECONDS.toMillis(Math.max(longest, to - previous));
  }

  List<Throwable> errors() {
    return errors;
  }

  /**
   * After {@link #close()}: the history on the primary ({@code admin}) is exactly what the
   * application saw — the total unchanged, no transfer twice, every committed one stored.
   */
  void verify(Connection admin) throws SQLException {
    assertEquals(List.of(), errors, "no exception reached the application");
    try (Statement s = admin.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT sum(balance) FROM account")) {
        rs.next();
        assertEquals(ACCOUNTS * OPENING_BALANCE, rs.getLong(1), "money is neither made nor lost");
      }
      try (ResultSet rs = s.executeQuery("SELECT count(*) FROM (SELECT id FROM transfer GROUP BY id HAVING count(*) > 1) d")) {
        rs.next();
        assertEquals(0, rs.getInt(1), "no transfer is applied twice");
      }
      Set<UUID> stored = ConcurrentHashMap.newKeySet();
      try (ResultSet rs = s.executeQuery("SELECT id FROM transfer")) {
        while (rs.next()) {
          stored.add((UUID) rs.getObject(1));
        }
      }
      assertEquals(committed, stored, "exactly the transfers the application saw committed are stored");
    }
  }
}
