package io.lsem.jdbc;

import io.lsem.jdbc.value.Redaction;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * What the LSEM data source classes add to pgjdbc's: the driver's own properties (kept here,
 * validated when set) and the {@code jdbc:lsem:} form of the URL. pgjdbc's base class keeps
 * everything else — server names, ports, database, pgjdbc's properties — exactly as it does for
 * {@code PGSimpleDataSource}; connections are opened by the registered {@link LsemDriver}.
 */
final class DataSourceSettings implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  private final Map<String, String> lsem = new TreeMap<>();

  /**
   * The pgjdbc URL for {@code url}, a {@code jdbc:lsem:postgresql:} URL; the driver's own
   * properties in its query are taken out and kept. A pgjdbc URL is refused: a data source of
   * this driver that silently bypassed it would be the mistake it exists to prevent.
   */
  String plainUrl(String url) {
    if (url == null || !url.startsWith(LsemDriver.URL_PREFIX)) {
      throw new IllegalArgumentException("Invalid URL '" + (url == null ? null : Redaction.redact(url))
          + "' for an LSEM data source: expected " + LsemDriver.URL_PREFIX + "//host[:port]/database[?property=value"
          + "[&...]] (the jdbc:postgresql: URL with lsem: after jdbc:)");
    }
    String plain = "jdbc:" + url.substring("jdbc:lsem:".length());
    int q = plain.indexOf('?');
    if (q < 0) {
      return plain;
    }
    StringBuilder rest = new StringBuilder(plain.substring(0, q));
    char separator = '?';
    for (String pair : plain.substring(q + 1).split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = decode(eq < 0 ? pair : pair.substring(0, eq));
      LsemProperty p = LsemProperty.forName(name);
      if (p != null) {
        set(p, eq < 0 ? "" : decode(pair.substring(eq + 1)));
      } else {
        rest.append(separator).append(pair);
        separator = '&';
      }
    }
    return rest.toString();
  }

  /** The {@code jdbc:lsem:} URL of pgjdbc's {@code plain} URL, with the driver's properties kept here. */
  String lsemUrl(String plain) {
    StringBuilder url = new StringBuilder("jdbc:lsem:").append(plain.substring("jdbc:".length()));
    char separator = plain.indexOf('?') < 0 ? '?' : '&';
    for (Map.Entry<String, String> e : lsem.entrySet()) {
      url.append(separator).append(e.getKey()).append('=')
          .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
      separator = '&';
    }
    return url.toString();
  }

  /** The driver's property named {@code name}, or {@code null} for a pgjdbc one (kept by pgjdbc). */
  LsemProperty owned(String name) {
    return LsemProperty.forName(name);
  }

  /** Sets one of the driver's properties, refusing a bad value with the URL path's message. */
  void set(LsemProperty p, String value) {
    if (value == null) {
      lsem.remove(p.propertyName());
      return;
    }
    if (p.parse(value) == null) {
      throw new IllegalArgumentException(p.invalidValue(value));
    }
    lsem.put(p.propertyName(), value);
  }

  String get(LsemProperty p) {
    return lsem.get(p.propertyName());
  }

  /** A JNDI reference for {@code type} read back by {@link LsemObjectFactory}, pgjdbc's entries added by the caller. */
  static javax.naming.Reference reference(Class<?> type) {
    return new javax.naming.Reference(type.getName(), LsemObjectFactory.class.getName(), null);
  }

  /** Adds the driver's properties, as set, to {@code ref}. */
  javax.naming.Reference addTo(javax.naming.Reference ref) {
    lsem.forEach((name, value) -> ref.add(new javax.naming.StringRefAddr(name, value)));
    return ref;
  }

  /** Opens a connection through the driver for pgjdbc's {@code plainUrl}. */
  Connection connect(String plainUrl, String user, String password) throws SQLException {
    Properties p = new Properties();
    lsem.forEach(p::setProperty);
    if (user != null) {
      p.setProperty("user", user);
    }
    if (password != null) {
      p.setProperty("password", password);
    }
    return LsemDriver.registered().connect("jdbc:lsem:" + plainUrl.substring("jdbc:".length()), p);
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException malformed) {
      return s;
    }
  }
}
