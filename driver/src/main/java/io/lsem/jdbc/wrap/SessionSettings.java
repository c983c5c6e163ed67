package io.lsem.jdbc.wrap;

import io.lsem.jdbc.sql.SqlInfo;
import io.lsem.jdbc.sql.SqlStatement;
import io.lsem.jdbc.tx.Transaction;
import io.lsem.jdbc.tx.TransactionListener;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import org.postgresql.core.BaseConnection;

/**
 * The session state the application set on one connection and that a new physical connection
 * (after a failover) must get again: autocommit, read-only, schema, client info, network timeout,
 * holdability set through the API, and session-level {@code SET}/{@code RESET} and
 * {@code SET SESSION CHARACTERISTICS} run as SQL (kept only once their transaction committed, in
 * the order they ran). {@code SET LOCAL} belongs to its transaction and is replayed with it.
 */
final class SessionSettings implements TransactionListener {
  private String schema;
  private Integer networkTimeout;
  private Integer holdability;
  private final Map<String, String> clientInfo = new LinkedHashMap<>();
  /** Session SQL by what it sets: the statement text, in the order to run them. */
  private final Map<String, String> sql = new LinkedHashMap<>();
  /** SQL of the open transaction, kept when it commits. */
  private final List<String[]> pending = new ArrayList<>();

  void schema(String s) {
    schema = s;
  }

  void networkTimeout(int millis) {
    networkTimeout = millis;
  }

  void holdability(int h) {
    holdability = h;
  }

  void clientInfo(String name, String value) {
    clientInfo.put(name, value);
  }

  /** The session default isolation set through the API (pgjdbc runs SET SESSION CHARACTERISTICS outside a transaction). */
  void isolation(int jdbcLevel) {
    String level;
    switch (jdbcLevel) {
      case java.sql.Connection.TRANSACTION_READ_UNCOMMITTED: level = "READ UNCOMMITTED"; break;
      case java.sql.Connection.TRANSACTION_REPEATABLE_READ: level = "REPEATABLE READ"; break;
      case java.sql.Connection.TRANSACTION_SERIALIZABLE: level = "SERIALIZABLE"; break;
      default: level = "READ COMMITTED"; break;
    }
    keep("characteristics:isolation", "SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL " + level);
  }

  /** {@code info}'s SQL ran successfully; {@code inTransaction}: a transaction is open after it. */
  void executed(SqlInfo info, boolean inTransaction) {
    String text = info.text();
    if (text == null) {
      return;
    }
    for (SqlStatement st : info.statements()) {
      String slice = text.substring(st.start(), st.end());
      switch (st.kind()) {
        case SET_VARIABLE:
          record("set:" + st.name(), slice, inTransaction);
          break;
        case RESET_VARIABLE:
          record("reset:" + st.name(), slice, inTransaction);
          break;
        case SET_SESSION_CHARACTERISTICS:
          record("characteristics:" + slice, slice, inTransaction);
          break;
        default:
          break;
      }
    }
  }

  private void record(String key, String statement, boolean inTransaction) {
    if (inTransaction) {
      pending.add(new String[] {key, statement});
    } else {
      keep(key, statement);
    }
  }

  private void keep(String key, String statement) {
    if (key.equals("reset:all")) {
      sql.clear();
    } else if (key.startsWith("reset:")) {
      sql.remove("set:" + key.substring(6));
    }
    sql.remove(key);
    sql.put(key, statement);
  }

  @Override
  public void afterCommit(Transaction tx) {
    for (String[] p : pending) {
      keep(p[0], p[1]);
    }
    pending.clear();
  }

  @Override
  public void afterRollback(Transaction tx) {
    pending.clear();
  }

  @Override
  public void afterPrepare(Transaction tx) {
    afterCommit(tx);
  }

  /**
   * The server variables the application changed (pools, when a connection is given back): each
   * variable it set or reset, the transaction defaults, the search path, the application name;
   * after a {@code RESET ALL} or {@code DISCARD ALL} also every variable of {@code opened} (those
   * set when the connection was opened, which such a reset lost). Lower case, in order.
   */
  java.util.Set<String> changedVariables(java.util.Set<String> opened) {
    java.util.Set<String> names = new java.util.LinkedHashSet<>();
    for (Map.Entry<String, String> e : sql.entrySet()) {
      String key = e.getKey();
      if (key.startsWith("set:") || key.startsWith("reset:")) {
        String name = key.substring(key.indexOf(':') + 1).toLowerCase(java.util.Locale.ROOT);
        if (key.startsWith("set:") || opened.contains(name)) {
          names.add(name);
        }
      } else if (key.startsWith("characteristics:")) {
        names.add("default_transaction_isolation");
        names.add("default_transaction_read_only");
        names.add("default_transaction_deferrable");
        String text = e.getValue().trim().toLowerCase(java.util.Locale.ROOT).replaceAll("\\s+", " ");
        if (text.startsWith("reset all") || text.startsWith("discard all")) {
          names.addAll(opened);
        }
      }
    }
    if (schema != null) {
      names.add("search_path");
    }
    if (clientInfo.containsKey("ApplicationName")) {
      names.add("application_name");
    }
    return names;
  }

  /** Whether the transaction defaults (isolation, access mode) were changed. */
  boolean changedTransactionDefaults() {
    for (String key : sql.keySet()) {
      if (key.startsWith("characteristics:") || key.startsWith("set:default_transaction_")) {
        return true;
      }
    }
    return false;
  }

  /** Whether the application changed anything this records (a field check: the pools' fast path). */
  boolean changedAnything() {
    return schema != null || networkTimeout != null || holdability != null || !clientInfo.isEmpty() || !sql.isEmpty();
  }

  /** Forgets everything (the session is back to its defaults). */
  void clear() {
    schema = null;
    networkTimeout = null;
    holdability = null;
    clientInfo.clear();
    sql.clear();
    pending.clear();
  }

  /** Gives {@code c} (a new physical connection) the application's session state. */
  void applyTo(BaseConnection c, boolean autoCommit, boolean readOnly) throws SQLException {
    for (String statement : sql.values()) {
      c.execSQLUpdate(statement);
    }
    if (schema != null) {
      c.setSchema(schema);
    }
    for (Map.Entry<String, String> e : clientInfo.entrySet()) {
      c.setClientInfo(e.getKey(), e.getValue());
    }
    if (holdability != null) {
      c.setHoldability(holdability);
    }
    if (networkTimeout != null) {
      Executor direct = Runnable::run;
      c.setNetworkTimeout(direct, networkTimeout);
    }
    c.setReadOnly(readOnly);
    c.setAutoCommit(autoCommit);
  }

  /**
   * For a pool taking the connection back: puts back on {@code physical} what the lease changed —
   * network timeout and holdability, then in one round trip of {@code RESET}s the variables it
   * set, and with {@code set_config} (one more) those that had a value when the connection was
   * opened — and forgets the changes.
   */
  void restore(BaseConnection physical, SessionDefaults defaults, io.lsem.jdbc.tx.TransactionTracker tracker)
      throws SQLException {
    if (physical.getNetworkTimeout() != defaults.networkTimeout()) {
      physical.setNetworkTimeout(Runnable::run, defaults.networkTimeout());
    }
    if (physical.getHoldability() != defaults.holdability()) {
      physical.setHoldability(defaults.holdability());
    }
    java.util.Map<String, String> opened = defaults.sessionValues();
    StringBuilder resets = new StringBuilder();
    StringBuilder restores = new StringBuilder();
    for (String name : changedVariables(opened.keySet())) {
      String value = opened.get(name);
      if (value == null) {
        resets.append(resets.length() == 0 ? "" : "; ").append("RESET ").append(name);
      } else {
        boolean scs = physical.getStandardConformingStrings();
        restores.append(restores.length() == 0 ? "SELECT " : ", ").append("pg_catalog.set_config('")
            .append(org.postgresql.core.Utils.escapeLiteral(null, name, scs)).append("', '")
            .append(org.postgresql.core.Utils.escapeLiteral(null, value, scs)).append("', false)");
      }
    }
    if (resets.length() > 0) {
      physical.execSQLUpdate(resets.toString());
    }
    if (restores.length() > 0) {
      physical.execSQLQuery(restores.toString()).close();
    }
    if (changedTransactionDefaults()) {
      tracker.transactionDefaultsReset();
    }
    clear();
  }
}
