package io.lsem.jdbc.wrap;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.postgresql.core.BaseConnection;

/**
 * What a pooled connection looked like when the pool opened it, so that giving it back can put
 * back what the application changed (see {@link ConnectionWrapper#resetForReuse}).
 *
 * @param autoCommit autocommit as opened
 * @param readOnly the JDBC read-only flag as opened
 * @param networkTimeout the network timeout as opened, in milliseconds
 * @param holdability the result-set holdability as opened
 * @param sessionValues the server variables set with {@code SET} once the connection was open
 *     (by {@code poolInitSql}, or pgjdbc's {@code application_name}), by name: {@code RESET} would
 *     lose these values, so giving a connection back sets them again instead
 * @param fingerprint the role, session user and every session-set variable as one text
 *     ({@link #fingerprint(BaseConnection)}): what a give-back after SQL that may have changed them
 *     must find again, or the connection is retired
 */
public record SessionDefaults(boolean autoCommit, boolean readOnly, int networkTimeout, int holdability,
    Map<String, String> sessionValues, String fingerprint) {

  private static final String FINGERPRINT = "SELECT current_user::text || '/' || session_user::text"
      + " || '/' || coalesce((SELECT pg_catalog.string_agg(name || '=' || setting, ',' ORDER BY name)"
      + " FROM pg_catalog.pg_settings WHERE source = 'session'), '')";

  /** The role, session user and session-set variables of {@code c}'s session now: one round trip. */
  public static String fingerprint(BaseConnection c) throws SQLException {
    try (ResultSet rs = c.execSQLQuery(FINGERPRINT)) {
      return rs.next() ? rs.getString(1) : "";
    }
  }

  /**
   * The defaults of {@code session}'s connection as it is now (right after it was opened and its
   * {@code poolInitSql} ran): one query of {@code pg_settings}, once per new connection.
   */
  public static SessionDefaults of(ConnectionSession session) throws SQLException {
    BaseConnection c = session.physical;
    Map<String, String> values = new LinkedHashMap<>();
    try (ResultSet rs = c.execSQLQuery("SELECT name, setting FROM pg_catalog.pg_settings WHERE source = 'session'")) {
      while (rs.next()) {
        values.put(rs.getString(1), rs.getString(2));
      }
    }
    return new SessionDefaults(c.getAutoCommit(), c.isReadOnly(), c.getNetworkTimeout(), c.getHoldability(),
        Collections.unmodifiableMap(values), fingerprint(c));
  }
}
