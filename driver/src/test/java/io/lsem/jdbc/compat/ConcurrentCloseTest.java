package io.lsem.jdbc.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lsem.jdbc.LsemConnection;
import io.lsem.testkit.PostgresExtension;
import io.lsem.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 14 item 3: JDBC lets any thread close a statement or the connection. While the owner
 * prepares and closes statements, other threads close the statements it hands them (100,000
 * closes in all), and several threads close the connection at once; pgjdbc survives both, and so
 * must the driver: no exception but pgjdbc's "connection closed" SQLException, nothing left open.
 * Before the fix: an IndexOutOfBoundsException in the statement registry within milliseconds,
 * and a NullPointerException from concurrent {@code Connection.close()}.
 */
@ExtendWith(PostgresExtension.class)
class ConcurrentCloseTest {
  private static final int CLOSES = 100_000;
  private static TestDatabase db;

  @BeforeAll
  static void init(TestDatabase database) throws SQLException {
    db = database;
    try (Connection c = db.plain(); Statement s = c.createStatement()) {
      s.execute("CREATE SEQUENCE conflict_seq");
      s.execute("CREATE FUNCTION conflict_once() RETURNS int LANGUAGE plpgsql AS $$ BEGIN"
          + " IF nextval('conflict_seq') = 1 THEN RAISE EXCEPTION 'injected conflict' USING ERRCODE = '40001';"
          + " END IF; RETURN 1; END $$");
    }
  }

  /**
   * A statement of a recorded transaction closed by another thread: the recording is the owner
   * thread's and is not written from the other one, so the transaction is not replayed — the
   * conflict that follows reaches the application as with pgjdbc (before: the other thread wrote
   * into the owner's recording, and the transaction was replayed).
   */
  @Test
  void aStatementClosedByAnotherThreadMakesTheTransactionNotReplayable() throws Exception {
    List<String> outcomes = new ArrayList<>();
    for (String url : new String[] {db.plainUrl(), db.lsemUrl()}) {
      try (Connection admin = db.plain(); Statement s = admin.createStatement()) {
        s.execute("SELECT setval('conflict_seq', 1, false)");
      }
      try (Connection c = DriverManager.getConnection(url, db.credentials())) {
        c.setAutoCommit(false);
        Statement first = c.createStatement();
        first.executeQuery("SELECT 1").close();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread closer = new Thread(() -> {
          try {
            first.close();
          } catch (Throwable e) {
            failure.set(e);
          }
        });
        closer.start();
        closer.join(TimeUnit.MINUTES.toMillis(1));
        assertEquals(null, failure.get());
        String outcome;
        try (Statement s = c.createStatement(); java.sql.ResultSet rs = s.executeQuery("SELECT conflict_once()")) {
          outcome = "ran";
        } catch (SQLException e) {
          outcome = "SQLSTATE " + e.getSQLState();
        }
        c.rollback();
        outcomes.add(outcome);
      }
    }
    assertEquals(List.of("SQLSTATE 40001", "SQLSTATE 40001"), outcomes);
  }

  /** What went wrong, as text: empty when nothing did. */
  private static String statementCloses(String url) throws Exception {
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Queue<Statement> handed = new ConcurrentLinkedQueue<>();
    AtomicBoolean ownerDone = new AtomicBoolean();
    AtomicInteger closed = new AtomicInteger();
    try (Connection c = DriverManager.getConnection(url, db.credentials())) {
      List<Thread> closers = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        Thread closer = new Thread(() -> {
          try {
            while (!ownerDone.get() || !handed.isEmpty()) {
              Statement s = handed.poll();
              if (s != null) {
                s.close();
                closed.incrementAndGet();
              } else {
                Thread.onSpinWait();
              }
            }
          } catch (Throwable e) {
            failure.compareAndSet(null, e);
          }
        });
        closer.start();
        closers.add(closer);
      }
      try {
        for (int i = 0; i < CLOSES && failure.get() == null; i++) {
          Statement s = i % 2 == 0 ? c.prepareStatement("SELECT " + (i % 7)) : c.createStatement();
          if (i % 3 == 0) {
            s.close(); // the owner closes some itself, the others are closed elsewhere
            closed.incrementAndGet();
          } else {
            handed.add(s);
          }
        }
      } catch (Throwable e) {
        failure.compareAndSet(null, e);
      } finally {
        ownerDone.set(true);
      }
      for (Thread closer : closers) {
        closer.join(TimeUnit.MINUTES.toMillis(2));
      }
      if (c.isWrapperFor(LsemConnection.class)) {
        assertEquals(0, c.unwrap(io.lsem.jdbc.wrap.ConnectionWrapper.class).openStatementCount(),
            "every statement closed is gone from the connection's registry");
      }
    }
    Throwable f = failure.get();
    return f == null ? "closed " + closed.get() : "failed after " + closed.get() + " closes: " + f;
  }

  /** Several threads close one connection at once while another closes its statements: outcome as text. */
  private static String connectionCloses(String url) throws Exception {
    AtomicReference<Throwable> failure = new AtomicReference<>();
    for (int round = 0; round < 50 && failure.get() == null; round++) {
      Connection c = DriverManager.getConnection(url, db.credentials());
      List<Statement> statements = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        statements.add(c.prepareStatement("SELECT " + i));
      }
      CountDownLatch start = new CountDownLatch(1);
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        boolean closesStatements = t == 0;
        Thread thread = new Thread(() -> {
          try {
            start.await();
            if (closesStatements) {
              for (Statement s : statements) {
                s.close();
              }
            } else {
              c.close();
            }
          } catch (SQLException expectedOnAClosedConnection) {
            // pgjdbc's "This connection has been closed." is an answer, not a failure
          } catch (Throwable e) {
            failure.compareAndSet(null, e);
          }
        });
        thread.start();
        threads.add(thread);
      }
      start.countDown();
      for (Thread thread : threads) {
        thread.join(TimeUnit.MINUTES.toMillis(1));
      }
      if (!c.isClosed()) {
        failure.compareAndSet(null, new AssertionError("the connection is still open after close()"));
      }
    }
    Throwable f = failure.get();
    return f == null ? "no failure" : "failed: " + f;
  }

  /**
   * A pooled connection closed by several threads at once is given back once: afterwards two
   * borrowers at the same time never share a backend (before the fix, a double give-back put the
   * session in the pool twice).
   */
  @Test
  void aPooledConnectionClosedByManyThreadsIsGivenBackOnce() throws Exception {
    io.lsem.jdbc.pool.LsemDataSource ds = new io.lsem.jdbc.pool.LsemDataSource(db.lsemUrl());
    ds.setUser(db.user());
    ds.setPassword(db.password());
    ds.setProperty("poolMaxSize", "3");
    ds.setProperty("poolMinIdle", "0");
    AtomicReference<Throwable> failure = new AtomicReference<>();
    try (ds) {
      for (int round = 0; round < 30 && failure.get() == null; round++) {
        Connection c = ds.getConnection();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
          Thread thread = new Thread(() -> {
            try {
              start.await();
              c.close();
            } catch (Throwable e) {
              failure.compareAndSet(null, e);
            }
          });
          thread.start();
          threads.add(thread);
        }
        start.countDown();
        for (Thread thread : threads) {
          thread.join(TimeUnit.MINUTES.toMillis(1));
        }
        try (Connection a = ds.getConnection(); Connection b = ds.getConnection()) {
          int pa = a.unwrap(org.postgresql.PGConnection.class).getBackendPID();
          int pb = b.unwrap(org.postgresql.PGConnection.class).getBackendPID();
          if (pa == pb) {
            failure.compareAndSet(null, new AssertionError("two borrowers share backend " + pa + " in round " + round));
          }
        }
      }
    }
    assertEquals(null, failure.get());
  }

  @Test
  void statementsClosedFromOtherThreadsWhileTheOwnerWorks() throws Exception {
    String plain = statementCloses(db.plainUrl());
    String lsem = statementCloses(db.lsemUrl());
    assertEquals("closed " + CLOSES, plain);
    assertEquals(plain, lsem);
  }

  @Test
  void connectionClosedByManyThreadsAtOnce() throws Exception {
    String plain = connectionCloses(db.plainUrl());
    String lsem = connectionCloses(db.lsemUrl());
    assertTrue(plain.equals("no failure"), plain);
    assertEquals(plain, lsem);
  }
}
