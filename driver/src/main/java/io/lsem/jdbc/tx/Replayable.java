package io.lsem.jdbc.tx;

import java.sql.SQLException;

/**
 * A JDBC object whose calls can be recorded in a {@link Journal} and made again on a replay:
 * implemented by the driver's statement and result set wrappers.
 */
public interface Replayable {

  /**
   * Makes recorded call {@code op} again on the object's current pgjdbc delegate, with the
   * recorded arguments, and returns its result (boxed; the wrapper object itself for calls that
   * return a result set, rebound to the new one).
   */
  Object replay(int op, int intArg, Object otherArgs) throws SQLException;

  /** For messages: which object, e.g. {@code PreparedStatement#3 [UPDATE account SET …]}. */
  String describe();

  /** For messages: which call, e.g. {@code executeUpdate()} or {@code getInt(int)}. */
  String callName(int op);

  /** Whether the values this object returns must match on replay (false for sequence allocations). */
  default boolean comparesValues() {
    return true;
  }
}
