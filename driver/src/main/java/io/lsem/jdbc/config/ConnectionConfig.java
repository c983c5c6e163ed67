package io.lsem.jdbc.config;

import io.lsem.jdbc.LsemDriver;
import io.lsem.jdbc.LsemProperty;
import io.lsem.jdbc.value.Redaction;
import io.lsem.jdbc.error.InvalidPropertyException;
import io.lsem.jdbc.observe.OnceLog;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.StringJoiner;

/**
 * A {@code jdbc:lsem:postgresql:} URL and its {@code Properties}, split into the driver's own
 * validated {@link LsemSettings} and what goes to pgjdbc: the URL without its {@code lsem:}
 * and without the driver's parameters, and the remaining properties, untouched.
 */
public final class ConnectionConfig {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ConnectionConfig.class);
  /** Every URL this driver accepts starts with this. */
  public static final String URL_PREFIX = LsemDriver.URL_PREFIX;
  /** The form of a valid URL, for error messages. */
  public static final String URL_FORM = LsemDriver.URL_FORM;

  private final String url;
  private final String pgUrl;
  private final Properties pgProperties;
  private final LsemSettings settings;

  private ConnectionConfig(String url, String pgUrl, Properties pgProperties, LsemSettings settings) {
    this.url = url;
    this.pgUrl = pgUrl;
    this.pgProperties = pgProperties;
    this.settings = settings;
  }

  /**
   * The {@code jdbc:lsem:} URL as the application gave it (what {@code DatabaseMetaData.getURL()}
   * returns, as pgjdbc returns the URL it was given). Not part of equality: URLs that configure the
   * same connections are the same configuration.
   */
  public String url() {
    return url;
  }

  /** Whether {@code url} is one of this driver's URLs. */
  public static boolean accepts(String url) {
    return url != null && url.startsWith(URL_PREFIX);
  }

  /**
   * Splits and validates. Throws {@link InvalidPropertyException} naming the first bad
   * property, its value and the accepted form, or describing a malformed URL.
   */
  public static ConnectionConfig parse(String url, Properties info) throws InvalidPropertyException {
    if (!accepts(url)) {
      throw new InvalidPropertyException("url", "Not an LSEM URL: '" + redact(url) + "'; expected " + URL_FORM);
    }
    String pgUrl = "jdbc:" + url.substring("jdbc:lsem:".length());
    Map<LsemProperty, String> given = new EnumMap<>(LsemProperty.class);
    Properties pgProperties = new Properties();
    if (info != null) {
      for (String key : info.stringPropertyNames()) {
        if (!take(key, info.getProperty(key), given)) {
          pgProperties.setProperty(key, info.getProperty(key));
        }
      }
      info.forEach((k, v) -> {
        if (!(k instanceof String) || !(v instanceof String)) {
          pgProperties.put(k, v);
        }
      });
    }
    pgUrl = takeUrlParameters(url, pgUrl, given);
    LsemSettings settings = validate(given);
    if (org.postgresql.Driver.parseURL(pgUrl, pgProperties) == null) {
      throw new InvalidPropertyException("url", "Malformed URL '" + redact(url) + "'; expected " + URL_FORM);
    }
    return new ConnectionConfig(url, pgUrl, pgProperties, settings);
  }

  /**
   * Records {@code key} if it is ours; refuses near misses of the driver's names; warns once about
   * near misses of pgjdbc's (pgjdbc ignores them); returns whether it was ours.
   */
  private static boolean take(String key, String value, Map<LsemProperty, String> given)
      throws InvalidPropertyException {
    LsemProperty p = LsemProperty.forName(key);
    if (p != null) {
      given.put(p, value);
      return true;
    }
    String own = PropertyNames.nearOwn(key);
    if (own != null) { // the driver's own namespace: a misspelling is refused like a bad value
      throw new InvalidPropertyException(key, "Unknown property '" + key + "'; did you mean '" + own
          + "' (a property of this driver)? (see LsemProperty or the README for the driver's properties)");
    }
    String pg = PropertyNames.nearPgjdbc(key);
    if (pg != null) { // pgjdbc ignores a name it does not know: refusing it would refuse what pgjdbc accepts
      OnceLog.warn(LOG, "property:" + key, "Unknown property '{}' ignored, as pgjdbc ignores it; did you mean"
          + " '{}' (a pgjdbc property)? (logged once)", key, pg);
    }
    return false;
  }

  /** Removes the driver's parameters from the URL's query; URL values override {@code info}. */
  private static String takeUrlParameters(String url, String pgUrl, Map<LsemProperty, String> given)
      throws InvalidPropertyException {
    int q = pgUrl.indexOf('?');
    if (q < 0) {
      return pgUrl;
    }
    StringJoiner kept = new StringJoiner("&");
    for (String param : pgUrl.substring(q + 1).split("&", -1)) {
      if (param.isEmpty()) {
        continue;
      }
      int eq = param.indexOf('=');
      String key = decode(url, eq < 0 ? param : param.substring(0, eq), false);
      boolean secret = Redaction.secret(key);
      String value = eq < 0 ? "" : decode(url, param.substring(eq + 1), secret);
      if (!take(key, value, given)) {
        kept.add(param);
      }
    }
    String base = pgUrl.substring(0, q);
    return kept.length() == 0 ? base : base + "?" + kept;
  }

  private static String decode(String url, String text, boolean secret) throws InvalidPropertyException {
    try {
      return URLDecoder.decode(text, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new InvalidPropertyException("url", "Malformed URL '" + redact(url) + "': bad %-escape in '"
          + (secret ? "***" : redact(text)) + "'; expected " + URL_FORM);
    }
  }

  private static LsemSettings validate(Map<LsemProperty, String> given) throws InvalidPropertyException {
    Map<LsemProperty, Object> values = new EnumMap<>(LsemProperty.class);
    for (LsemProperty p : LsemProperty.values()) {
      String text = given.getOrDefault(p, p.defaultValue());
      Object value = p.parse(text);
      if (value == null) {
        throw new InvalidPropertyException(p.propertyName(), invalidValue(p, text));
      }
      values.put(p, value);
    }
    if ("etcd".equals(values.get(LsemProperty.TIMESTAMP_ORACLE)) && ((String) values.get(LsemProperty.COORDINATOR)).isEmpty()) {
      throw new InvalidPropertyException("coordinator", "Property 'timestampOracle=etcd' needs property 'coordinator': expected "
          + io.lsem.jdbc.value.CoordinatorAddress.FORM);
    }
    return new LsemSettings(values);
  }

  /**
   * The error text for a value of {@code p} that does not parse, naming the property, the value and
   * the accepted form; the URL, {@code Properties} and the data sources' setters all report it so.
   */
  public static String invalidValue(LsemProperty p, String text) {
    return p.invalidValue(text);
  }

  /** {@code url} with every password-like value hidden, names read as pgjdbc decodes them ({@link Redaction}). */
  public static String redact(String url) {
    return Redaction.redact(url);
  }

  /** The URL to hand to pgjdbc: {@code jdbc:postgresql:…} without the driver's parameters. */
  public String pgUrl() {
    return pgUrl;
  }

  /** A copy of the properties to hand to pgjdbc. */
  public Properties pgProperties() {
    Properties copy = new Properties();
    copy.putAll(pgProperties);
    return copy;
  }

  public LsemSettings settings() {
    return settings;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof ConnectionConfig)) {
      return false;
    }
    ConnectionConfig c = (ConnectionConfig) o;
    return c.pgUrl.equals(pgUrl) && c.pgProperties.equals(pgProperties) && c.settings.equals(settings);
  }

  @Override
  public int hashCode() {
    return Objects.hash(pgUrl, pgProperties, settings);
  }

  /** The pgjdbc URL with passwords redacted; never the properties (they may hold a password). */
  @Override
  public String toString() {
    return "ConnectionConfig{" + redact(pgUrl) + ", " + settings + "}";
  }
}
