package io.lsem.jdbc.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lsem.testkit.PostgresExtension;
import io.lsem.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.PGConnection;

/**
 * Many borrowers at once, on platform threads and on virtual threads (the latter need a JDK with
 * them: the build runs this class a second time on the Temurin 25 JDK when it is installed). No
 * connection is ever held by two borrowers at once: the backend pids of the connections held at
 * any moment are distinct, and the pool never holds more than its maximum.
 */
@ExtendWith(PostgresExtension.class)
class PoolConcurrencyTest {
  private static final int MAX = 4;

  @Test
  void platformThreadsNeverShareAConnection(TestDatabase db) throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(16);
    try {
      stress(db, threads, 16, 100);
    } finally {
      threads.shutdownNow();
    }
  }

  @Test
  void virtualThreadsNeverShareAConnection(TestDatabase db) throws Exception {
    ExecutorService threads;
    try {
      threads = (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
    } catch (NoSuchMethodException e) {
      Assumptions.abort("virtual threads need JDK 21+; this is " + Runtime.version());
      return;
    }
    try {
      stress(db, threads, 200, 10);
    } finally {
      threads.shutdownNow();
    }
  }

  private static void stress(TestDatabase db, ExecutorService threads, int borrowers, int rounds) throws Exception {
    Set<Integer> held = ConcurrentHashMap.newKeySet();
    List<String> violations = new CopyOnWriteArrayList<>();
    AtomicInteger done = new AtomicInteger();
    try (LsemDataSource ds = PoolTest.dataSource(db, "poolMaxSize", String.valueOf(MAX), "poolMinIdle", "0",
        "poolConnectionTimeout", "60s")) {
      List<Future<?>> futures = new ArrayList<>();
      for (int b = 0; b < borrowers; b++) {
        futures.add(threads.submit(() -> {
          for (int r = 0; r < rounds; r++) {
            try (Connection c = ds.getConnection()) {
              int pid = c.unwrap(PGConnection.class).getBackendPID();
              if (!held.add(pid)) {
                violations.add("backend " + pid + " handed to two borrowers at once");
              }
              try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
                rs.next();
                if (rs.getInt(1) != pid) {
                  violations.add("the connection's backend changed while held");
                }
              }
              if (ds.stats().total() > MAX) {
                violations.add("the pool holds " + ds.stats().total() + " connections, more than " + MAX);
              }
              held.remove(pid);
            }
            done.incrementAndGet();
          }
          return null;
        }));
      }
      for (Future<?> f : futures) {
        f.get(120, TimeUnit.SECONDS);
      }
      assertEquals(List.of(), violations);
      assertEquals(borrowers * rounds, done.get());
      assertTrue(ds.stats().created() <= MAX + ds.stats().evicted(), ds.stats().toString());
      assertEquals((long) borrowers * rounds, ds.stats().borrows());
    }
  }
}
