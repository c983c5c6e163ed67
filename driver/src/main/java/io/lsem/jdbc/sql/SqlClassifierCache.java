package io.lsem.jdbc.sql;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * A bounded cache of {@link SqlClassifier} results keyed by SQL text. One instance serves every
 * connection of a driver; its size is the {@code sqlCacheSize} property. Maintenance runs on the
 * calling thread, so the cache never starts a thread of its own.
 */
public final class SqlClassifierCache {
  private final Cache<String, SqlInfo> standard;
  private final Cache<String, SqlInfo> backslashEscapes;

  public SqlClassifierCache(int maximumSize) {
    this.standard = newCache(maximumSize);
    this.backslashEscapes = newCache(maximumSize);
  }

  private static Cache<String, SqlInfo> newCache(int maximumSize) {
    return Caffeine.newBuilder().maximumSize(maximumSize).executor(Runnable::run).build();
  }

  /** The classification of {@code sql} under the session's {@code standard_conforming_strings}. */
  public SqlInfo classify(String sql, boolean standardConformingStrings) {
    Cache<String, SqlInfo> cache = standardConformingStrings ? standard : backslashEscapes;
    SqlInfo info = cache.getIfPresent(sql);
    if (info == null) {
      info = SqlClassifier.classify(sql, standardConformingStrings);
      cache.put(sql, info);
    }
    return info;
  }

  /** Approximate number of cached texts, for tests and diagnostics. */
  public long size() {
    standard.cleanUp();
    backslashEscapes.cleanUp();
    return standard.estimatedSize() + backslashEscapes.estimatedSize();
  }
}
