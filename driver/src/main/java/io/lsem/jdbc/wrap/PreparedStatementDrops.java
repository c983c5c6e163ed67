package io.lsem.jdbc.wrap;

import io.lsem.jdbc.sql.SqlInfo;
import io.lsem.jdbc.sql.SqlStatement;
import io.lsem.jdbc.sql.StatementKind;

/**
 * Finds {@code DEALLOCATE} and {@code DISCARD ALL} in the application's SQL: they drop the
 * server-side prepared statements of the session, the driver's own among them (the COMMIT message,
 * the statements that carry BEGIN values). pgjdbc re-prepares its statements after them only with
 * {@code flushCacheOnDeallocate=true}; the driver re-prepares its own in any case, so that a later
 * {@code commit()} does not fail with 26000. Re-preparing when nothing was dropped costs one parse,
 * so a text that merely mentions the command is harmless.
 */
final class PreparedStatementDrops {
  private PreparedStatementDrops() {}

  /** Whether {@code sql} (classified as {@code info}) runs DEALLOCATE or DISCARD ALL. */
  static boolean drops(String sql, SqlInfo info) {
    for (SqlStatement s : info.statements()) {
      StatementKind k = s.kind();
      if ((k == StatementKind.SESSION || k == StatementKind.SET_SESSION_CHARACTERISTICS
          || k == StatementKind.RESET_VARIABLE) && s.start() < sql.length()
          && (sql.regionMatches(true, s.start(), "deallocate", 0, 10)
              || sql.regionMatches(true, s.start(), "discard", 0, 7))) {
        return true;
      }
    }
    return false;
  }
}
