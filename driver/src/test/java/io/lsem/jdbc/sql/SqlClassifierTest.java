package io.lsem.jdbc.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The classifier sees transaction control where PostgreSQL does and nowhere else: not inside
 * comments (nested too), string literals ({@code ''}, {@code E''} with backslashes, dollar
 * quotes), quoted identifiers; and it splits multi-statement text at the semicolons pgjdbc
 * splits at.
 */
class SqlClassifierTest {

  private static String kinds(String sql) {
    return SqlClassifier.classify(sql, true).statements().stream()
        .map(s -> s.kind().name()).collect(Collectors.joining(","));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "BEGIN | BEGIN",
      "begin work | BEGIN",
      "  Begin Transaction Isolation Level Serializable | BEGIN",
      "START TRANSACTION READ ONLY | BEGIN",
      "COMMIT | COMMIT",
      "end | COMMIT",
      "commit work and chain | COMMIT",
      "ROLLBACK | ROLLBACK",
      "abort transaction | ROLLBACK",
      "SAVEPOINT a | SAVEPOINT",
      "RELEASE SAVEPOINT a | RELEASE_SAVEPOINT",
      "release a | RELEASE_SAVEPOINT",
      "ROLLBACK TO SAVEPOINT a | ROLLBACK_TO_SAVEPOINT",
      "rollback work to a | ROLLBACK_TO_SAVEPOINT",
      "PREPARE TRANSACTION 'g1' | PREPARE_TRANSACTION",
      "COMMIT PREPARED 'g1' | COMMIT_PREPARED",
      "ROLLBACK PREPARED 'g1' | ROLLBACK_PREPARED",
      "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ | SET_TRANSACTION",
      "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY | SET_SESSION_CHARACTERISTICS",
      "set default_transaction_isolation = 'serializable' | SET_SESSION_CHARACTERISTICS",
      "set local default_transaction_isolation to 'serializable' | SESSION",
      "set transaction_isolation to 'repeatable read' | SET_TRANSACTION",
      "SET search_path TO public | SET_VARIABLE",
      "set session statement_timeout = 5 | SET_VARIABLE",
      "set local statement_timeout = 5 | SESSION",
      "RESET search_path | RESET_VARIABLE",
      "reset all | SET_SESSION_CHARACTERISTICS",
      "PREPARE q AS SELECT 1 | SESSION",
      "SELECT 1 | READ",
      "(select 1) union (select 2) | READ",
      "select * from t for update | WRITE",
      "select * from t for no key update | WRITE",
      "select 1 into newtable | WRITE",
      "with x as (select 1) select * from x | READ",
      "with x as (delete from t returning *) select * from x | WRITE",
      "values (1) | READ",
      "table t | READ",
      "show transaction_isolation | READ",
      "explain select 1 | READ",
      "explain analyze delete from t | WRITE",
      "insert into t values (1) | WRITE",
      "update t set a = 1 | WRITE",
      "copy t from stdin | COPY",
      "listen ch | SESSION",
      "do $$ begin commit; end $$ | ROUTINE",
      "{call f(?)} | WRITE",
      "call p() | ROUTINE",
  })
  void classifiesSingleStatements(String sql, String expected) {
    assertEquals(expected, kinds(sql));
  }

  @Test
  void isNotFooledByCommentsQuotesOrNesting() {
    String[][] cases = {
        {"/* COMMIT */ SELECT 1", "READ"},
        {"/* outer /* COMMIT; */ still comment; */ SELECT 1", "READ"},
        {"-- COMMIT\nSELECT 1", "READ"},
        {"SELECT 'COMMIT; BEGIN'", "READ"},
        {"SELECT 'it''s; COMMIT'", "READ"},
        {"SELECT E'\\'; COMMIT'", "READ"},
        {"SELECT $$; COMMIT; $$", "READ"},
        {"SELECT $tag$ $$; COMMIT; $tag$", "READ"},
        {"SELECT 1 AS \"COMMIT\"", "READ"},
        {"SELECT \"a;b\" FROM t", "READ"},
        {"SELECT 1; COMMIT", "READ,COMMIT"},
        {"COMMIT; BEGIN", "COMMIT,BEGIN"},
        {"insert into t values (1);; ; commit", "WRITE,COMMIT"},
        {"SELECT ';' ; ROLLBACK", "READ,ROLLBACK"},
        {"select f(';'); select 2", "READ,READ"},
        {"select (1; commit)", "READ"},
        {"CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END; COMMIT", "WRITE,COMMIT"},
        {"CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END", "WRITE"},
        {"create or replace procedure p(x int) language sql begin atomic"
            + " insert into t values (case when x > 0 then 1 else 2 end); end; begin", "WRITE,BEGIN"},
        {"create function f() returns int language sql begin atomic select 1; end; commit; begin",
            "WRITE,COMMIT,BEGIN"},
        {"create table begin_t(a int); begin; commit", "WRITE,BEGIN,COMMIT"},
        {"create or replace trigger tr after insert on t execute function f(); begin", "WRITE,BEGIN"},
        {"select 1 x$$ ; COMMIT", "READ,COMMIT"},
        {"select $1; commit", "READ,COMMIT"},
    };
    for (String[] c : cases) {
      assertEquals(c[1], kinds(c[0]), c[0]);
    }
  }

  @Test
  void backslashEscapesDependOnStandardConformingStrings() {
    String sql = "SELECT 'a\\'; COMMIT; SELECT ''";
    assertEquals(List.of(StatementKind.READ, StatementKind.COMMIT, StatementKind.READ),
        SqlClassifier.classify(sql, true).statements().stream().map(SqlStatement::kind).collect(Collectors.toList()));
    assertEquals(List.of(StatementKind.READ),
        SqlClassifier.classify(sql, false).statements().stream().map(SqlStatement::kind).collect(Collectors.toList()));
  }

  @Test
  void foldsSavepointNamesLikeTheServer() {
    assertEquals("abc", SqlClassifier.classify("SAVEPOINT AbC", true).statements().get(0).name());
    assertEquals("AbC", SqlClassifier.classify("SAVEPOINT \"AbC\"", true).statements().get(0).name());
    assertEquals("x\"y", SqlClassifier.classify("release \"x\"\"y\"", true).statements().get(0).name());
    assertEquals("g 1", SqlClassifier.classify("commit prepared 'g 1'", true).statements().get(0).name());
  }

  @Test
  void readsTransactionModes() {
    SqlStatement s = SqlClassifier.classify(
        "begin isolation level repeatable read, read only, not deferrable", true).statements().get(0);
    assertEquals(Isolation.REPEATABLE_READ, s.isolation());
    assertEquals(Boolean.TRUE, s.readOnly());
    s = SqlClassifier.classify("set session characteristics as transaction isolation level read committed read write",
        true).statements().get(0);
    assertEquals(Isolation.READ_COMMITTED, s.isolation());
    assertEquals(Boolean.FALSE, s.readOnly());
    assertEquals(Isolation.SERIALIZABLE,
        SqlClassifier.classify("set default_transaction_isolation = 'SERIALIZABLE'", true).statements().get(0).isolation());
  }

  @Test
  void readsChain() {
    assertTrue(SqlClassifier.classify("commit and chain", true).statements().get(0).chain());
    assertFalse(SqlClassifier.classify("commit and no chain", true).statements().get(0).chain());
    assertTrue(SqlClassifier.classify("rollback work and chain", true).statements().get(0).chain());
  }

  @Test
  void summarisesTheText() {
    assertTrue(SqlClassifier.classify("select 1; select 2", true).isReadOnly());
    assertFalse(SqlClassifier.classify("select 1; update t set a = 1", true).isReadOnly());
    assertFalse(SqlClassifier.classify("select 1; update t set a = 1", true).hasTransactionControl());
    assertTrue(SqlClassifier.classify("select 1; commit", true).hasTransactionControl());
    assertTrue(SqlClassifier.classify("  -- nothing\n ; ; ", true).statements().isEmpty());
  }

  @Test
  void cacheReturnsTheSameClassification() {
    SqlClassifierCache cache = new SqlClassifierCache(10);
    SqlInfo first = cache.classify("select 1; commit", true);
    assertTrue(first == cache.classify("select 1; commit", true));
    assertEquals(1, cache.classify("SELECT 'a\\'; COMMIT; SELECT ''", false).statements().size());
    SqlClassifierCache off = new SqlClassifierCache(0);
    assertEquals(2, off.classify("select 1; commit", true).statements().size());
  }
}
