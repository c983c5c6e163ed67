package io.lsem.jdbc.failover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.lsem.jdbc.LsemConnection;
import io.lsem.testkit.ReplicationCluster;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.core.BaseConnection;

/**
 * Read-your-writes on a standby: a primary and a synchronous standby on 127.0.0.1, a writer
 * connection on the primary and a reader the application opened on the standby
 * ({@code targetServerType=secondary}). With the standby's replay paused
 * ({@code pg_wal_replay_pause()}), a plain read there returns the old value; the driver's read
 * never does.
 */
class StandbyReadsTest {
  private static ReplicationCluster cluster;

  @BeforeAll
  static void start() throws SQLException {
    cluster = ReplicationCluster.start(ReplicationCluster.Options.defaults().standbys(1).synchronous());
    try (Connection c = cluster.primary().connect(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE register(id int PRIMARY KEY, v int)");
      s.execute("INSERT INTO register VALUES (1, 0)");
    }
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @AfterEach
  void resume() {
    cluster.resumeReplay(standby());
  }

  private static ReplicationCluster.Node standby() {
    return cluster.standbys().get(0);
  }

  private static Connection lsem(String query, String... kv) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", "postgres");
    for (int i = 0; i < kv.length; i += 2) {
      p.setProperty(kv[i], kv[i + 1]);
    }
    return DriverManager.getConnection(cluster.multiHostUrl("lsem:", "postgres") + query, p);
  }

  private static int read(Connection c) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT v FROM register WHERE id = 1")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  private static void write(Connection c, int v) throws SQLException {
    try (Statement s = c.createStatement()) {
      assertEquals(1, s.executeUpdate("UPDATE register SET v = " + v + " WHERE id = 1"));
    }
  }

  private static int servedBy(Connection c) throws SQLException {
    return c.unwrap(BaseConnection.class).getQueryExecutor().getHostSpec().getPort();
  }

  @Test
  void aLaggingStandbyNeverReturnsTheOldValue() throws SQLException {
    try (Connection reader = lsem("?targetServerType=secondary", "standbyReadWait", "300ms");
         Connection writer = lsem("");
         Connection plainStandby = standby().connect()) {
      assertEquals(standby().port(), servedBy(reader), "the reader starts on the standby");
      int before = read(reader);
      cluster.pauseReplay(standby());
      write(writer, before + 1);
      assertEquals(before, read(plainStandby), "the standby lags: a plain read there sees the old value");
      assertEquals(before + 1, read(reader), "the driver's read sees the write");
      assertEquals(cluster.primary().port(), servedBy(reader), "it moved to the primary to do so");
    }
  }

  @Test
  void aStandbyThatCatchesUpKeepsServingReads() throws SQLException {
    try (Connection reader = lsem("?targetServerType=secondary", "standbyReadWait", "30s");
         Connection writer = lsem("")) {
      writer.setAutoCommit(false);
      for (int v = 100; v < 110; v++) {
        write(writer, v);
        writer.commit();
        assertEquals(v, read(reader), "every read sees the write before it");
      }
      assertEquals(standby().port(), servedBy(reader), "the standby served every read");
    }
  }

  @Test
  void aReadOnlyConnectionOnSeveralHostsGoesToAStandby() throws SQLException {
    try (Connection reader = lsem("?readOnly=true", "standbyReadWait", "300ms");
         Connection writer = lsem("")) {
      assertEquals(standby().port(), servedBy(reader), "pgjdbc's readOnly=true: a standby serves the reads");
      assertEquals(cluster.primary().port(), servedBy(writer), "without it: the primary");
      cluster.pauseReplay(standby());
      write(writer, 7_000);
      assertEquals(7_000, read(reader));
    }
  }

  @Test
  void aTokenFromElsewhereIsHonoured() throws SQLException {
    try (Connection reader = lsem("?targetServerType=secondary", "standbyReadWait", "300ms");
         Connection elsewhere = cluster.primary().connect();
         Statement s = elsewhere.createStatement()) {
      int before = read(reader);
      cluster.pauseReplay(standby());
      s.executeUpdate("UPDATE register SET v = " + (before + 1) + " WHERE id = 1");
      String token;
      try (ResultSet rs = s.executeQuery("SELECT pg_current_wal_insert_lsn()::text")) {
        rs.next();
        token = rs.getString(1);
      }
      reader.unwrap(LsemConnection.class).observeLsn(token);
      assertEquals(before + 1, read(reader));
      SQLException bad = assertThrows(SQLException.class, () -> reader.unwrap(LsemConnection.class).observeLsn("x"));
      assertEquals("22023", bad.getSQLState());
    }
  }
}
