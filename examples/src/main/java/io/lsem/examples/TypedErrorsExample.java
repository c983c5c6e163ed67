package io.lsem.examples;

import io.lsem.jdbc.LsemConnection;
import io.lsem.jdbc.error.PostgresError;
import io.lsem.jdbc.error.ReplayMismatchException;
import io.lsem.jdbc.error.SerializationFailureException;
import io.lsem.jdbc.error.UniqueViolationException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLTransactionRollbackException;
import java.sql.Statement;

/**
 * The typed exceptions an application gets, each also the standard JDBC 4 class frameworks
 * already understand: a duplicate key ({@code UniqueViolationException}, a
 * {@code SQLIntegrityConstraintViolationException}, with the constraint's name); a conflict with
 * retry turned off for the transaction ({@code SerializationFailureException}, a
 * {@code SQLTransactionRollbackException}); and a conflict the driver could not hide because the
 * transaction had read {@code random()}, which differs on the replay ({@code ReplayMismatchException}
 * with what the application saw and what the replay saw).
 *
 * <p>Run with {@code mvn -B -q -pl examples -am -DskipTests package exec:java
 * -Dexec.mainClass=io.lsem.examples.TypedErrorsExample}.
 */
public final class TypedErrorsExample {
  private TypedErrorsExample() {}

  public static void main(String[] args) throws Exception {
    try (ExampleServer server = ExampleServer.start();
        Connection c = DriverManager.getConnection(server.lsemUrl(), server.credentials());
        Connection other = DriverManager.getConnection(server.lsemUrl(), server.credentials())) {
      try (Statement s = c.createStatement()) {
        s.execute("CREATE TABLE account(id int CONSTRAINT account_pk PRIMARY KEY, balance bigint NOT NULL)");
        s.execute("INSERT INTO account VALUES (1, 100), (2, 100)");
      }
      duplicateKey(c);
      conflictWithRetryOff(c, other);
      conflictAfterReadingRandom(c, other);
    }
  }

  private static void duplicateKey(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.executeUpdate("INSERT INTO account VALUES (1, 0)");
      throw new IllegalStateException("the duplicate key was accepted");
    } catch (UniqueViolationException e) {
      show("duplicate key", e);
      System.out.println("  a SQLIntegrityConstraintViolationException: "
          + (e instanceof SQLIntegrityConstraintViolationException) + ", constraint " + e.constraint());
    }
  }

  /** Two SERIALIZABLE transactions update one row; the second, with retry off, gets the conflict. */
  private static void conflictWithRetryOff(Connection c, Connection other) throws SQLException {
    serializable(c);
    c.unwrap(LsemConnection.class).disableRetryForTransaction();
    try {
      balance(c, 1); // the snapshot is taken here
      bump(other, 1); // another transaction changes the row and commits
      try (Statement s = c.createStatement()) {
        s.executeUpdate("UPDATE account SET balance = balance - 10 WHERE id = 1");
      }
      throw new IllegalStateException("no conflict");
    } catch (SerializationFailureException e) {
      c.rollback();
      show("conflict, retry off for the transaction", e);
      System.out.println("  a SQLTransactionRollbackException: " + (e instanceof SQLTransactionRollbackException)
          + ", retryable: " + e.isRetryable());
    }
  }

  /**
   * The same conflict with retry on: the driver replays the transaction, but the transaction had
   * read {@code random()}, and the replay reads another value, so the driver cannot prove the
   * application would see the same results and says so instead of continuing.
   */
  private static void conflictAfterReadingRandom(Connection c, Connection other) throws SQLException {
    serializable(c);
    try {
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT random()")) {
        rs.next();
        System.out.println("\nthe transaction read random() = " + rs.getDouble(1));
      }
      balance(c, 2);
      bump(other, 2);
      try (Statement s = c.createStatement()) {
        s.executeUpdate("UPDATE account SET balance = balance - 10 WHERE id = 2");
      }
      throw new IllegalStateException("the replay was not refused");
    } catch (ReplayMismatchException e) {
      show("conflict, replay refused", e);
      System.out.println("  the application saw " + e.originalResult() + ", the replay saw " + e.replayedResult());
    } finally {
      c.rollback();
      System.out.println("\nretries of this connection: " + c.unwrap(LsemConnection.class).retryStats());
    }
  }

  private static void serializable(Connection c) throws SQLException {
    c.setAutoCommit(false);
    c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
  }

  private static long balance(Connection c, int id) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT balance FROM account WHERE id = " + id)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static void bump(Connection other, int id) throws SQLException {
    try (Statement s = other.createStatement()) {
      s.executeUpdate("UPDATE account SET balance = balance + 10 WHERE id = " + id);
    }
  }

  private static void show(String what, SQLException e) {
    System.out.println("\n" + what + ": " + e.getClass().getSimpleName() + " (SQLSTATE " + e.getSQLState() + ")");
    System.out.println("  " + e.getMessage().lines().findFirst().orElse(""));
    if (e instanceof PostgresError p && p.detail() != null) {
      System.out.println("  detail: " + p.detail());
    }
  }
}
