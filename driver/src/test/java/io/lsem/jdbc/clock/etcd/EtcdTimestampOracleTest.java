package io.lsem.jdbc.clock.etcd;

import io.lsem.jdbc.value.CoordinatorAddress;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lsem.jdbc.LsemConnection;
import io.lsem.jdbc.clock.CoordinatorUnavailable;
import io.lsem.jdbc.clock.Hlc;
import io.lsem.jdbc.error.CoordinatorUnavailableException;
import io.lsem.jdbc.error.InvalidPropertyException;
import io.lsem.testkit.EtcdCluster;
import io.lsem.testkit.PostgresExtension;
import io.lsem.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The timestamp oracle shared through a real 3-member etcd cluster (issue 15): linearizable across
 * clients (two oracle instances stand for two JVMs), unbroken by the leader's death, typed when
 * the coordinator is gone, validated on bad input, and used by the driver end to end.
 */
@ExtendWith(PostgresExtension.class)
class EtcdTimestampOracleTest {
  private static EtcdCluster etcd;

  @BeforeAll
  static void start() {
    assumeTrue(EtcdCluster.binary() != null, "no etcd server program (Debian's etcd-server) on this machine");
    etcd = EtcdCluster.start(3);
  }

  @AfterAll
  static void stop() {
    if (etcd != null) {
      etcd.close();
    }
  }

  private static EtcdTimestampOracle oracle(String prefix) {
    return new EtcdTimestampOracle(CoordinatorAddress.parse(etcd.coordinator(prefix)), Duration.ofSeconds(5), 500);
  }

  /** Unique, and a call that began after another returned got a greater timestamp, whichever client made them. */
  @Test
  void timestampsAreLinearizableAcrossClients() throws Exception {
    List<TimestampCalls> perThread = new CopyOnWriteArrayList<>();
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (EtcdTimestampOracle client : new EtcdTimestampOracle[] {oracle("/lin"), oracle("/lin")}) {
      for (int t = 0; t < 4; t++) {
        Thread w = new Thread(() -> {
          TimestampCalls calls = new TimestampCalls(100);
          try {
            for (int i = 0; i < 100; i++) {
              long s = System.nanoTime();
              long v = client.next();
              calls.add(s, System.nanoTime(), v);
            }
          } catch (Throwable e) {
            failures.add(e);
          }
          perThread.add(calls);
        });
        threads.add(w);
        w.start();
      }
    }
    for (Thread w : threads) {
      w.join();
    }
    assertEquals(List.of(), failures);
    TimestampCalls all = new TimestampCalls(800);
    perThread.forEach(all::addAll);
    assertEquals(800, all.size());
    all.assertLinearizable();
  }

  /**
   * Causal tokens keep working with the shared oracle: a timestamp observed from elsewhere (here 0.4 s
   * ahead of this JVM's clock and of the epoch) is exceeded by the next one, which moves the epoch past it.
   */
  @Test
  void anObservedTimestampIsExceededByTheNext() {
    EtcdTimestampOracle client = oracle("/observed");
    long issued = client.next();
    long token = Hlc.of(Hlc.millis(issued) + 400, 5); // within the oracle's clockMaxOffset of 500 ms
    client.observe(token);
    long next = client.next();
    assertTrue(next > token, next + " after the observed " + token);
    EtcdTimestampOracle other = oracle("/observed"); // another JVM on the same coordinator sees the moved epoch
    assertTrue(other.next() > next);
  }

  /** The epoch key deleted by hand: the next call makes a new epoch above everything this client saw. */
  @Test
  void anEpochDeletedByHandIsMadeAgainAboveWhatWasIssued() throws Exception {
    EtcdTimestampOracle client = oracle("/deleted");
    long before = client.next();
    etcd.delete("/deleted/epoch");
    long after = client.next();
    assertTrue(after > before, after + " after " + before);
    assertTrue(client.next() > after);
  }

  /** The leader is killed mid-run: the client moves to another member, nothing repeats or goes back. */
  @Test
  void theLeaderDiesAndTimestampsGoOnIncreasing() throws Exception {
    EtcdTimestampOracle client = oracle("/failover");
    long previous = 0;
    int leader = -1;
    for (int i = 0; i < 300; i++) {
      if (i == 100) {
        leader = etcd.leader();
        etcd.kill(leader);
      }
      long v = client.next();
      assertTrue(v > previous, "call " + i + ": " + v + " after " + previous);
      previous = v;
    }
    etcd.restart(leader);
  }

  /** A paused (SIGSTOP) leader: the others elect a new one, timestamps keep increasing; it resumes as a follower. */
  @Test
  void aPausedLeaderIsWaitedOutAndTimestampsGoOnIncreasing() throws Exception {
    EtcdTimestampOracle client = oracle("/paused");
    long previous = client.next();
    int leader = etcd.leader();
    etcd.pause(leader);
    try {
      for (int i = 0; i < 50; i++) {
        long v = client.next();
        assertTrue(v > previous, "call " + i + ": " + v + " after " + previous);
        previous = v;
      }
    } finally {
      etcd.resume(leader);
    }
    assertTrue(client.next() > previous);
  }

  /** Two of three members gone: no quorum, a typed failure naming every member within the timeout; back when they are. */
  @Test
  void aLostQuorumFailsTypedAndRecovers() throws Exception {
    EtcdTimestampOracle client = new EtcdTimestampOracle(CoordinatorAddress.parse(etcd.coordinator("/quorum")),
        Duration.ofMillis(1500), 500);
    long before = client.next();
    int leader = etcd.leader();
    int other = (leader + 1) % 3;
    etcd.kill(leader);
    etcd.kill(other);
    try {
      CoordinatorUnavailable e = assertThrows(CoordinatorUnavailable.class, client::next);
      assertTrue(e.getMessage().contains("coordinatorTimeout"), e.getMessage());
      for (String endpoint : etcd.coordinator("").substring("etcd://".length()).split(",")) {
        assertTrue(e.getMessage().contains(endpoint), endpoint + " not named: " + e.getMessage());
      }
    } finally {
      etcd.restart(leader);
      etcd.restart(other);
    }
    assertTrue(client.next() > before, "the same client works again, forward");
  }

  /** etcd with authentication on: a clear error at once (not after the timeout), naming the cause. */
  @Test
  void anEtcdWithAuthenticationOnIsAClearErrorAtOnce() throws Exception {
    try (EtcdCluster secured = EtcdCluster.start(1)) {
      java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
      String base = secured.coordinator("").replace("etcd://", "http://");
      for (String[] call : new String[][] {{"/v3/auth/user/add", "{\"name\":\"root\",\"password\":\"pw\"}"},
          {"/v3/auth/user/grant", "{\"user\":\"root\",\"role\":\"root\"}"}, {"/v3/auth/enable", "{}"}}) {
        java.net.http.HttpResponse<String> r = http.send(java.net.http.HttpRequest.newBuilder(
            java.net.URI.create(base + call[0])).POST(java.net.http.HttpRequest.BodyPublishers.ofString(call[1]))
            .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
      }
      EtcdTimestampOracle client = new EtcdTimestampOracle(CoordinatorAddress.parse(secured.coordinator("/auth")),
          Duration.ofSeconds(30), 500);
      long start = System.nanoTime();
      CoordinatorUnavailable e = assertThrows(CoordinatorUnavailable.class, client::next);
      assertTrue(System.nanoTime() - start < java.util.concurrent.TimeUnit.SECONDS.toNanos(10),
          "refused at once, not after the 30 s timeout");
      assertTrue(e.getMessage().contains("authentication") && e.getMessage().contains("user name"), e.getMessage());
      assertTrue(!e.getMessage().contains("pw\""), "no password in the message");
    }
  }

  @Test
  void badCoordinatorsAreNamedWithTheExpectedForm(TestDatabase db) {
    for (String bad : new String[] {"http://127.0.0.1:2379", "etcd://", "etcd://127.0.0.1", "etcd://h:99999",
        "etcd://h:2379,:1"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CoordinatorAddress.parse(bad));
      assertTrue(e.getMessage().contains(CoordinatorAddress.FORM), e.getMessage());
    }
    Properties p = new Properties();
    p.setProperty("timestampOracle", "etcd");
    InvalidPropertyException missing = assertThrows(InvalidPropertyException.class, () -> db.lsem(p).close());
    assertTrue(missing.getMessage().contains("coordinator"), missing.getMessage());
    p.setProperty("coordinator", "etcd://app:s3cr3t@127.0.0.1:2379");
    InvalidPropertyException credentials = assertThrows(InvalidPropertyException.class, () -> db.lsem(p).close());
    assertTrue(credentials.getMessage().contains("coordinator") && !credentials.getMessage().contains("s3cr3t"),
        credentials.getMessage());
    IllegalArgumentException parsed = assertThrows(IllegalArgumentException.class,
        () -> CoordinatorAddress.parse("etcd://h:2379/p?password=s3cr3t"));
    assertTrue(!parsed.getMessage().contains("s3cr3t"), parsed.getMessage());
    p.setProperty("coordinator", "etcd://nowhere");
    InvalidPropertyException malformed = assertThrows(InvalidPropertyException.class, () -> db.lsem(p).close());
    assertTrue(malformed.getMessage().contains("etcd://nowhere") && malformed.getMessage().contains("host:port"),
        malformed.getMessage());
  }

  /** No member answers: the first statement of a transaction fails typed, unsent, within the timeout. */
  @Test
  void anUnreachableCoordinatorFailsTheCallUnsent(TestDatabase db) throws SQLException {
    try (Connection admin = db.plain(); Statement s = admin.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS etcd_unsent(a int)");
    }
    Properties p = new Properties();
    p.setProperty("timestamps", "on");
    p.setProperty("timestampOracle", "etcd");
    p.setProperty("coordinator", "etcd://127.0.0.1:1/none");
    p.setProperty("coordinatorTimeout", "300ms");
    try (Connection c = db.lsem(p); Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      SQLException e = assertThrows(SQLException.class, () -> s.execute("INSERT INTO etcd_unsent VALUES (1)"));
      assertInstanceOf(CoordinatorUnavailableException.class, e, e.toString());
      assertTrue(e.getMessage().contains("127.0.0.1:1"), e.getMessage());
      c.rollback();
      assertTrue(c.isValid(5), "the database connection is fine");
    }
    try (Connection admin = db.plain(); Statement s = admin.createStatement();
         ResultSet rs = s.executeQuery("SELECT count(*) FROM etcd_unsent")) {
      rs.next();
      assertEquals(0, rs.getInt(1), "nothing was sent");
    }
  }

  /** Through the driver: two connections (two configurations) commit in turn, timestamps increase across them. */
  /**
   * Both commit paths (the prepared COMMIT message of {@code commit()} and a COMMIT in the SQL text)
   * append the ledger row with the oracle's timestamp, exactly, and leave the database's clock alone:
   * the plain append of {@code lsem.append_commit}, no lock and no {@code setval}.
   */
  @Test
  void theDriverTakesItsTimestampsFromEtcdAndAppendsItsLedgerRows(TestDatabase db) throws SQLException {
    try (Connection admin = db.plain(); Statement s = admin.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS etcd_e2e(a int)");
    }
    long clockBefore = databaseClock(db);
    Properties p1 = new Properties();
    p1.setProperty("timestamps", "on");
    p1.setProperty("timestampOracle", "etcd");
    p1.setProperty("coordinator", etcd.coordinator("/e2e"));
    Properties p2 = (Properties) p1.clone();
    p2.setProperty("coordinatorTimeout", "3s"); // another configuration: its own oracle instance
    List<Long> commits = new ArrayList<>();
    try (Connection a = db.lsem(p1); Connection b = db.lsem(p2)) {
      a.setAutoCommit(false);
      b.setAutoCommit(false);
      long previous = 0;
      for (int i = 0; i < 10; i++) {
        Connection c = i % 2 == 0 ? a : b;
        try (Statement s = c.createStatement()) {
          s.execute("INSERT INTO etcd_e2e VALUES (" + i + ")");
          if (i % 4 == 3) {
            s.execute("COMMIT");
          } else {
            c.commit();
          }
        }
        long ts = c.unwrap(LsemConnection.class).lastCommitTimestamp();
        assertTrue(ts > previous, "commit " + i + " at " + ts + " after " + previous);
        previous = ts;
        commits.add(ts);
      }
    }
    List<Long> recorded = new ArrayList<>();
    try (Connection admin = db.plain(); Statement s = admin.createStatement();
         ResultSet rs = s.executeQuery("SELECT lsem.commit_ts(t.xmin) FROM etcd_e2e t ORDER BY a")) {
      while (rs.next()) {
        recorded.add(rs.getLong(1));
      }
    }
    assertEquals(commits, recorded, "each row maps through its xmin to the oracle's commit timestamp");
    assertEquals(clockBefore, databaseClock(db), "appended rows do not move lsem.clock");
  }

  private static long databaseClock(TestDatabase db) throws SQLException {
    try (Connection c = db.plain(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT coalesce(pg_sequence_last_value('lsem.clock'), 0)")) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
