package io.lsem.jdbc.config;

import io.lsem.jdbc.LsemProperty;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * The driver's own settings for one connection configuration, parsed and validated once.
 * Immutable; holds no credentials.
 */
public final class LsemSettings {
  private final Map<LsemProperty, Object> values;

  LsemSettings(Map<LsemProperty, Object> values) {
    this.values = Collections.unmodifiableMap(new EnumMap<>(values));
  }

  /** All defaults. */
  public static LsemSettings defaults() {
    Map<LsemProperty, Object> values = new EnumMap<>(LsemProperty.class);
    for (LsemProperty p : LsemProperty.values()) {
      values.put(p, p.parse(p.defaultValue()));
    }
    return new LsemSettings(values);
  }

  /** See {@link LsemProperty#SQL_CACHE_SIZE}. */
  public int sqlCacheSize() {
    return (Integer) values.get(LsemProperty.SQL_CACHE_SIZE);
  }

  /** See {@link LsemProperty#TYPED_EXCEPTIONS}. */
  public boolean typedExceptions() {
    return (Boolean) values.get(LsemProperty.TYPED_EXCEPTIONS);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LsemSettings && ((LsemSettings) o).values.equals(values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("LsemSettings{");
    values.forEach((p, v) -> sb.append(p.propertyName()).append('=').append(v).append(", "));
    sb.setLength(sb.length() - 2);
    return sb.append('}').toString();
  }
}
