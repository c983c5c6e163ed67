package io.lsem.jdbc.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The session effects found in SQL text: one family per row (see docs/non-replayable.md). */
class SessionEffectsTest {
  private static SessionEffects fx(String sql) {
    return SqlClassifier.classify(sql, true).effects();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "SELECT pg_advisory_lock(77)|true|true",
      "SELECT pg_try_advisory_lock_shared(1, 2)|true|true",
      "select PG_ADVISORY_UNLOCK(77)|true|true",
      "SELECT pg_advisory_unlock_all()|true|true",
      "SELECT setval('s', 10)|true|false",
      "SELECT * FROM dblink('host=x', 'SELECT 1') AS t(a int)|true|false",
      "SELECT dblink_connect('c', 'host=x')|true|true",
      "SELECT pg_terminate_backend(123)|true|false",
      "PREPARE p(int) AS SELECT $1|true|true",
      "CREATE TEMP TABLE t(a int)|false|true",
      "create local temporary table t(a int)|false|true",
      "CREATE TABLE pg_temp.t(a int)|false|true",
      "SELECT 1 AS a INTO TEMP t|false|true",
      "LISTEN ch|false|true",
      "DECLARE c CURSOR WITH HOLD FOR SELECT 1|false|true",
      "SET ROLE alice|false|true",
      "SET SESSION AUTHORIZATION alice|false|true",
  })
  void eachFamilyIsFound(String sql, boolean notReplayable, boolean bound) {
    SessionEffects fx = fx(sql);
    assertEquals(notReplayable, fx.notReplayable() != null, sql + " -> " + fx);
    assertEquals(bound, fx.sessionBound() != null, sql + " -> " + fx);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "SELECT pg_advisory_xact_lock(77)", "SELECT nextval('s')", "SELECT pg_notify('ch', 'x')", "NOTIFY ch",
      "SET LOCAL statement_timeout = 0", "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE",
      "SELECT set_config('app.tenant', '7', true)", "DECLARE c CURSOR FOR SELECT 1", "PREPARE TRANSACTION 'g'",
      "SELECT 'pg_advisory_lock(1)'", "-- pg_advisory_lock(1)\nSELECT 1", "CREATE TABLE temp(a int)",
      "INSERT INTO temp VALUES (1)",
  })
  void replayableStatementsAreLeftAlone(String sql) {
    SessionEffects fx = fx(sql);
    assertNull(fx.notReplayable(), sql);
    assertNull(fx.sessionBound(), sql);
    assertFalse(fx.sessionSet(), sql);
  }

  @ParameterizedTest
  @ValueSource(strings = {"SET application_name = 'a'", "RESET search_path", "SET SESSION work_mem = '1MB'",
      "SELECT set_config('search_path', 'x', false)"})
  void sessionSetsAreFound(String sql) {
    assertTrue(fx(sql).sessionSet(), sql);
  }

  @ParameterizedTest
  @ValueSource(strings = {"SET client_encoding = 'LATIN1'", "SET DateStyle = 'German'", "SET NAMES 'LATIN1'",
      "SELECT set_config('client_encoding', 'LATIN1', false)"})
  void disconnectsPgjdbcForcesAreFound(String sql) {
    assertTrue(fx(sql).forcesDisconnect(), sql);
  }

  @org.junit.jupiter.api.Test
  void aMultiStatementTextKeepsTheFirstReason() {
    SessionEffects fx = fx("CREATE TEMP TABLE t(a int); SELECT 1; SELECT pg_advisory_lock(1)");
    assertNotNull(fx.notReplayable());
    assertTrue(fx.sessionBound().contains("temporary"), fx.sessionBound());
  }
}
