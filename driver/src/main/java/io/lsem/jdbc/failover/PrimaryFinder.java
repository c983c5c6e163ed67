package io.lsem.jdbc.failover;

import io.lsem.jdbc.error.PrimaryNotFoundException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.postgresql.PGProperty;
import org.postgresql.core.BaseConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the primary among the hosts of a URL: connects to each host in turn and asks
 * {@code pg_is_in_recovery()}; the first host that answers {@code false} is the primary, and its
 * connection is kept. Tries again, with short pauses, until the timeout; then throws a
 * {@link PrimaryNotFoundException} naming every host and its last answer.
 */
public final class PrimaryFinder {
  private static final Logger LOG = LoggerFactory.getLogger(PrimaryFinder.class);
  private static final long PAUSE_MILLIS = 50;

  private final org.postgresql.Driver pgjdbc;
  private final List<HostSpec> hosts;
  private final String database;
  private final Properties properties;
  private final String pgUrl;
  private final Properties given;

  /**
   * {@code pgUrl} is a {@code jdbc:postgresql:} URL, possibly with several hosts;
   * {@code properties} the pgjdbc properties (credentials and the rest).
   */
  public PrimaryFinder(org.postgresql.Driver pgjdbc, String pgUrl, Properties properties) {
    this.pgjdbc = pgjdbc;
    Properties parsed = org.postgresql.Driver.parseURL(pgUrl, properties);
    if (parsed == null) {
      throw new IllegalArgumentException("not a pgjdbc URL");
    }
    this.database = PGProperty.PG_DBNAME.getOrDefault(parsed);
    String[] names = PGProperty.PG_HOST.getOrDefault(parsed).split(",");
    String[] ports = PGProperty.PG_PORT.getOrDefault(parsed).split(",");
    List<HostSpec> list = new ArrayList<>();
    for (int i = 0; i < names.length; i++) {
      list.add(new HostSpec(names[i], Integer.parseInt(ports[Math.min(i, ports.length - 1)])));
    }
    this.hosts = List.copyOf(list);
    this.properties = parsed;
    this.pgUrl = pgUrl;
    this.given = properties;
  }

  /** Whether the application chose a {@code targetServerType} (then pgjdbc's choice of host stands). */
  public boolean targetServerTypeGiven() {
    return properties.getProperty(PGProperty.TARGET_SERVER_TYPE.getName()) != null;
  }

  /**
   * Whether connections may land on standbys: the application's {@code targetServerType} admits
   * them (anything but primary/master), or it asked for a read-only connection (pgjdbc's
   * {@code readOnly=true}) on a multi-host URL without one.
   */
  public boolean mayOpenStandbys() {
    String type = properties.getProperty(PGProperty.TARGET_SERVER_TYPE.getName());
    return type == null ? readOnlyWithoutTarget()
        : !type.equalsIgnoreCase("primary") && !type.equalsIgnoreCase("master");
  }

  /** Several hosts, pgjdbc's {@code readOnly=true}, no {@code targetServerType}: read-only work for a standby. */
  private boolean readOnlyWithoutTarget() {
    return hosts.size() > 1 && properties.getProperty(PGProperty.TARGET_SERVER_TYPE.getName()) == null
        && Boolean.parseBoolean(properties.getProperty(PGProperty.READ_ONLY.getName()));
  }

  /**
   * A new connection as the application asked for it. With several hosts and no
   * {@code targetServerType}: the primary (pgjdbc alone would take the first host that answers,
   * standby or not), or for a read-only connection a standby if one answers. Otherwise pgjdbc's
   * own choice.
   */
  public BaseConnection connectAsAsked(long timeoutMillis) throws SQLException {
    if (readOnlyWithoutTarget()) {
      Properties p = new Properties();
      p.putAll(given);
      p.setProperty(PGProperty.TARGET_SERVER_TYPE.getName(), "preferSecondary");
      return pgjdbc.connect(pgUrl, p).unwrap(BaseConnection.class);
    }
    if (hosts.size() > 1 && !targetServerTypeGiven()) {
      return connect(timeoutMillis);
    }
    Connection c = pgjdbc.connect(pgUrl, given);
    if (c == null) {
      throw new SQLException("pgjdbc did not accept the URL", "08001");
    }
    return c.unwrap(BaseConnection.class);
  }

  /** A connection to the primary, found within {@code timeoutMillis}. */
  public BaseConnection connect(long timeoutMillis) throws SQLException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    Map<HostSpec, String> answers = new LinkedHashMap<>();
    SQLException last = null;
    for (;;) {
      for (HostSpec host : hosts) {
        try {
          BaseConnection c = open(host);
          if (!inRecovery(c)) {
            return c;
          }
          answers.put(host, "in recovery (a standby)");
          c.close();
        } catch (SQLException e) {
          last = e;
          answers.put(host, e.getSQLState() + " " + firstLine(e.getMessage()));
        }
      }
      if (System.nanoTime() - deadline >= 0) {
        List<String> lines = new ArrayList<>();
        answers.forEach((h, a) -> lines.add(h + ": " + a));
        throw new PrimaryNotFoundException("No primary among " + hosts + " within " + timeoutMillis
            + " ms (property failoverTimeout); answers: " + String.join("; ", lines), lines, last);
      }
      LOG.debug("no primary yet among {}: {}", hosts, answers);
      try {
        TimeUnit.MILLISECONDS.sleep(PAUSE_MILLIS); // between rounds of connection attempts, not a synchronization
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SQLException("interrupted while looking for the primary", "08001", e);
      }
    }
  }

  /** A plain pgjdbc connection to one host. */
  public BaseConnection open(HostSpec host) throws SQLException {
    Properties p = new Properties();
    p.putAll(properties);
    p.remove(PGProperty.PG_HOST.getName());
    p.remove(PGProperty.PG_PORT.getName());
    p.remove(PGProperty.PG_DBNAME.getName());
    p.remove(PGProperty.TARGET_SERVER_TYPE.getName());
    String url = "jdbc:postgresql://" + host.host() + ":" + host.port() + "/" + database;
    Connection c = pgjdbc.connect(url, p);
    return c.unwrap(BaseConnection.class);
  }

  /** Whether the server of {@code c} is a standby ({@code pg_is_in_recovery()}): one round trip, on pgjdbc's connection. */
  public static boolean inRecovery(BaseConnection c) throws SQLException {
    try (ResultSet rs = c.execSQLQuery("SELECT pg_catalog.pg_is_in_recovery()")) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  private static String firstLine(String s) {
    int nl = s == null ? -1 : s.indexOf('\n');
    return nl < 0 ? String.valueOf(s) : s.substring(0, nl);
  }
}
