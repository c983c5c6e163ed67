package io.lsem.jdbc.value;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lsem.jdbc.config.ConnectionConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Issue 13 item 6: no password-like value appears in any message, log line or {@code toString()}
 * built from a URL or properties — names read as pgjdbc decodes them. 100,000 generated URLs
 * (encoded names, malformed escapes, NUL bytes, very long values, unknown and driver properties),
 * seeded ({@code -Dlsem.redaction.seed}, {@code -Dlsem.redaction.cases}).
 */
class RedactionFuzzTest {
  private static final String[] PASSWORD_NAMES = {
      "password", "PASSWORD", "Password", "pass%77ord", "%70assword", "passw%6Frd", "p%61ssword", "sslpassword",
      "sslPassword", "ssl%70assword", "pass%2577ord", "password%00", "x-password", "sslkeypassphrase"};
  private static final String[] OTHER = {
      "sqlCacheSize=%zz", "sqlCacheSize=abc", "retry=maybe", "foo=%", "bar=%4", "a%zzb=1", "user=app",
      "preparethreshold=5", "timestamps=sometimes", "x=\u0000y", "ApplicationName=" + "L".repeat(5000),
      "ssl=true", "sslmode=verify-full", "=", "&&", "retryMaxAttempts=-1", "pool=true", "poolMaxSize=0"};

  @Test
  void theExactReproductionHidesThePassword() {
    String url = "jdbc:lsem:postgresql://127.0.0.1/db?pass%77ord=Secret2&sqlCacheSize=%zz";
    String message = messageOf(url, new Properties());
    assertTrue(message.contains("Malformed URL") || message.contains("sqlCacheSize"), message);
    assertFalse(message.contains("Secret2"), message);
  }

  @Test
  void noGeneratedUrlOrPropertiesLeakThePassword() {
    long seed = Long.getLong("lsem.redaction.seed", 20261203L);
    int cases = Integer.getInteger("lsem.redaction.cases", 100_000);
    Random random = new Random(seed);
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    PrintStream stderr = System.err;
    System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
    int failures = 0;
    String first = null;
    try {
      for (int i = 0; i < cases; i++) {
        String secret = "Zq" + Long.toString(random.nextLong() & Long.MAX_VALUE, 36) + "Pw";
        StringBuilder url = new StringBuilder("jdbc:lsem:postgresql://127.0.0.1:5432/db");
        if (random.nextInt(10) == 0) {
          url.insert("jdbc:lsem:postgresql://".length(), "app:" + secret + "@");
        }
        url.append('?');
        int params = 1 + random.nextInt(4);
        int at = random.nextInt(params);
        for (int p = 0; p < params; p++) {
          if (p > 0) {
            url.append('&');
          }
          if (p == at) {
            url.append(PASSWORD_NAMES[random.nextInt(PASSWORD_NAMES.length)]).append('=').append(secret);
          } else {
            url.append(OTHER[random.nextInt(OTHER.length)]);
          }
        }
        Properties props = new Properties();
        if (random.nextBoolean()) {
          props.setProperty(random.nextBoolean() ? "password" : "sslpassword", secret);
          props.setProperty(random.nextBoolean() ? "retry" : "sqlCacheSize", random.nextBoolean() ? "bad" : "1");
        }
        String seen = messageOf(url.toString(), props) + "\n" + Redaction.redact(url.toString());
        if (seen.contains(secret) || log.toString(StandardCharsets.UTF_8).contains(secret)) {
          failures++;
          first = first == null ? "case " + i + " (seed " + seed + "): " + url + "\n" + seen : first;
        }
        if (log.size() > 1 << 20) {
          log.reset();
        }
      }
    } finally {
      System.setErr(stderr);
    }
    assertEquals(0, failures, first);
  }

  /** Every message, cause and {@code toString()} parsing {@code url} produces. */
  private static String messageOf(String url, Properties props) {
    StringBuilder all = new StringBuilder();
    try {
      ConnectionConfig config = ConnectionConfig.parse(url, props);
      all.append(config);
    } catch (Exception e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        all.append(t).append('\n');
      }
    }
    return all.toString();
  }
}
