package io.lsem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.lsem.jdbc.LsemConnection;
import io.lsem.jdbc.TransactionStatus;
import io.lsem.testkit.PostgresExtension;
import io.lsem.testkit.TestDatabase;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;
import org.postgresql.core.BaseConnection;

/**
 * HikariCP 7 configured with nothing but {@code jdbcUrl}, user and password: Hikari finds the
 * driver through {@link java.sql.DriverManager}, and everything an application does through the
 * pool works, including pgjdbc's COPY API reached by {@code unwrap}.
 */
@ExtendWith(PostgresExtension.class)
class HikariTest {
  private static final int POOL_SIZE = 4;
  private static HikariDataSource pool;

  @BeforeAll
  static void startPool(TestDatabase db) throws SQLException {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(db.lsemUrl());
    config.setUsername(db.user());
    config.setPassword(db.password());
    config.setMaximumPoolSize(POOL_SIZE);
    config.setPoolName("lsem-it");
    pool = new HikariDataSource(config);
    try (Connection c = db.plain(); Statement s = c.createStatement()) {
      s.execute("create table item (id int primary key, name text not null)");
    }
  }

  @AfterAll
  static void closePool() {
    if (pool != null) {
      pool.close();
    }
  }

  @BeforeEach
  void emptyTable() throws SQLException {
    try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
      s.execute("truncate item");
    }
  }

  @Test
  void poolUsesTheLsemDriverWithoutADriverClassName() throws SQLException {
    assertNull(pool.getDriverClassName());
    try (Connection c = pool.getConnection()) {
      assertTrue(c.getClass().getName().startsWith("com.zaxxer.hikari."), "not a pool proxy: " + c.getClass());
      LsemConnection lsem = c.unwrap(LsemConnection.class);
      assertTrue(lsem.getClass().getName().startsWith("io.lsem.jdbc."), "not the LSEM driver's: " + lsem.getClass());
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select 6 * 7, current_database()")) {
        assertTrue(rs.next());
        assertEquals(42, rs.getInt(1));
        assertEquals(c.getCatalog(), rs.getString(2));
        assertFalse(rs.next());
      }
    }
  }

  @Test
  void committedTransactionIsVisibleAndRolledBackOneIsNot() throws SQLException {
    try (Connection c = pool.getConnection()) {
      LsemConnection lsem = c.unwrap(LsemConnection.class);
      c.setAutoCommit(false);
      insert(c, 1, "kept");
      assertEquals(TransactionStatus.State.ACTIVE, lsem.transactionStatus().state());
      c.commit();
      assertEquals(TransactionStatus.State.IDLE, lsem.transactionStatus().state());
      assertEquals(TransactionStatus.Cause.API_COMMIT, lsem.transactionStatus().cause());

      insert(c, 2, "discarded");
      assertEquals(List.of("discarded", "kept"), names(c), "own uncommitted row is visible inside the transaction");
      c.rollback();
      assertEquals(TransactionStatus.Cause.API_ROLLBACK, lsem.transactionStatus().cause());
      c.setAutoCommit(true);
    }
    assertEquals(List.of("kept"), namesInOtherConnection());
  }

  @Test
  void autocommitToggling() throws SQLException {
    try (Connection c = pool.getConnection()) {
      LsemConnection lsem = c.unwrap(LsemConnection.class);
      assertTrue(c.getAutoCommit());
      insert(c, 1, "autocommitted");
      assertEquals(TransactionStatus.Cause.AUTOCOMMIT_STATEMENT, lsem.transactionStatus().cause());
      assertEquals(List.of("autocommitted"), namesInOtherConnection());

      c.setAutoCommit(false);
      insert(c, 2, "committed by setAutoCommit(true)");
      assertEquals(List.of("autocommitted"), namesInOtherConnection(), "not yet committed");
      c.setAutoCommit(true); // JDBC: commits the open transaction
      assertEquals(TransactionStatus.State.IDLE, lsem.transactionStatus().state());
      assertEquals(TransactionStatus.Cause.AUTOCOMMIT_ENABLED, lsem.transactionStatus().cause());
      assertEquals(List.of("autocommitted", "committed by setAutoCommit(true)"), namesInOtherConnection());

      c.setAutoCommit(false);
      insert(c, 3, "left open when the connection goes back to the pool");
    }
    // Hikari rolls back dirty work and restores autocommit when a connection is returned
    assertEquals(List.of("autocommitted", "committed by setAutoCommit(true)"), namesInOtherConnection());
    List<Connection> all = new ArrayList<>();
    try {
      for (int i = 0; i < POOL_SIZE; i++) { // holding all of them at once includes the one just returned
        Connection c = pool.getConnection();
        all.add(c);
        assertTrue(c.getAutoCommit());
        assertEquals(TransactionStatus.State.IDLE, c.unwrap(LsemConnection.class).transactionStatus().state());
      }
    } finally {
      for (Connection c : all) {
        c.close();
      }
    }
  }

  @Test
  void unwrapAndIsWrapperFor() throws SQLException {
    try (Connection c = pool.getConnection()) {
      assertTrue(c.isWrapperFor(LsemConnection.class));
      assertTrue(c.isWrapperFor(PGConnection.class));
      assertTrue(c.isWrapperFor(BaseConnection.class));
      assertFalse(c.isWrapperFor(String.class));
      LsemConnection lsem = c.unwrap(LsemConnection.class);
      assertSame(lsem, c.unwrap(LsemConnection.class), "one wrapper per physical connection");
      PGConnection pg = c.unwrap(PGConnection.class);
      assertInstanceOf(LsemConnection.class, pg, "PGConnection must be the LSEM wrapper, not the raw connection");
      assertTrue(pg.getBackendPID() > 0);
      assertEquals(backendPid(c), pg.getBackendPID());
      assertThrows(SQLException.class, () -> c.unwrap(String.class));
    }
  }

  @Test
  void copyInAndOutThroughUnwrappedPgConnection() throws Exception {
    String rows = "1\tone\n2\ttwo\n3\tthree\n";
    try (Connection c = pool.getConnection()) {
      CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
      long in = copy.copyIn("COPY item (id, name) FROM STDIN",
          new ByteArrayInputStream(rows.getBytes(StandardCharsets.UTF_8)));
      assertEquals(3, in);
      assertEquals(List.of("one", "three", "two"), names(c));

      ByteArrayOutputStream out = new ByteArrayOutputStream();
      long copiedOut = copy.copyOut("COPY (SELECT id, name FROM item ORDER BY id) TO STDOUT", out);
      assertEquals(3, copiedOut);
      assertEquals(rows, out.toString(StandardCharsets.UTF_8));
      assertEquals(TransactionStatus.State.IDLE, c.unwrap(LsemConnection.class).transactionStatus().state());

      // the CopyManager built from the BaseConnection cast that older code uses
      CopyManager viaBase = new CopyManager(c.unwrap(BaseConnection.class));
      c.setAutoCommit(false);
      assertEquals(1, viaBase.copyIn("COPY item (id, name) FROM STDIN",
          new ByteArrayInputStream("4\tfour\n".getBytes(StandardCharsets.UTF_8))));
      // pgjdbc opened a transaction for the COPY; the next call through the connection sees it
      assertEquals(List.of("four", "one", "three", "two"), names(c));
      assertEquals(TransactionStatus.State.ACTIVE, c.unwrap(LsemConnection.class).transactionStatus().state());
      c.rollback();
      assertEquals(TransactionStatus.Cause.API_ROLLBACK, c.unwrap(LsemConnection.class).transactionStatus().cause());
      c.setAutoCommit(true);
      assertEquals(List.of("one", "three", "two"), names(c), "the rolled-back COPY left nothing");
    }
  }

  @Test
  void severalThreadsBorrowConcurrently() throws Exception {
    int threads = POOL_SIZE;
    int rounds = 25;
    CyclicBarrier allHoldAConnection = new CyclicBarrier(threads);
    ExecutorService executor = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Integer>> pids = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        pids.add(executor.submit(() -> {
          int pid;
          try (Connection c = pool.getConnection()) {
            pid = backendPid(c);
            // every thread holds its own physical connection at the same moment
            allHoldAConnection.await(30, TimeUnit.SECONDS);
          }
          for (int r = 0; r < rounds; r++) {
            try (Connection c = pool.getConnection()) {
              c.setAutoCommit(false);
              insert(c, thread * 1000 + r, "t" + thread);
              if (r % 5 == 4) {
                c.rollback();
              } else {
                c.commit();
              }
              assertEquals(TransactionStatus.State.IDLE, c.unwrap(LsemConnection.class).transactionStatus().state());
            }
          }
          return pid;
        }));
      }
      Set<Integer> distinct = new HashSet<>();
      for (Future<Integer> f : pids) {
        distinct.add(f.get(60, TimeUnit.SECONDS));
      }
      assertEquals(threads, distinct.size(), "concurrent borrowers shared a backend: " + distinct);
    } finally {
      executor.shutdownNow();
    }
    try (Connection c = pool.getConnection(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("select name, count(*) from item group by name order by name")) {
      for (int t = 0; t < threads; t++) {
        assertTrue(rs.next());
        assertEquals("t" + t, rs.getString(1));
        assertEquals(rounds - rounds / 5, rs.getInt(2), "committed rows of thread " + t);
      }
      assertFalse(rs.next());
    }
    assertEquals(0, pool.getHikariPoolMXBean().getActiveConnections());
  }

  private static void insert(Connection c, int id, String name) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("insert into item (id, name) values (?, ?)")) {
      ps.setInt(1, id);
      ps.setString(2, name);
      assertEquals(1, ps.executeUpdate());
    }
  }

  private static List<String> names(Connection c) throws SQLException {
    List<String> result = new ArrayList<>();
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select name from item order by name")) {
      while (rs.next()) {
        result.add(rs.getString(1));
      }
    }
    return result;
  }

  private static List<String> namesInOtherConnection() throws SQLException {
    // a second pooled connection: sees only committed rows
    try (Connection other = pool.getConnection()) {
      return names(other);
    }
  }

  private static int backendPid(Connection c) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select pg_backend_pid()")) {
      assertTrue(rs.next());
      return rs.getInt(1);
    }
  }
}
