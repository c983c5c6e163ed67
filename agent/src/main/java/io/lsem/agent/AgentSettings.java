package io.lsem.agent;

import io.lsem.jdbc.LsemProperty;
import io.lsem.jdbc.config.ConnectionConfig;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;

/**
 * The driver properties the agent gives every connection it routes, from three places, the later
 * winning: the environment variable {@code LSEM_PROPERTIES}, the agent's argument (both
 * {@code name=value&name=value}, values URL-encoded where they hold {@code &}), and system properties
 * {@code -Dlsem.<name>=value} for the driver's property names. Checked at once, like a URL's: an
 * unknown name or a bad value is an {@link IllegalArgumentException} that names it and the
 * expected form, and the JVM does not start.
 */
final class AgentSettings {
  static final String ENVIRONMENT_VARIABLE = "LSEM_PROPERTIES";
  static final String SYSTEM_PREFIX = "lsem.";

  private AgentSettings() {}

  static Properties read(String argument, Map<String, String> environment, Properties system) {
    Properties p = new Properties();
    parse(environment.get(ENVIRONMENT_VARIABLE), "the environment variable " + ENVIRONMENT_VARIABLE, p);
    parse(argument, "the agent's argument (-javaagent:lsem-jdbc-agent.jar=...)", p);
    for (LsemProperty property : LsemProperty.values()) {
      String value = system.getProperty(SYSTEM_PREFIX + property.propertyName());
      if (value != null) {
        p.setProperty(property.propertyName(), value);
      }
    }
    try {
      ConnectionConfig.parse(ConnectionConfig.URL_PREFIX + "//127.0.0.1/agent", p);
    } catch (java.sql.SQLException e) {
      throw new IllegalArgumentException("lsem-jdbc-agent: " + e.getMessage(), e);
    }
    return p;
  }

  private static void parse(String text, String source, Properties into) {
    if (text == null || text.isBlank()) {
      return;
    }
    for (String pair : text.split("&")) {
      if (pair.isBlank()) {
        continue;
      }
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("lsem-jdbc-agent: '" + pair + "' in " + source
            + " is not name=value (expected name=value&name=value, e.g. timestamps=on&retry=true)");
      }
      into.setProperty(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
          URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
  }
}
