package io.lsem.jdbc.error;

import java.sql.SQLException;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * What PostgreSQL said about an error, field by field (see PostgreSQL's "Error Message Fields").
 * Fields the server did not send are {@code null} (or 0 for positions). For errors pgjdbc raises
 * itself (a closed connection, a bad parameter index) only the SQLSTATE and message are set.
 *
 * @param sqlState the five-character SQLSTATE
 * @param severity ERROR, FATAL or PANIC (not localized), or {@code null} for client-side errors
 * @param serverMessage the primary message, without pgjdbc's decoration
 * @param detail the optional detail (may contain data values, e.g. a duplicate key)
 * @param hint the optional hint
 * @param position 1-based character position of the error in the statement, or 0
 * @param where the context: call stack of functions and triggers
 * @param schema schema of the object concerned
 * @param table table concerned
 * @param column column concerned
 * @param dataType data type concerned
 * @param constraint constraint violated
 * @param routine the server routine that raised the error
 * @param retryable whether running the whole transaction again can succeed unchanged
 */
public record ErrorDetails(String sqlState, String severity, String serverMessage, String detail, String hint,
    int position, String where, String schema, String table, String column, String dataType, String constraint,
    String routine, boolean retryable) implements java.io.Serializable {

  static ErrorDetails of(SQLException e, boolean retryable) {
    ServerErrorMessage m = e instanceof PSQLException ? ((PSQLException) e).getServerErrorMessage() : null;
    if (m == null) {
      return new ErrorDetails(e.getSQLState(), null, e.getMessage(), null, null, 0, null, null, null, null, null,
          null, null, retryable);
    }
    return new ErrorDetails(e.getSQLState(), m.getSeverity(), m.getMessage(), m.getDetail(), m.getHint(),
        m.getPosition(), m.getWhere(), m.getSchema(), m.getTable(), m.getColumn(), m.getDatatype(),
        m.getConstraint(), m.getRoutine(), retryable);
  }
}
