package io.lsem.jdbc.error;

import java.sql.SQLException;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * Keeps the commit ledger's internals out of what the application sees. A conflict detected while
 * the ledger row is written at COMMIT is the application's conflict, reported as plain pgjdbc
 * would report it at COMMIT: the server's message, detail and hint, without the context lines
 * ("SQL statement INSERT INTO lsem.commit_log …", "PL/pgSQL function lsem.record_commit …") that
 * name the driver's own objects. The server's log keeps the full report.
 */
final class LedgerContext {
  private LedgerContext() {}

  /** {@code e} without the ledger's context, or {@code e} itself when it did not arise in the ledger. */
  static SQLException withoutLedgerContext(SQLException e) {
    if (!(e instanceof PSQLException)) {
      return e;
    }
    ServerErrorMessage m = ((PSQLException) e).getServerErrorMessage();
    if (m == null || !(fromLedger(m.getWhere()) || fromLedger(m.getInternalQuery()))) {
      return e;
    }
    StringBuilder fields = new StringBuilder();
    field(fields, 'S', m.getSeverity());
    field(fields, 'C', m.getSQLState());
    field(fields, 'M', m.getMessage());
    field(fields, 'D', m.getDetail());
    field(fields, 'H', m.getHint());
    field(fields, 's', m.getSchema());
    field(fields, 't', m.getTable());
    field(fields, 'c', m.getColumn());
    field(fields, 'd', m.getDatatype());
    field(fields, 'n', m.getConstraint());
    PSQLException clean = new PSQLException(new ServerErrorMessage(fields.toString()));
    clean.setStackTrace(e.getStackTrace());
    if (e.getNextException() != null) {
      clean.setNextException(e.getNextException());
    }
    return clean;
  }

  private static boolean fromLedger(String text) {
    return text != null && (text.contains("lsem.record_") || text.contains("lsem.append_commit") || text.contains("lsem.commit_log"));
  }

  private static void field(StringBuilder out, char type, String value) {
    if (value != null) {
      out.append(type).append(value).append('\0');
    }
  }
}
