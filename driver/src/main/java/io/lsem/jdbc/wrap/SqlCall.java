package io.lsem.jdbc.wrap;

import java.sql.SQLException;

/** A call on a pgjdbc object, run by a wrapper between the tracker's before and after. */
@FunctionalInterface
interface SqlCall<T> {
  T call() throws SQLException;
}
