package io.lsem.examples;

import io.lsem.jdbc.LsemConnection;
import io.lsem.jdbc.RetryStats;
import io.lsem.jdbc.TransactionStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

/**
 * Shows the driver at work: starts an embedded PostgreSQL, installs the commit ledger the way an
 * operator would ({@code lsem install}), then moves money between accounts through
 * {@code jdbc:lsem:postgresql://} with ordinary JDBC code. It prints the transaction boundaries the
 * driver sees for one transfer (from the API and from SQL text), that transfer's global timestamps
 * and ledger row, and where its time went; a transfer slowed by a row lock, as the slow-transaction
 * log and a JFR recording show it; then runs concurrent transfers at SERIALIZABLE with no
 * retry code, prints the conflicts the driver replayed out of sight, and checks that no money
 * appeared or vanished.
 *
 * <p>Run with {@code mvn -B -q -pl examples -am -DskipTests package exec:java}.
 */
public final class MoneyTransferDemo {
  private static final int ACCOUNTS = 20;
  private static final int THREADS = 8;
  private static final int TRANSFERS_PER_THREAD = 250;
  private static final long INITIAL_BALANCE = 1_000;
  /** Transfers made before the concurrent run: the boundaries, the timestamps and the slow one. */
  private static final int EARLIER_TRANSFERS = 3;

  private MoneyTransferDemo() {}

  public static void main(String[] args) throws Exception {
    try (ExampleServer server = ExampleServer.start()) {
      String url = server.lsemUrl();
      System.out.println("URL: " + url + "   (only the 'lsem:' differs from plain pgjdbc)\n");
      Properties credentials = server.credentials();
      try (Connection c = DriverManager.getConnection(url, credentials)) {
        createAccounts(c);
        showBoundaries(c);
        showTimestamps(c);
      }
      diagnoseSlowTransfer(url, credentials);
      runConcurrentTransfers(url, credentials);
    }
  }

  /**
   * A transfer that waits 150 ms for a row lock held by another connection: with
   * {@code slowTransactionThreshold=100ms} the driver logs it once with its breakdown (the lock
   * wait is server time), and a flight recording holds the same breakdown as a JFR event.
   */
  private static void diagnoseSlowTransfer(String url, Properties credentials) throws Exception {
    System.out.println("Diagnosing a slow transaction (slowTransactionThreshold=100ms, and a JFR recording):");
    Properties slowLog = new Properties();
    slowLog.putAll(credentials);
    slowLog.setProperty("slowTransactionThreshold", "100ms");
    Path recordingFile = Files.createTempFile("lsem-demo-", ".jfr");
    try (Recording recording = new Recording();
         Connection holder = DriverManager.getConnection(url, credentials);
         Connection c = DriverManager.getConnection(url, slowLog)) {
      recording.enable("io.lsem.jdbc.Transaction");
      recording.start();
      holder.setAutoCommit(false);
      try (Statement s = holder.createStatement()) {
        s.execute("SELECT balance FROM account WHERE id = 8 FOR UPDATE"); // someone else holds the row
      }
      Thread releaser = new Thread(() -> {
        try {
          Thread.sleep(150); // the other transaction's own work, before it lets go of the row
          holder.commit();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      releaser.start();
      c.setAutoCommit(false);
      transfer(c, 7, 8, 3); // waits for the row, then commits: logged on io.lsem.jdbc.slow
      c.commit();
      releaser.join();
      recording.stop();
      recording.dump(recordingFile);
    }
    for (RecordedEvent e : RecordingFile.readAllEvents(recordingFile)) {
      if (e.getEventType().getName().equals("io.lsem.jdbc.Transaction")) {
        System.out.printf("  JFR event io.lsem.jdbc.Transaction: id %s, total %.3f ms, server %.3f ms, driver %.3f ms,"
            + " attempts %d%n", e.getString("transactionId"), e.getDuration("total").toNanos() / 1e6,
            e.getDuration("server").toNanos() / 1e6, e.getDuration("driver").toNanos() / 1e6, e.getInt("attempts"));
      }
    }
    System.out.println("  (the same with: jfr print --events io.lsem.jdbc.Transaction " + recordingFile + ")\n");
  }

  private static void createAccounts(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("CREATE TABLE account(id int PRIMARY KEY, balance bigint NOT NULL CHECK (balance >= 0))");
      s.execute("CREATE TABLE transfer(id bigserial PRIMARY KEY, src int, dst int, amount bigint)");
      s.execute("INSERT INTO account SELECT g, " + INITIAL_BALANCE + " FROM generate_series(1, " + ACCOUNTS + ") g");
    }
  }

  /** One transfer, step by step, with the state the driver tracks after each call. */
  private static void showBoundaries(Connection c) throws SQLException {
    LsemConnection lsem = c.unwrap(LsemConnection.class);
    System.out.println("Transaction boundaries of one transfer through the JDBC API:");
    print("new connection", lsem);
    c.setAutoCommit(false);
    print("setAutoCommit(false)", lsem);
    transfer(c, 1, 2, 10);
    print("two UPDATEs and an INSERT", lsem);
    c.commit();
    print("commit()", lsem);
    c.setAutoCommit(true);

    System.out.println("\n... and through SQL text, in one multi-statement string:");
    try (Statement s = c.createStatement()) {
      s.execute("BEGIN ISOLATION LEVEL SERIALIZABLE; UPDATE account SET balance = balance - 5 WHERE id = 3; "
          + "UPDATE account SET balance = balance + 5 WHERE id = 4 /* COMMIT inside a comment is not a commit */");
      print("BEGIN ...; UPDATE; UPDATE", lsem);
      try {
        s.execute("SELECT 1/0");
      } catch (SQLException e) {
        print("a failing statement (" + e.getSQLState() + ")", lsem);
      }
      s.execute("ROLLBACK");
      print("ROLLBACK", lsem);
    }
    System.out.println();
  }

  /** One transfer's global timestamps, its row in the commit ledger, and where its time went. */
  private static void showTimestamps(Connection c) throws SQLException {
    LsemConnection lsem = c.unwrap(LsemConnection.class);
    lsem.lastTransactionBreakdown(); // measure from here on
    c.setAutoCommit(false);
    transfer(c, 5, 6, 7);
    String id = String.valueOf(lsem.currentTransactionId());
    long start = lsem.currentStartTimestamp();
    c.commit();
    System.out.println("Global timestamps of one transfer (hybrid logical clock, 46 bits of ms | 18 of counter):");
    System.out.printf("  logical id %s, start %d, commit %d%n", id, start, lsem.lastCommitTimestamp());
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
        "SELECT txn_id, xid, start_ts, commit_ts, attempts FROM lsem.commit_log WHERE txn_id = '" + id + "'")) {
      while (rs.next()) {
        System.out.printf("  lsem.commit_log: txn_id %s, xid8 %s, start_ts %d, commit_ts %d, attempts %d%n",
            rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4), rs.getInt(5));
      }
    }
    System.out.println("  " + lsem.lastTransactionBreakdown());
    c.commit();
    c.setAutoCommit(true);
    System.out.println();
  }

  private static void print(String step, LsemConnection c) {
    TransactionStatus st = c.transactionStatus();
    System.out.printf("  %-34s -> %-6s %d begun so far  (%s)%n", step, st.state(), st.transactionNumber(),
        st.cause().description());
  }

  private static void transfer(Connection c, int src, int dst, long amount) throws SQLException {
    try (PreparedStatement debit = c.prepareStatement("UPDATE account SET balance = balance - ? WHERE id = ?");
         PreparedStatement credit = c.prepareStatement("UPDATE account SET balance = balance + ? WHERE id = ?");
         PreparedStatement log = c.prepareStatement("INSERT INTO transfer(src, dst, amount) VALUES (?, ?, ?)")) {
      // Lock in id order so concurrent transfers cannot deadlock.
      PreparedStatement first = src < dst ? debit : credit;
      PreparedStatement second = src < dst ? credit : debit;
      first.setLong(1, amount);
      first.setInt(2, Math.min(src, dst));
      first.executeUpdate();
      second.setLong(1, amount);
      second.setInt(2, Math.max(src, dst));
      second.executeUpdate();
      log.setInt(1, src);
      log.setInt(2, dst);
      log.setLong(3, amount);
      log.executeUpdate();
    }
  }

  private static void runConcurrentTransfers(String url, Properties credentials) throws Exception {
    System.out.printf("Running %d threads x %d transfers at SERIALIZABLE, no retry code in the application ...%n",
        THREADS, TRANSFERS_PER_THREAD);
    AtomicLong committed = new AtomicLong();
    AtomicLong rejected = new AtomicLong();
    AtomicLong replays = new AtomicLong();
    AtomicLong recovered = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    long start = System.nanoTime();
    for (int t = 0; t < THREADS; t++) {
      Thread thread = new Thread(() -> {
        try (Connection c = DriverManager.getConnection(url, credentials)) {
          c.setAutoCommit(false);
          c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
          ThreadLocalRandom random = ThreadLocalRandom.current();
          for (int i = 0; i < TRANSFERS_PER_THREAD; i++) {
            int src = 1 + random.nextInt(ACCOUNTS);
            int dst = 1 + (src + random.nextInt(ACCOUNTS - 1)) % ACCOUNTS;
            try {
              transfer(c, src, dst, 1 + random.nextInt(50));
              c.commit();
              committed.incrementAndGet();
            } catch (SQLException e) {
              c.rollback(); // e.g. 23514: the balance would go below zero; never a serialization failure
              rejected.incrementAndGet();
            }
          }
          RetryStats stats = c.unwrap(LsemConnection.class).retryStats();
          replays.addAndGet(stats.replays());
          recovered.addAndGet(stats.recovered());
        } catch (SQLException e) {
          throw new IllegalStateException(e);
        }
      }, "transfer-" + t);
      threads.add(thread);
      thread.start();
    }
    for (Thread t : threads) {
      t.join();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    try (Connection c = DriverManager.getConnection(url, credentials); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT (SELECT sum(balance) FROM account), (SELECT count(*) FROM transfer),"
             + " (SELECT count(*) FROM lsem.commit_log)")) {
      rs.next();
      System.out.printf("  committed %d transfers (%d refused by the balance check) in %.2f s: %.0f transfers/s%n",
          committed.get(), rejected.get(), seconds, committed.get() / seconds);
      System.out.printf("  serialization conflicts replayed out of sight: %d replays, %d calls recovered%n",
          replays.get(), recovered.get());
      System.out.printf("  total balance %d (expected %d), transfer rows %d (expected %d), ledger rows %d%n",
          rs.getLong(1), ACCOUNTS * INITIAL_BALANCE, rs.getLong(2), committed.get() + EARLIER_TRANSFERS, rs.getLong(3));
      if (rs.getLong(1) != ACCOUNTS * INITIAL_BALANCE || rs.getLong(2) != committed.get() + EARLIER_TRANSFERS) {
        throw new IllegalStateException("money appeared or vanished");
      }
    }
  }
}
