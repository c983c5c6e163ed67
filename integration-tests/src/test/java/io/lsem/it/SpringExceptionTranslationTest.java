package io.lsem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.lsem.testkit.PostgresExtension;
import io.lsem.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.jdbc.BadSqlGrammarException;
import org.springframework.jdbc.UncategorizedSQLException;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * Issue 18: Spring's exception translation is the same through the driver as through plain
 * pgjdbc, case by case — the driver's typed exceptions must not move an error to another
 * {@link DataAccessException}. Each case runs the same failing work against both URLs and compares
 * the translated class, and names the class an application catches.
 */
@ExtendWith(PostgresExtension.class)
class SpringExceptionTranslationTest {
  private TestDatabase db;

  @BeforeEach
  void table(TestDatabase db) throws Exception {
    this.db = db;
    try (Connection c = db.plain(); Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS translated");
      s.execute("CREATE TABLE translated(id int PRIMARY KEY, v int NOT NULL)");
      s.execute("INSERT INTO translated VALUES (1, 1)");
    }
  }

  private interface Work {
    void run(Statement s) throws Exception;
  }

  private Class<?> translated(String url, Work work) {
    JdbcTemplate template = new JdbcTemplate(new DriverManagerDataSource(url, db.user(), db.password()));
    DataAccessException e = assertThrows(DataAccessException.class, () -> template.execute((ConnectionCallback<Void>) c -> {
      try (Statement s = c.createStatement()) {
        work.run(s);
      } catch (java.sql.SQLException sql) {
        throw sql;
      } catch (Exception other) {
        throw new IllegalStateException(other);
      }
      return null;
    }));
    return e.getClass();
  }

  private void same(Class<? extends DataAccessException> expected, Work work) {
    Class<?> plain = translated(db.plainUrl(), work);
    Class<?> lsem = translated(db.lsemUrl(), work);
    assertEquals(plain, lsem, "the driver translates to another class than pgjdbc");
    assertEquals(expected, plain);
  }

  @Test
  void duplicateKey() {
    same(DuplicateKeyException.class, s -> s.executeUpdate("INSERT INTO translated VALUES (1, 2)"));
  }

  @Test
  void notNullViolation() {
    same(DataIntegrityViolationException.class, s -> s.executeUpdate("INSERT INTO translated VALUES (2, NULL)"));
  }

  @Test
  void badGrammar() {
    same(BadSqlGrammarException.class, s -> s.executeQuery("SELECT nosuchcolumn FROM translated"));
  }

  /** 55P03: Spring's PostgreSQL error codes do not list it, so plain pgjdbc's ends uncategorized too. */
  @Test
  void lockNotAvailable() throws Exception {
    try (Connection holder = db.plain(); Statement h = holder.createStatement()) {
      holder.setAutoCommit(false);
      h.executeQuery("SELECT * FROM translated WHERE id = 1 FOR UPDATE").close();
      same(UncategorizedSQLException.class, s -> s.executeQuery("SELECT * FROM translated WHERE id = 1 FOR UPDATE NOWAIT"));
      holder.rollback();
    }
  }

  @Test
  void queryTimeout() {
    same(QueryTimeoutException.class, s -> {
      s.setQueryTimeout(1);
      s.executeQuery("SELECT pg_catalog.pg_sleep(30)");
    });
  }
}
