package io.lsem.jdbc.tx;

import java.io.InputStream;
import java.io.Reader;
import java.sql.Array;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import org.postgresql.util.PGobject;

/**
 * How recorded values are kept and compared: mutable values are copied when recorded (the
 * application may change its own array or timestamp afterwards), arrays are compared by content,
 * and memory is estimated for the recording's bound.
 */
final class Values {
  private Values() {}

  /** Whether a value cannot be recorded faithfully (a stream, a LOB handle, a cursor). */
  static boolean notReplayable(Object v) {
    if (isPlainValue(v)) {
      return false; // the common case, decided without interface checks (slow for final classes on JDK 17)
    }
    return !(v instanceof Replayable) && (v instanceof InputStream || v instanceof Reader || v instanceof Blob || v instanceof Clob
        || v instanceof ResultSet || v instanceof java.sql.SQLXML || v instanceof java.sql.Ref);
  }

  /** Null, a string, a boxed primitive or a {@code java.time} value: immutable and comparable as it is. */
  static boolean isPlainValue(Object v) {
    if (v == null) {
      return true;
    }
    Class<?> c = v.getClass();
    return c == String.class || c == Integer.class || c == Long.class || c == Double.class || c == Boolean.class
        || c == Short.class || c == Float.class || c == Byte.class || c == java.math.BigDecimal.class
        || c == java.time.LocalDate.class || c == java.time.LocalDateTime.class || c == java.time.OffsetDateTime.class
        || c == java.util.UUID.class;
  }

  /** A copy of {@code v} if the caller could still change it. */
  static Object freeze(Object v) {
    if (isPlainValue(v)) {
      return v;
    }
    if (v instanceof byte[]) {
      return ((byte[]) v).clone();
    }
    if (v instanceof java.util.Date) {
      return ((java.util.Date) v).clone();
    }
    if (v instanceof java.util.Calendar) {
      return ((java.util.Calendar) v).clone();
    }
    if (v instanceof PGobject) {
      try {
        return ((PGobject) v).clone();
      } catch (CloneNotSupportedException e) {
        return v;
      }
    }
    if (v instanceof Object[]) {
      Object[] a = ((Object[]) v).clone();
      for (int i = 0; i < a.length; i++) {
        a[i] = freeze(a[i]);
      }
      return a;
    }
    if (v != null && v.getClass().isArray()) {
      return cloneArray(v);
    }
    return v;
  }

  private static Object cloneArray(Object array) {
    int n = java.lang.reflect.Array.getLength(array);
    Object copy = java.lang.reflect.Array.newInstance(array.getClass().getComponentType(), n);
    System.arraycopy(array, 0, copy, 0, n);
    return copy;
  }

  /** Whether a replayed value equals the recorded one: by content for arrays and SQL arrays. */
  static boolean same(Object recorded, Object replayed) throws SQLException {
    if (recorded == replayed) {
      return true;
    }
    if (recorded == null || replayed == null) {
      return false;
    }
    if (recorded instanceof Array && replayed instanceof Array) {
      return same(((Array) recorded).getArray(), ((Array) replayed).getArray());
    }
    if (recorded.getClass().isArray() && replayed.getClass().isArray()) {
      if (recorded instanceof Object[] && replayed instanceof Object[]) {
        Object[] a = (Object[]) recorded;
        Object[] b = (Object[]) replayed;
        if (a.length != b.length) {
          return false;
        }
        for (int i = 0; i < a.length; i++) {
          if (!same(a[i], b[i])) {
            return false;
          }
        }
        return true;
      }
      return Arrays.deepEquals(new Object[] {recorded}, new Object[] {replayed});
    }
    return recorded.equals(replayed);
  }

  /** A rough size in bytes, for the recording's memory bound. */
  static long estimateBytes(Object v) {
    if (v == null) {
      return 0;
    }
    if (v.getClass() == String.class) {
      return 40 + 2L * ((String) v).length();
    }
    if (isPlainValue(v)) {
      return 24; // a boxed primitive, a date-time, a UUID: told by class, before the interface check below
    }
    if (v instanceof Sized) {
      return ((Sized) v).estimatedBytes();
    }
    if (v instanceof String) {
      return 40 + 2L * ((String) v).length();
    }
    if (v instanceof byte[]) {
      return 16 + ((byte[]) v).length;
    }
    if (v instanceof Object[]) {
      long sum = 16 + 8L * ((Object[]) v).length;
      for (Object o : (Object[]) v) {
        sum += estimateBytes(o);
      }
      return sum;
    }
    return 32;
  }
}
