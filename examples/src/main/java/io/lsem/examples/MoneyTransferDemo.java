package io.lsem.examples;

import io.lsem.jdbc.LsemConnection;
import io.lsem.jdbc.TransactionStatus;
import io.lsem.testkit.PostgresServer;
import io.lsem.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Shows the driver at work: starts an embedded PostgreSQL, then moves money between accounts
 * from several threads through {@code jdbc:lsem:postgresql://}, with ordinary JDBC code. It
 * prints the transaction boundaries the driver sees for one transfer (from the API and from SQL
 * text), then runs the concurrent transfers and checks that no money appeared or vanished.
 *
 * <p>Run with {@code mvn -B -q -pl examples -am -DskipTests package exec:java}.
 */
public final class MoneyTransferDemo {
  private static final int ACCOUNTS = 20;
  private static final int THREADS = 8;
  private static final int TRANSFERS_PER_THREAD = 250;
  private static final long INITIAL_BALANCE = 1_000;

  private MoneyTransferDemo() {}

  public static void main(String[] args) throws Exception {
    System.out.println("Starting an embedded PostgreSQL ...");
    TestDatabase db = PostgresServer.shared().createDatabase("demo");
    String url = db.lsemUrl();
    System.out.println("URL: " + url + "   (only the 'lsem:' differs from plain pgjdbc)\n");
    try (Connection c = DriverManager.getConnection(url, db.credentials())) {
      createAccounts(c);
      showBoundaries(c);
    }
    runConcurrentTransfers(url, db);
    db.drop();
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

  private static void runConcurrentTransfers(String url, TestDatabase db) throws Exception {
    System.out.printf("Running %d threads x %d transfers at READ COMMITTED ...%n", THREADS, TRANSFERS_PER_THREAD);
    AtomicLong committed = new AtomicLong();
    AtomicLong rejected = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    long start = System.nanoTime();
    for (int t = 0; t < THREADS; t++) {
      Thread thread = new Thread(() -> {
        try (Connection c = DriverManager.getConnection(url, db.credentials())) {
          c.setAutoCommit(false);
          ThreadLocalRandom random = ThreadLocalRandom.current();
          for (int i = 0; i < TRANSFERS_PER_THREAD; i++) {
            int src = 1 + random.nextInt(ACCOUNTS);
            int dst = 1 + (src + random.nextInt(ACCOUNTS - 1)) % ACCOUNTS;
            try {
              transfer(c, src, dst, 1 + random.nextInt(50));
              c.commit();
              committed.incrementAndGet();
            } catch (SQLException e) {
              c.rollback(); // e.g. 23514: the balance would go below zero
              rejected.incrementAndGet();
            }
          }
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
    try (Connection c = DriverManager.getConnection(url, db.credentials()); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT (SELECT sum(balance) FROM account), (SELECT count(*) FROM transfer)")) {
      rs.next();
      System.out.printf("  committed %d transfers (%d refused by the balance check) in %.2f s: %.0f transfers/s%n",
          committed.get(), rejected.get(), seconds, committed.get() / seconds);
      System.out.printf("  total balance %d (expected %d), transfer rows %d (expected %d)%n", rs.getLong(1),
          ACCOUNTS * INITIAL_BALANCE, rs.getLong(2), committed.get() + 1);
      if (rs.getLong(1) != ACCOUNTS * INITIAL_BALANCE || rs.getLong(2) != committed.get() + 1) {
        throw new IllegalStateException("money appeared or vanished");
      }
    }
  }
}
