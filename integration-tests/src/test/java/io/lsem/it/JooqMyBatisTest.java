package io.lsem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lsem.jdbc.LsemConnection;
import io.lsem.jdbc.error.UniqueViolationException;
import io.lsem.testkit.PostgresExtension;
import io.lsem.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.apache.ibatis.annotations.Insert;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;
import org.apache.ibatis.datasource.pooled.PooledDataSource;
import org.apache.ibatis.mapping.Environment;
import org.apache.ibatis.session.SqlSession;
import org.apache.ibatis.session.SqlSessionFactory;
import org.apache.ibatis.session.SqlSessionFactoryBuilder;
import org.apache.ibatis.transaction.jdbc.JdbcTransactionFactory;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * jOOQ and MyBatis, each given nothing but the {@code jdbc:lsem:} URL as an application would:
 * their statements, transactions and savepoints run through the driver (each committed row maps to
 * a ledger row, which only a transaction through LSEM JDBC writes), and a constraint violation
 * reaches them as the typed exception with pgjdbc's SQLSTATE.
 */
@ExtendWith(PostgresExtension.class)
class JooqMyBatisTest {
  private final TestDatabase db;

  JooqMyBatisTest(TestDatabase db) {
    this.db = db;
  }

  @Test
  void jooqRunsThroughTheDriver() throws SQLException {
    try (Connection c = DriverManager.getConnection(db.lsemUrl(), db.credentials())) {
      assertTrue(c.isWrapperFor(LsemConnection.class));
      DSLContext sql = DSL.using(c, SQLDialect.POSTGRES);
      sql.execute("CREATE TABLE jooq_item(id int PRIMARY KEY, name text NOT NULL)");
      sql.transaction(tx -> {
        DSLContext t = DSL.using(tx);
        t.insertInto(DSL.table("jooq_item"), DSL.field("id"), DSL.field("name")).values(1, "first").execute();
        try {
          t.transaction(nested -> { // a savepoint: rolled back, the outer insert stays
            DSL.using(nested).insertInto(DSL.table("jooq_item"), DSL.field("id"), DSL.field("name")).values(2, "second")
                .execute();
            throw new IllegalStateException("roll back to the savepoint");
          });
        } catch (IllegalStateException expected) {
          // the nested transaction is gone
        }
      });
      assertEquals(1, sql.fetchCount(DSL.table("jooq_item")));
      DataAccessException duplicate = assertThrows(DataAccessException.class,
          () -> sql.insertInto(DSL.table("jooq_item"), DSL.field("id"), DSL.field("name")).values(1, "again").execute());
      assertEquals("23505", duplicate.sqlState());
      assertInstanceOf(UniqueViolationException.class, duplicate.getCause());
    }
    assertEquals(1, recorded("jooq_item"), "the row jOOQ committed has a ledger row");
  }

  /** MyBatis's mapper for {@code mybatis_item}. */
  public interface ItemMapper {
    @Insert("INSERT INTO mybatis_item(id, name) VALUES (#{id}, #{name})")
    int insert(@Param("id") int id, @Param("name") String name);

    @Select("SELECT name FROM mybatis_item WHERE id = #{id}")
    String name(@Param("id") int id);
  }

  @Test
  void myBatisRunsThroughTheDriver() throws SQLException {
    try (Connection c = db.plain(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE mybatis_item(id int PRIMARY KEY, name text NOT NULL)");
    }
    PooledDataSource dataSource = new PooledDataSource("io.lsem.jdbc.LsemDriver", db.lsemUrl(), db.user(), db.password());
    org.apache.ibatis.session.Configuration configuration =
        new org.apache.ibatis.session.Configuration(new Environment("it", new JdbcTransactionFactory(), dataSource));
    configuration.addMapper(ItemMapper.class);
    SqlSessionFactory sessions = new SqlSessionFactoryBuilder().build(configuration);
    try (SqlSession session = sessions.openSession()) {
      assertTrue(session.getConnection().isWrapperFor(LsemConnection.class));
      ItemMapper items = session.getMapper(ItemMapper.class);
      assertEquals(1, items.insert(1, "first"));
      assertEquals(1, items.insert(2, "second"));
      session.commit();
      assertEquals("second", items.name(2));
      org.apache.ibatis.exceptions.PersistenceException duplicate = assertThrows(
          org.apache.ibatis.exceptions.PersistenceException.class, () -> items.insert(1, "again"));
      assertInstanceOf(UniqueViolationException.class, duplicate.getCause());
      session.rollback();
    } finally {
      dataSource.forceCloseAll();
    }
    assertEquals(2, recorded("mybatis_item"), "both rows MyBatis committed have ledger rows");
  }

  /** How many rows of {@code table} map through their xmin to a ledger row. */
  private int recorded(String table) throws SQLException {
    try (Connection c = db.plain(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table + " t WHERE EXISTS (SELECT 1 FROM lsem.commit_of(t.xmin))")) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
