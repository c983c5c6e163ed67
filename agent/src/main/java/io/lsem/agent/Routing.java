package io.lsem.agent;

import io.lsem.jdbc.LsemDriver;
import io.lsem.jdbc.LsemXADataSource;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Properties;
import javax.sql.XAConnection;
import org.postgresql.ds.common.BaseDataSource;

/**
 * What the calls the agent adds to pgjdbc's classes reach: decides whether a connection the application asked
 * pgjdbc for goes through LSEM JDBC instead, and opens it. The LSEM driver opens its own physical
 * connections through the same pgjdbc methods; those pass through unchanged (a frame of
 * {@code io.lsem.jdbc} on the stack), so each connection is wrapped once.
 *
 * <p>The agent's properties ({@link AgentSettings}) are defaults: what the application sets in its
 * URL, its properties or its data source wins.
 */
public final class Routing {
  private static final String PG_PREFIX = "jdbc:postgresql:";
  private static final StackWalker STACK = StackWalker.getInstance();
  private static volatile Properties defaults = new Properties();

  /** The driver, made on first use: making it loads pgjdbc, which must happen after the agent is installed. */
  private static final class Holder {
    static final LsemDriver DRIVER = new LsemDriver();
  }

  private Routing() {}

  static void configure(Properties agentDefaults) {
    defaults = agentDefaults;
  }

  /**
   * At the start of {@code org.postgresql.Driver.connect(url, info)}: the LSEM connection for a
   * {@code jdbc:postgresql:} URL the application asked for, or {@code null} to let pgjdbc connect.
   */
  public static java.sql.Connection driverConnect(Object driver, Object url, Object info) throws SQLException {
    if (!(url instanceof String u) || !u.startsWith(PG_PREFIX) || calledByTheDriver()) {
      return null;
    }
    Properties p = new Properties();
    p.putAll(defaults);
    if (info != null) {
      p.putAll((Properties) info);
    }
    return Holder.DRIVER.connect(lsemUrl(u), p);
  }

  /**
   * At the start of {@code BaseDataSource.getConnection(user, password)}, which every pgjdbc data
   * source's connections come from: the LSEM connection for the data source's URL (which holds
   * every setting made on it), or {@code null} when the LSEM driver itself is asking.
   */
  public static java.sql.Connection dataSourceConnect(Object dataSource, Object user, Object password) throws SQLException {
    if (calledByTheDriver()) {
      return null;
    }
    Properties p = new Properties();
    p.putAll(defaults);
    if (user != null) {
      p.setProperty("user", (String) user);
    }
    if (password != null) {
      p.setProperty("password", (String) password);
    }
    return Holder.DRIVER.connect(lsemUrl(((BaseDataSource) dataSource).getUrl()), p);
  }

  /**
   * At the start of {@code PGXADataSource.getXAConnection(user, password)}: the driver's own XA
   * connection for the same URL (its branches record the ledger's rows), or {@code null} when the
   * LSEM driver itself is asking.
   */
  public static XAConnection xaConnect(Object dataSource, Object user, Object password) throws SQLException {
    if (calledByTheDriver()) {
      return null;
    }
    LsemXADataSource xa = new LsemXADataSource();
    xa.setUrl(withDefaults(lsemUrl(((BaseDataSource) dataSource).getUrl())));
    return xa.getXAConnection((String) user, (String) password);
  }

  private static String lsemUrl(String pgUrl) {
    return "jdbc:lsem:" + pgUrl.substring("jdbc:".length());
  }

  /** {@code url} with the agent's defaults in front of its own query parameters (later ones win). */
  private static String withDefaults(String url) {
    if (defaults.isEmpty()) {
      return url;
    }
    StringBuilder query = new StringBuilder();
    defaults.forEach((k, v) -> query.append(query.length() == 0 ? "" : "&")
        .append(URLEncoder.encode(k.toString(), StandardCharsets.UTF_8)).append('=')
        .append(URLEncoder.encode(v.toString(), StandardCharsets.UTF_8)));
    int q = url.indexOf('?');
    return q < 0 ? url + "?" + query : url.substring(0, q + 1) + query + "&" + url.substring(q + 1);
  }

  /** Whether LSEM JDBC itself is opening this connection (a physical connection under an LSEM one). */
  private static boolean calledByTheDriver() {
    return STACK.walk(frames -> frames.anyMatch(f -> f.getClassName().startsWith("io.lsem.jdbc.")));
  }
}
