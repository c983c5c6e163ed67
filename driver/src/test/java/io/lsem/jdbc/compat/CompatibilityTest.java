package io.lsem.jdbc.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lsem.jdbc.LsemConnection;
import io.lsem.testkit.PostgresExtension;
import io.lsem.testkit.TestDatabase;
import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.sql.Array;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.postgresql.copy.CopyManager;
import org.postgresql.core.BaseConnection;
import org.postgresql.largeobject.LargeObject;
import org.postgresql.largeobject.LargeObjectManager;
import org.postgresql.util.PGobject;

/**
 * The same JDBC scenarios through {@code jdbc:postgresql:} and {@code jdbc:lsem:postgresql:},
 * with identical results required: every common type through setters and getters, batches,
 * generated keys, a cursor read with a fetch size inside a transaction, COPY in and out,
 * LISTEN/NOTIFY, large objects, savepoints, DatabaseMetaData, a CallableStatement with OUT
 * parameters. Each scenario renders what it saw as text; the two texts must be equal. Every
 * scenario runs in three modes: the driver's defaults, {@code retry=false&timestamps=off}, and
 * {@code preferQueryMode=simple} (on both URLs).
 */
@ExtendWith(PostgresExtension.class)
class CompatibilityTest {
  private static TestDatabase db;

  /** One scenario: what it saw through {@code c}, as text. */
  @FunctionalInterface
  interface Scenario {
    String run(Connection c) throws Exception;
  }

  @BeforeAll
  static void schema(TestDatabase database) throws SQLException {
    db = database;
    try (Connection c = db.plain(); Statement s = c.createStatement()) {
      s.execute("CREATE FUNCTION add_one(INOUT x int, OUT doubled int) LANGUAGE plpgsql AS"
          + " $$ BEGIN x := x + 1; doubled := x * 2; END $$");
    }
  }

  static Stream<org.junit.jupiter.params.provider.Arguments> scenarios() {
    return Stream.of(
        scenario("types through setters and getters", CompatibilityTest::types),
        scenario("batches and generated keys", CompatibilityTest::batchesAndKeys),
        scenario("cursor with fetch size in a transaction", CompatibilityTest::cursor),
        scenario("COPY in and out", CompatibilityTest::copy),
        scenario("LISTEN/NOTIFY", CompatibilityTest::notifications),
        scenario("large objects", CompatibilityTest::largeObjects),
        scenario("savepoints", CompatibilityTest::savepoints),
        scenario("DatabaseMetaData", CompatibilityTest::metaData),
        scenario("CallableStatement with OUT parameters", CompatibilityTest::callable));
  }

  private static org.junit.jupiter.params.provider.Arguments scenario(String name, Scenario s) {
    return org.junit.jupiter.params.provider.Arguments.of(name, s);
  }

  /** Each scenario in three modes: the driver's defaults; retry and timestamps off; simple query mode. */
  static Stream<org.junit.jupiter.params.provider.Arguments> scenariosInModes() {
    return scenarios().flatMap(a -> Stream.of("", "retry=false&timestamps=off", "preferQueryMode=simple")
        .map(mode -> org.junit.jupiter.params.provider.Arguments.of(a.get()[0] + (mode.isEmpty() ? "" : " [" + mode + "]"),
            mode, a.get()[1])));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenariosInModes")
  void sameResultsThroughBothDrivers(String name, String mode, Scenario scenario) throws Exception {
    String plain;
    String lsem;
    String plainUrl = db.plainUrl() + (mode.startsWith("preferQueryMode") ? "?" + mode : "");
    String lsemUrl = db.lsemUrl() + (mode.isEmpty() ? "" : "?" + mode);
    try (Connection c = DriverManager.getConnection(plainUrl, db.credentials())) {
      assertFalse(c.isWrapperFor(LsemConnection.class));
      plain = outcome(scenario, c);
    }
    try (Connection c = DriverManager.getConnection(lsemUrl, db.credentials())) {
      assertTrue(c.isWrapperFor(LsemConnection.class));
      lsem = outcome(scenario, c);
    }
    assertEquals(plain, lsem, name);
    assertFalse(plain.isEmpty(), "the scenario saw something");
  }

  /** What the scenario saw, or the SQLSTATE it failed with (pgjdbc has no OUT parameters in simple mode). */
  private static String outcome(Scenario scenario, Connection c) throws Exception {
    try {
      return scenario.run(c);
    } catch (SQLException e) {
      return "failed with SQLSTATE " + e.getSQLState();
    }
  }

  private static void exec(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static String rows(ResultSet rs) throws SQLException {
    StringBuilder sb = new StringBuilder();
    ResultSetMetaData md = rs.getMetaData();
    while (rs.next()) {
      for (int i = 1; i <= md.getColumnCount(); i++) {
        sb.append(md.getColumnLabel(i)).append('=').append(rs.getString(i)).append(i < md.getColumnCount() ? ", " : "\n");
      }
    }
    return sb.toString();
  }

  // ---- scenarios ------------------------------------------------------------------------------------

  static String types(Connection c) throws Exception {
    exec(c, "DROP TABLE IF EXISTS compat_types");
    exec(c, "CREATE TABLE compat_types(i int, l bigint, s smallint, n numeric(12,3), d double precision, b boolean,"
        + " t text, y bytea, dt date, ts timestamp, tz timestamptz, u uuid, a int[], j jsonb, nul text)");
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO compat_types VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
      ps.setInt(1, 42);
      ps.setLong(2, 1L << 40);
      ps.setShort(3, (short) 7);
      ps.setBigDecimal(4, new BigDecimal("12345.678"));
      ps.setDouble(5, 0.1);
      ps.setBoolean(6, true);
      ps.setString(7, "zürich \"quoted\"");
      ps.setBytes(8, new byte[] {0, 1, (byte) 255});
      ps.setObject(9, LocalDate.of(2026, 11, 24));
      ps.setObject(10, LocalDateTime.of(2026, 11, 24, 15, 30, 1, 123_456_000));
      ps.setObject(11, OffsetDateTime.of(2026, 11, 24, 15, 30, 1, 0, ZoneOffset.ofHours(2)));
      ps.setObject(12, UUID.fromString("123e4567-e89b-12d3-a456-426614174000"));
      Array array = c.createArrayOf("int4", new Integer[] {1, 2, 3});
      ps.setArray(13, array);
      PGobject json = new PGobject();
      json.setType("jsonb");
      json.setValue("{\"a\": [1, 2]}");
      ps.setObject(14, json);
      ps.setNull(15, Types.VARCHAR);
      assertEquals(1, ps.executeUpdate());
    }
    StringBuilder sb = new StringBuilder();
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM compat_types")) {
      rs.next();
      sb.append(rs.getInt(1)).append('|').append(rs.getLong(2)).append('|').append(rs.getShort(3)).append('|')
          .append(rs.getBigDecimal(4)).append('|').append(rs.getDouble(5)).append('|').append(rs.getBoolean(6))
          .append('|').append(rs.getString(7)).append('|').append(Arrays.toString(rs.getBytes(8))).append('|')
          .append(rs.getObject(9, LocalDate.class)).append('|').append(rs.getObject(10, LocalDateTime.class))
          .append('|').append(rs.getObject(11, OffsetDateTime.class).toInstant()).append('|')
          .append(rs.getObject(12, UUID.class)).append('|')
          .append(Arrays.toString((Integer[]) rs.getArray(13).getArray())).append('|')
          .append(((PGobject) rs.getObject(14)).getValue()).append('|').append(rs.getString(15)).append('|')
          .append(rs.wasNull());
    }
    return sb.toString();
  }

  static String batchesAndKeys(Connection c) throws Exception {
    exec(c, "DROP TABLE IF EXISTS compat_batch");
    exec(c, "CREATE TABLE compat_batch(id serial PRIMARY KEY, v text)");
    StringBuilder sb = new StringBuilder();
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO compat_batch(v) VALUES (?)")) {
      for (String v : List.of("a", "b", "c")) {
        ps.setString(1, v);
        ps.addBatch();
      }
      sb.append(Arrays.toString(ps.executeBatch())).append('\n');
    }
    try (Statement s = c.createStatement()) {
      s.addBatch("INSERT INTO compat_batch(v) VALUES ('d')");
      s.addBatch("UPDATE compat_batch SET v = v || '!' WHERE v IN ('a', 'b')");
      sb.append(Arrays.toString(s.executeBatch())).append('\n');
    }
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO compat_batch(v) VALUES (?)", Statement.RETURN_GENERATED_KEYS)) {
      ps.setString(1, "e");
      ps.executeUpdate();
      try (ResultSet keys = ps.getGeneratedKeys()) {
        sb.append(rows(keys));
      }
    }
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM compat_batch ORDER BY id")) {
      sb.append(rows(rs));
    }
    return sb.toString();
  }

  static String cursor(Connection c) throws Exception {
    c.setAutoCommit(false);
    StringBuilder sb = new StringBuilder();
    try (PreparedStatement ps = c.prepareStatement("SELECT g, g * g FROM generate_series(1, 50) g ORDER BY g")) {
      ps.setFetchSize(7);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          sb.append(rs.getInt(1)).append(':').append(rs.getLong(2)).append(' ');
        }
      }
    }
    c.commit();
    c.setAutoCommit(true);
    return sb.toString();
  }

  static String copy(Connection c) throws Exception {
    exec(c, "DROP TABLE IF EXISTS compat_copy");
    exec(c, "CREATE TABLE compat_copy(id int, v text)");
    CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
    long in = copy.copyIn("COPY compat_copy FROM STDIN", new StringReader("1\tone\n2\ttwo\n3\t\\N\n"));
    StringWriter out = new StringWriter();
    long outRows = new CopyManager((BaseConnection) c).copyOut("COPY (SELECT * FROM compat_copy ORDER BY id) TO STDOUT", out);
    return in + " in, " + outRows + " out:\n" + out;
  }

  static String notifications(Connection c) throws Exception {
    exec(c, "LISTEN compat_channel");
    exec(c, "NOTIFY compat_channel, 'hello'");
    exec(c, "SELECT pg_notify('compat_channel', 'world')");
    List<String> seen = new ArrayList<>();
    PGNotification[] ns = c.unwrap(PGConnection.class).getNotifications(5000);
    for (PGNotification n : ns == null ? new PGNotification[0] : ns) {
      seen.add(n.getName() + ":" + n.getParameter());
    }
    exec(c, "UNLISTEN compat_channel");
    assertEquals(List.of("compat_channel:hello", "compat_channel:world"), seen);
    return seen.toString();
  }

  static String largeObjects(Connection c) throws Exception {
    c.setAutoCommit(false);
    LargeObjectManager lom = ((PGConnection) c).getLargeObjectAPI();
    long oid = lom.createLO(LargeObjectManager.READWRITE);
    String read;
    try (LargeObject lo = lom.open(oid, LargeObjectManager.READWRITE)) {
      lo.write("large object content".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      lo.seek(6);
      read = new String(lo.read(6), java.nio.charset.StandardCharsets.UTF_8);
    }
    lom.delete(oid);
    c.commit();
    c.setAutoCommit(true);
    return read;
  }

  static String savepoints(Connection c) throws Exception {
    exec(c, "DROP TABLE IF EXISTS compat_sp");
    exec(c, "CREATE TABLE compat_sp(v int)");
    c.setAutoCommit(false);
    exec(c, "INSERT INTO compat_sp VALUES (1)");
    Savepoint a = c.setSavepoint();
    exec(c, "INSERT INTO compat_sp VALUES (2)");
    Savepoint b = c.setSavepoint("named");
    exec(c, "INSERT INTO compat_sp VALUES (3)");
    c.rollback(b);
    exec(c, "INSERT INTO compat_sp VALUES (4)");
    c.releaseSavepoint(a);
    c.commit();
    c.setAutoCommit(true);
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT v FROM compat_sp ORDER BY v")) {
      return rows(rs) + b.getSavepointName();
    }
  }

  static String metaData(Connection c) throws Exception {
    exec(c, "DROP TABLE IF EXISTS compat_meta");
    exec(c, "CREATE TABLE compat_meta(id int PRIMARY KEY, name text NOT NULL, price numeric(8,2))");
    DatabaseMetaData md = c.getMetaData();
    StringBuilder sb = new StringBuilder(md.getDatabaseProductName()).append(' ').append(md.getDatabaseMajorVersion())
        .append(' ').append(md.getUserName()).append('\n');
    try (ResultSet rs = md.getTables(null, "public", "compat_meta", new String[] {"TABLE"})) {
      while (rs.next()) {
        sb.append(rs.getString("TABLE_NAME")).append(' ').append(rs.getString("TABLE_TYPE")).append('\n');
      }
    }
    try (ResultSet rs = md.getColumns(null, "public", "compat_meta", null)) {
      while (rs.next()) {
        sb.append(rs.getString("COLUMN_NAME")).append(' ').append(rs.getString("TYPE_NAME")).append(' ')
            .append(rs.getInt("NULLABLE")).append('\n');
      }
    }
    try (ResultSet rs = md.getPrimaryKeys(null, "public", "compat_meta")) {
      while (rs.next()) {
        sb.append("pk ").append(rs.getString("COLUMN_NAME")).append('\n');
      }
    }
    return sb.toString();
  }

  static String callable(Connection c) throws Exception {
    try (CallableStatement cs = c.prepareCall("{call add_one(?, ?)}")) {
      cs.setInt(1, 20);
      cs.registerOutParameter(1, Types.INTEGER);
      cs.registerOutParameter(2, Types.INTEGER);
      cs.execute();
      return cs.getInt(1) + " " + cs.getInt(2);
    }
  }
}
