package io.lsem.jdbc.wrap;

import java.sql.SQLException;
import java.sql.Wrapper;

/**
 * Identity for the wrappers a connection hands out (statements, result sets): {@code unwrap} and
 * {@code isWrapperFor} answer for the wrapper first and then for the pgjdbc object it wraps now;
 * an object pgjdbc unwraps to is wrapped by the connection when it is one of its kinds.
 */
abstract class ChildWrapper {

  /** The pgjdbc object wrapped now (a reconnection may replace it). */
  abstract Wrapper wrapped();

  /** The connection this object belongs to. */
  abstract ConnectionWrapper owningConnection();

  public <T> T unwrap(Class<T> iface) throws SQLException {
    if (iface.isInstance(this)) {
      return iface.cast(this);
    }
    return owningConnection().wrapRaw(() -> wrapped().unwrap(iface));
  }

  public boolean isWrapperFor(Class<?> iface) throws SQLException {
    return iface.isInstance(this) || wrapped().isWrapperFor(iface);
  }

  @Override
  public String toString() {
    return wrapped().toString();
  }
}
