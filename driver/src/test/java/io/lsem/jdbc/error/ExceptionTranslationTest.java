package io.lsem.jdbc.error;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lsem.testkit.PostgresExtension;
import io.lsem.testkit.TestDatabase;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLDataException;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLInvalidAuthorizationSpecException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLNonTransientException;
import java.sql.SQLSyntaxErrorException;
import java.sql.SQLTransientConnectionException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Properties;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.function.Executable;
import org.postgresql.util.PSQLException;

/**
 * Each condition is provoked for real on the server; the test asserts the exact typed class, its
 * JDBC 4 parent, the SQLSTATE, the fields the server sent, that the original PSQLException is
 * the cause (no double wrapping), and that the stack trace still shows the caller.
 */
@ExtendWith(PostgresExtension.class)
class ExceptionTranslationTest {

  @BeforeAll
  static void schema(TestDatabase db) throws SQLException {
    try (Connection c = db.plain(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE parent(id int CONSTRAINT parent_pk PRIMARY KEY)");
      s.execute("CREATE TABLE child(id int PRIMARY KEY, parent_id int CONSTRAINT child_parent_fk REFERENCES parent(id),"
          + " qty int NOT NULL CONSTRAINT qty_positive CHECK (qty > 0), code varchar(3))");
      s.execute("CREATE TABLE booking(id int, during int4range, CONSTRAINT no_overlap EXCLUDE USING gist (during WITH &&))");
      s.execute("CREATE DOMAIN posint AS int CONSTRAINT posint_check CHECK (VALUE > 0)");
      s.execute("CREATE TABLE d(v posint)");
      s.execute("CREATE TABLE deferred_child(id int, parent_id int CONSTRAINT deferred_fk REFERENCES parent(id)"
          + " DEFERRABLE INITIALLY DEFERRED)");
      s.execute("CREATE FUNCTION fail_with_hint() RETURNS int LANGUAGE plpgsql AS "
          + "$$ BEGIN RAISE EXCEPTION 'custom failure' USING HINT = 'try again later'; END $$");
      s.execute("INSERT INTO parent VALUES (1)");
      s.execute("DROP ROLE IF EXISTS lsem_nopriv");
      s.execute("CREATE ROLE lsem_nopriv LOGIN");
      s.execute("DROP ROLE IF EXISTS lsem_onlyone");
      s.execute("CREATE ROLE lsem_onlyone LOGIN CONNECTION LIMIT 1");
    }
  }

  private static <T extends SQLException> T expect(Class<T> type, String sqlState, Executable action) {
    T e = assertThrows(type, action);
    assertEquals(type, e.getClass(), "exact class");
    assertEquals(sqlState, e.getSQLState());
    assertInstanceOf(PostgresError.class, e);
    assertInstanceOf(PSQLException.class, e.getCause(), "the original is the cause");
    assertFalse(e.getCause() instanceof PostgresError, "no double wrapping");
    assertTrue(Arrays.stream(e.getStackTrace()).anyMatch(f -> f.getClassName().equals(ExceptionTranslationTest.class.getName())),
        "the stack trace shows the caller");
    return e;
  }

  private static Executable sql(Connection c, String sql) {
    return () -> {
      try (Statement s = c.createStatement()) {
        s.execute(sql);
      }
    };
  }

  @Test
  void integrityViolationsCarryConstraintTableAndColumn(TestDatabase db) throws SQLException {
    try (Connection c = db.lsem()) {
      UniqueViolationException u = expect(UniqueViolationException.class, "23505", sql(c, "INSERT INTO parent VALUES (1)"));
      assertInstanceOf(SQLIntegrityConstraintViolationException.class, u);
      assertEquals("parent_pk", u.constraint());
      assertEquals("parent", u.table());
      assertEquals("public", u.schema());
      assertTrue(u.detail().contains("(id)=(1)"), u.detail());
      assertNotNull(u.routine());
      assertFalse(u.isRetryable());
      assertTrue(u.getMessage().contains("parent_pk"), "pgjdbc's message is kept");

      ForeignKeyViolationException fk = expect(ForeignKeyViolationException.class, "23503",
          sql(c, "INSERT INTO child VALUES (1, 99, 1, 'a')"));
      assertEquals("child_parent_fk", fk.constraint());
      assertEquals("child", fk.table());

      NotNullViolationException nn = expect(NotNullViolationException.class, "23502",
          sql(c, "INSERT INTO child VALUES (2, 1, NULL, 'a')"));
      assertEquals("qty", nn.column());

      CheckViolationException ck = expect(CheckViolationException.class, "23514",
          sql(c, "INSERT INTO child VALUES (3, 1, -5, 'a')"));
      assertEquals("qty_positive", ck.constraint());

      CheckViolationException dom = expect(CheckViolationException.class, "23514", sql(c, "INSERT INTO d VALUES (-1)"));
      assertEquals("posint", dom.dataType());
      assertEquals("posint_check", dom.constraint());

      ExclusionViolationException ex = expect(ExclusionViolationException.class, "23P01", () -> {
        try (Statement s = c.createStatement()) {
          s.execute("INSERT INTO booking VALUES (1, '[1,5)')");
          s.execute("INSERT INTO booking VALUES (2, '[3,8)')");
        }
      });
      assertEquals("no_overlap", ex.constraint());
    }
  }

  @Test
  void dataErrors(TestDatabase db) throws SQLException {
    try (Connection c = db.lsem()) {
      assertInstanceOf(SQLDataException.class, expect(DivisionByZeroException.class, "22012", sql(c, "SELECT 1/0")));
      expect(InvalidTextRepresentationException.class, "22P02", sql(c, "SELECT 'abc'::int"));
      expect(NumericOutOfRangeException.class, "22003", sql(c, "SELECT 2147483647 + 1"));
      expect(StringTooLongException.class, "22001", sql(c, "INSERT INTO child VALUES (9, 1, 1, 'abcdef')"));
      expect(DataException.class, "22007", sql(c, "SELECT 'not a date'::date"));
    }
  }

  @Test
  void syntaxAndUndefinedObjectsPointIntoTheStatement(TestDatabase db) throws SQLException {
    try (Connection c = db.lsem()) {
      SyntaxErrorException syntax = expect(SyntaxErrorException.class, "42601", sql(c, "SELEC 1"));
      assertInstanceOf(SQLSyntaxErrorException.class, syntax);
      assertEquals(1, syntax.position());
      UndefinedTableException table = expect(UndefinedTableException.class, "42P01", sql(c, "SELECT * FROM nowhere"));
      assertEquals(15, table.position());
      expect(UndefinedColumnException.class, "42703", sql(c, "SELECT nocolumn FROM parent"));
      NonTransientException raised = expect(NonTransientException.class, "P0001", sql(c, "SELECT fail_with_hint()"));
      assertEquals("try again later", raised.hint());
      assertEquals("custom failure", raised.serverMessage());
      assertTrue(raised.where().contains("fail_with_hint"), raised.where());
    }
  }

  @Test
  void privilegesAndAuthorization(TestDatabase db) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", "lsem_nopriv");
    try (Connection c = DriverManager.getConnection(db.lsemUrl(), p)) {
      expect(InsufficientPrivilegeException.class, "42501", sql(c, "SELECT * FROM parent"));
    }
    Properties unknown = new Properties();
    unknown.setProperty("user", "no_such_role");
    SQLException auth = assertThrows(SQLException.class, () -> DriverManager.getConnection(db.lsemUrl(), unknown));
    assertInstanceOf(SQLInvalidAuthorizationSpecException.class, auth, "on the connect path too");
    assertEquals("28000", auth.getSQLState());

    Properties one = new Properties();
    one.setProperty("user", "lsem_onlyone");
    try (Connection first = DriverManager.getConnection(db.lsemUrl(), one)) {
      TooManyConnectionsException tooMany = assertThrows(TooManyConnectionsException.class,
          () -> DriverManager.getConnection(db.lsemUrl(), one));
      assertInstanceOf(SQLTransientConnectionException.class, tooMany);
      assertTrue(tooMany.isRetryable());
      assertFalse(first.isClosed());
    }
  }

  @Test
  void failedTransactionFeatureNotSupportedAndClosedConnection(TestDatabase db) throws SQLException {
    Connection c = db.lsem();
    c.setAutoCommit(false);
    assertThrows(DivisionByZeroException.class, sql(c, "SELECT 1/0"));
    InFailedTransactionException failed = expect(InFailedTransactionException.class, "25P02", sql(c, "SELECT 1"));
    assertInstanceOf(SQLNonTransientException.class, failed);
    c.rollback();
    FeatureNotSupportedException fns = expect(FeatureNotSupportedException.class, "0A000",
        sql(c, "SELECT count(*) FROM parent FOR UPDATE"));
    assertInstanceOf(SQLFeatureNotSupportedException.class, fns);
    c.rollback();
    c.close();
    ConnectionClosedException closed = expect(ConnectionClosedException.class, "08003", c::createStatement);
    assertInstanceOf(SQLNonTransientConnectionException.class, closed);
  }

  @Test
  void everyPathTranslates(TestDatabase db) throws SQLException {
    try (Connection c = db.lsem()) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 'abc'")) {
        rs.next();
        assertInstanceOf(PostgresError.class, assertThrows(SQLException.class, () -> rs.getInt(1)), "result set getters");
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO deferred_child VALUES (1, 42)")) {
        ps.executeUpdate();
      }
      ForeignKeyViolationException atCommit = expect(ForeignKeyViolationException.class, "23503", c::commit);
      assertEquals("deferred_fk", atCommit.constraint());
      Savepoint sp = c.setSavepoint();
      c.releaseSavepoint(sp);
      assertInstanceOf(PostgresError.class, assertThrows(SQLException.class, () -> c.releaseSavepoint(sp)),
          "savepoints");
      c.rollback();
      try (PreparedStatement ps = c.prepareStatement("SELECT 1/?")) {
        ps.setInt(1, 0);
        expect(DivisionByZeroException.class, "22012", ps::executeQuery);
      }
      c.rollback();
    }
  }

  @Test
  void batchUpdateExceptionKeepsCountsWithTypedChain(TestDatabase db) throws SQLException {
    try (Connection c = db.lsem(); PreparedStatement ps = c.prepareStatement("INSERT INTO parent VALUES (?)")) {
      for (int id : new int[] {100, 101, 1, 102}) {
        ps.setInt(1, id);
        ps.addBatch();
      }
      BatchUpdateException b = assertThrows(BatchUpdateException.class, ps::executeBatch);
      assertEquals(BatchUpdateException.class, b.getClass());
      assertEquals("23505", b.getSQLState());
      assertEquals(4, b.getUpdateCounts().length);
      assertEquals(Statement.EXECUTE_FAILED, b.getUpdateCounts()[2]);
      assertInstanceOf(UniqueViolationException.class, b.getNextException());
      assertSame(b.getNextException(), b.getCause());
      assertInstanceOf(PSQLException.class, b.getNextException().getCause());
    }
  }

  @Test
  void translationCanBeSwitchedOff(TestDatabase db) throws SQLException {
    Properties p = new Properties();
    p.setProperty("typedExceptions", "false");
    try (Connection c = db.lsem(p)) {
      SQLException e = assertThrows(SQLException.class, sql(c, "INSERT INTO parent VALUES (1)"));
      assertEquals(PSQLException.class, e.getClass());
      assertEquals("23505", e.getSQLState());
    }
  }
}
