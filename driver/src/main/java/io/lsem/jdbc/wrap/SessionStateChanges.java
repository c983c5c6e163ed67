package io.lsem.jdbc.wrap;

import io.lsem.jdbc.sql.SqlInfo;
import io.lsem.jdbc.sql.SqlStatement;
import io.lsem.jdbc.sql.StatementKind;

/**
 * Finds SQL that may have changed the session's settings or identity — {@code SET}, {@code RESET},
 * {@code SET ROLE}/{@code SESSION AUTHORIZATION}, {@code set_config(…)} — so that giving the
 * connection back to the pool checks the server's state (the proof) before lending it again. Only a
 * hint for when to check: a text that merely mentions one of them costs one round trip at give-back.
 */
final class SessionStateChanges {
  private SessionStateChanges() {}

  /** Whether {@code info} has a statement that may change session state the pool must check. */
  static boolean mayChange(SqlInfo info) {
    for (SqlStatement s : info.statements()) {
      StatementKind k = s.kind();
      if (k == StatementKind.SET_VARIABLE || k == StatementKind.RESET_VARIABLE
          || k == StatementKind.SET_SESSION_CHARACTERISTICS || k == StatementKind.SESSION) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether {@code sql} calls {@code set_config}: its variable may be a custom one the server's
   * {@code pg_settings} does not list, so no check can prove the session clean — the pool retires
   * the connection instead of lending it again.
   */
  static boolean callsSetConfig(String sql) {
    return containsIgnoreCase(sql, "set_config");
  }

  private static boolean containsIgnoreCase(String text, String word) {
    int last = text.length() - word.length();
    for (int i = 0; i <= last; i++) {
      if (text.regionMatches(true, i, word, 0, word.length())) {
        return true;
      }
    }
    return false;
  }
}
