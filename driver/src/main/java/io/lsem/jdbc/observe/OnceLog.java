package io.lsem.jdbc.observe;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;

/**
 * Logs a change of behaviour the driver makes silently otherwise (a recording dropped past its
 * bound, a property name that looks like a misspelt pgjdbc one) once per JVM and key, so an
 * operator sees it without a line per transaction or per connection. The keys seen are a bounded
 * set; past {@link #MAX_KEYS} distinct keys, further first occurrences are logged at DEBUG only.
 * Never give it a password or a parameter value.
 */
public final class OnceLog {
  /** Bound on the distinct keys remembered (the only static state, and a bounded one). */
  static final int MAX_KEYS = 256;
  private static final Set<String> SEEN = ConcurrentHashMap.newKeySet();

  private OnceLog() {}

  /** Logs {@code message} at WARN the first time {@code key} is seen. */
  public static void warn(Logger log, String key, String message, Object... args) {
    if (first(key)) {
      log.warn(message, args);
    } else if (log.isDebugEnabled()) {
      log.debug(message, args);
    }
  }

  /** Logs {@code message} at INFO the first time {@code key} is seen. */
  public static void info(Logger log, String key, String message, Object... args) {
    if (first(key)) {
      log.info(message, args);
    } else if (log.isDebugEnabled()) {
      log.debug(message, args);
    }
  }

  private static boolean first(String key) {
    if (SEEN.contains(key)) {
      return false;
    }
    return SEEN.size() < MAX_KEYS && SEEN.add(key);
  }
}
