package io.lsem.jdbc.wrap;

import io.lsem.jdbc.error.ConnectionClosedException;
import io.lsem.jdbc.error.ErrorDetails;
import java.lang.reflect.Proxy;
import java.sql.SQLException;
import org.postgresql.core.BaseConnection;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;

/**
 * What a closed lease forwards to: every call that may throw {@code SQLException} throws
 * SQLSTATE 08003 "connection is closed"; {@code isClosed()} is true, {@code close()} does nothing,
 * {@code isValid()} is false, and other methods return their type's default. Built once per JVM
 * as a dynamic proxy: only ever called after a close, so the reflective dispatch costs nothing
 * that matters.
 */
final class ClosedConnection {
  static final BaseConnection INSTANCE = (BaseConnection) Proxy.newProxyInstance(
      ClosedConnection.class.getClassLoader(), new Class<?>[] {BaseConnection.class}, (proxy, method, args) -> {
        switch (method.getName()) {
          case "isClosed":
            return true;
          case "close":
          case "abort":
            return null;
          case "isValid":
            return false;
          case "toString":
            return "closed connection";
          case "hashCode":
            return System.identityHashCode(proxy);
          case "equals":
            return proxy == args[0];
          default:
            break;
        }
        for (Class<?> thrown : method.getExceptionTypes()) {
          if (thrown.isAssignableFrom(SQLException.class)) {
            SQLException original = new PSQLException("This connection has been closed.",
                PSQLState.CONNECTION_DOES_NOT_EXIST);
            throw new ConnectionClosedException(new ErrorDetails("08003", null, original.getMessage(), null, null,
                0, null, null, null, null, null, null, null, false), original);
          }
        }
        Class<?> type = method.getReturnType();
        if (type == boolean.class) {
          return Boolean.FALSE;
        }
        if (type == int.class) {
          return Integer.valueOf(0); // (a conditional expression would widen it to Long)
        }
        return type == long.class ? Long.valueOf(0) : null;
      });

  private ClosedConnection() {}
}
