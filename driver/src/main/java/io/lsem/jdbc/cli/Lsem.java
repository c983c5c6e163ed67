package io.lsem.jdbc.cli;

import io.lsem.jdbc.clock.Hlc;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The driver's command line, shipped in its jar:
 *
 * <pre>
 * java -cp lsem-jdbc.jar:postgresql.jar:slf4j-api.jar io.lsem.jdbc.cli.Lsem verify --url jdbc:postgresql://host/db --user u [--table t1,t2 ...]
 * java -cp ... io.lsem.jdbc.cli.Lsem install --url jdbc:postgresql://host/db --user u
 * </pre>
 *
 * {@code verify} checks the commit ledger and, with {@code --table}, those tables' rows against it
 * (see {@link LedgerVerifier}), all in one read-only REPEATABLE READ transaction (one snapshot); it
 * prints what it checked and exits 0 when everything holds, 1 on any violation, 2 on bad arguments
 * or when it cannot connect or query. With several {@code --url}s it checks each database, then the
 * XA global transactions across them ({@link GlobalTransactionVerifier}). {@code install} creates the {@code lsem} schema (the script
 * the driver runs itself when it may). The password comes from {@code --password} or the
 * environment variable {@code LSEM_PASSWORD}, and is never printed. Nothing here calls
 * {@link System#exit}, except {@link #main}.
 */
public final class Lsem {
  static final int OK = 0;
  static final int VIOLATIONS = 1;
  static final int USAGE = 2;
  /** The ledger's SQL script, the one the driver runs (io.lsem.jdbc.ledger.Ledger). */
  static final String LEDGER_SCRIPT = "/io/lsem/jdbc/ledger/lsem-ledger.sql";
  static final String USAGE_TEXT = "usage: lsem verify --url JDBC_URL [--user USER] [--password PASSWORD]"
      + " [--table [SCHEMA.]TABLE[,...]]... [--since TIMESTAMP] [--strict] [--max-offset MILLIS (default 60000)]\n"
      + "       lsem verify --url JDBC_URL --url JDBC_URL... [...] [--max-prepared-age MILLIS (default 60000)]"
      + "   (XA global transactions across the databases)\n"
      + "       lsem install --url JDBC_URL [--user USER] [--password PASSWORD]\n"
      + "JDBC_URL: jdbc:postgresql://host[:port]/database or jdbc:lsem:postgresql://...;"
      + " the password may also come from LSEM_PASSWORD\n"
      + "TIMESTAMP: a commit timestamp (a decimal 64-bit HLC value), an instant (2026-11-24T16:00:00Z)"
      + " or a date (2026-11-24, midnight UTC)";

  private final PrintStream out;
  private final PrintStream err;
  private final Map<String, String> environment;

  Lsem(PrintStream out, PrintStream err, Map<String, String> environment) {
    this.out = out;
    this.err = err;
    this.environment = environment;
  }

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs the command {@code args} with the process's environment; returns the exit status. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    return new Lsem(out, err, System.getenv()).run(args);
  }

  /** Runs the command {@code args}; returns the exit status. */
  int run(String[] args) {
    Arguments a;
    try {
      a = Arguments.parse(args);
    } catch (IllegalArgumentException e) {
      err.println("lsem: " + e.getMessage());
      err.println(USAGE_TEXT);
      return USAGE;
    }
    if (a.help) {
      out.println(USAGE_TEXT);
      return OK;
    }
    if (a.command.equals("verify") && a.urls.size() > 1) {
      return verifyAll(a);
    }
    Connection c;
    try {
      c = connect(a);
    } catch (SQLException e) {
      err.println("lsem: cannot connect to --url " + redact(a.url) + (a.user == null ? "" : " as --user " + a.user)
          + ": " + e.getSQLState() + " " + redact(e.getMessage()));
      return USAGE;
    }
    try (c) {
      return a.command.equals("install") ? install(c) : verify(c, a);
    } catch (LedgerVerifier.BadArgument e) {
      err.println("lsem: " + e.getMessage());
      return USAGE;
    } catch (SQLException e) {
      err.println("lsem: cannot " + a.command + " " + redact(a.url) + ": " + e.getSQLState() + " " + redact(e.getMessage()));
      return USAGE;
    }
  }

  private int install(Connection c) throws SQLException {
    String script;
    // Read here rather than through Ledger.script(): Ledger needs SLF4J, the command only pgjdbc.
    try (InputStream in = Lsem.class.getResourceAsStream(LEDGER_SCRIPT)) {
      if (in == null) {
        throw new SQLException("the jar lacks " + LEDGER_SCRIPT);
      }
      script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new SQLException("cannot read " + LEDGER_SCRIPT + ": " + e.getMessage(), e);
    }
    try (Statement s = c.createStatement()) {
      s.execute(script);
    }
    out.println("installed the lsem schema (commit ledger, version 4) owned by " + c.getMetaData().getUserName()
        + "; grant lsem_writer to the roles that record commits");
    return OK;
  }

  private int verify(Connection c, Arguments a) throws SQLException, LedgerVerifier.BadArgument {
    // One snapshot for every check, and no xid: the verifier never writes.
    c.setAutoCommit(false);
    c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
    c.setReadOnly(true);
    try (Statement s = c.createStatement()) {
      s.execute("SET TRANSACTION READ ONLY");
    }
    LedgerVerifier v = new LedgerVerifier(c, a.maxOffsetMillis, a.since);
    try {
      java.util.List<String> resolved = new java.util.ArrayList<>();
      for (String table : a.tables) {
        resolved.add(v.qualify(table)); // with the user's search_path, before it is pinned
      }
      try (Statement s = c.createStatement()) {
        // nothing the checks call can be shadowed by objects in the user's schemas
        s.execute("SET LOCAL search_path = pg_catalog, pg_temp");
      }
      if (v.checkLedger()) {
        for (int i = 0; i < a.tables.size(); i++) {
          v.checkTable(a.tables.get(i), resolved.get(i), a.strict);
        }
      }
    } finally {
      c.rollback();
    }
    out.println("lsem verify " + redact(a.url)
        + (a.since == null ? "" : " --since " + a.since + " (" + Hlc.format(a.since) + ")"));
    for (String line : v.report()) {
      out.println("  " + line);
    }
    out.println(v.violations() == 0 ? "verified: no violation" : v.violations() + " check(s) violated");
    return v.violations() == 0 ? OK : VIOLATIONS;
  }

  /**
   * {@code verify} with several {@code --url}s: each database on its own, then the XA global
   * transactions across them ({@link GlobalTransactionVerifier}).
   */
  private int verifyAll(Arguments a) {
    int status = OK;
    GlobalTransactionVerifier global = new GlobalTransactionVerifier(a.maxPreparedAgeSeconds);
    for (String url : a.urls) {
      a.url = url;
      Connection c;
      try {
        c = connect(a);
      } catch (SQLException e) {
        err.println("lsem: cannot connect to --url " + redact(url) + (a.user == null ? "" : " as --user " + a.user)
            + ": " + e.getSQLState() + " " + redact(e.getMessage()));
        return USAGE;
      }
      try (c) {
        status = Math.max(status, verify(c, a));
        global.read(c, redact(url));
      } catch (LedgerVerifier.BadArgument e) {
        err.println("lsem: " + e.getMessage());
        return USAGE;
      } catch (SQLException e) {
        err.println("lsem: cannot verify " + redact(url) + ": " + e.getSQLState() + " " + redact(e.getMessage()));
        return USAGE;
      }
    }
    global.check();
    out.println("lsem verify across " + a.urls.size() + " databases: XA global transactions");
    for (String line : global.report()) {
      out.println("  " + line);
    }
    out.println(global.violations() == 0 ? "verified: no violation" : global.violations() + " check(s) violated");
    return global.violations() == 0 ? status : VIOLATIONS;
  }

  private Connection connect(Arguments a) throws SQLException {
    String url = a.url.startsWith("jdbc:lsem:") ? "jdbc:" + a.url.substring("jdbc:lsem:".length()) : a.url;
    Properties p = new Properties();
    if (a.user != null) {
      p.setProperty("user", a.user);
    }
    String password = a.password != null ? a.password : environment.get("LSEM_PASSWORD");
    if (password != null) {
      p.setProperty("password", password);
    }
    p.setProperty("ApplicationName", "lsem " + a.command);
    Connection c = new org.postgresql.Driver().connect(url, p);
    if (c == null) {
      throw new SQLException("not a PostgreSQL JDBC URL; expected jdbc:postgresql://host[:port]/database", "08001");
    }
    return c;
  }

  /** The text without a password parameter's value. */
  static String redact(String text) {
    return text == null ? null : io.lsem.jdbc.value.Redaction.redact(text);
  }

  /** The parsed command line. */
  static final class Arguments {
    String command;
    String url;
    /** Every {@code --url} given (verify takes several: the databases of XA global transactions). */
    final List<String> urls = new ArrayList<>();
    long maxPreparedAgeSeconds = 60;
    String user;
    String password;
    final List<String> tables = new ArrayList<>();
    boolean strict;
    boolean help;
    Long since;
    long maxOffsetMillis = 60_000;

    static Arguments parse(String[] args) {
      Arguments a = new Arguments();
      if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help"))) {
        a.help = true;
        return a;
      }
      if (args.length == 0 || !(args[0].equals("verify") || args[0].equals("install"))) {
        throw new IllegalArgumentException(args.length == 0 ? "no command given; expected verify or install"
            : "unknown command '" + args[0] + "'; expected verify or install");
      }
      a.command = args[0];
      for (int i = 1; i < args.length; i++) {
        String name = args[i];
        String inline = null;
        int eq = name.indexOf('=');
        if (name.startsWith("--") && eq > 0) {
          inline = name.substring(eq + 1);
          name = name.substring(0, eq);
        }
        if (inline == null && isValued(name)) {
          inline = value(args, ++i, name);
        }
        switch (name) {
          case "--url": a.url = inline; a.urls.add(inline); break;
          case "--max-prepared-age": a.maxPreparedAgeSeconds = millis(name, inline) / 1000; break;
          case "--user": a.user = inline; break;
          case "--password": a.password = inline; break;
          case "--table": tables(inline, a.tables); break;
          case "--since": a.since = since(inline); break;
          case "--max-offset": a.maxOffsetMillis = millis(name, inline); break;
          case "--strict": a.strict = true; break;
          case "--help": a.help = true; break;
          default:
            throw new IllegalArgumentException("unknown option '" + name + "' for " + a.command);
        }
        if (a.command.equals("install") && (name.equals("--table") || name.equals("--since")
            || name.equals("--strict") || name.equals("--max-offset") || name.equals("--max-prepared-age"))) {
          throw new IllegalArgumentException(name + " is an option of verify, not of install");
        }
      }
      if (a.help) {
        return a;
      }
      if (a.url == null) {
        throw new IllegalArgumentException("--url is required; expected --url jdbc:postgresql://host[:port]/database");
      }
      if (a.command.equals("install") && a.urls.size() > 1) {
        throw new IllegalArgumentException("install takes one --url; run it once per database");
      }
      for (String url : a.urls) {
        if (!url.startsWith("jdbc:postgresql:") && !url.startsWith("jdbc:lsem:postgresql:")) {
          throw new IllegalArgumentException("bad --url '" + redact(url)
              + "'; expected jdbc:postgresql://host[:port]/database or jdbc:lsem:postgresql://...");
        }
      }
      return a;
    }

    private static boolean isValued(String name) {
      switch (name) {
        case "--url": case "--user": case "--password": case "--table": case "--since": case "--max-offset":
        case "--max-prepared-age":
          return true;
        default:
          return false;
      }
    }

    private static String value(String[] args, int i, String name) {
      if (i >= args.length || args[i].startsWith("--")) {
        throw new IllegalArgumentException(name + " needs a value" + (name.equals("--table")
            ? "; expected --table [SCHEMA.]TABLE[,...]" : ""));
      }
      return args[i];
    }

    private static void tables(String list, List<String> into) {
      for (String t : list.split(",", -1)) {
        t = t.trim();
        LedgerVerifier.quoteTable(t); // rejects empty names and parts
        into.add(t);
      }
    }

    /** A commit timestamp, an ISO-8601 instant or a date (UTC), as the lowest timestamp of that millisecond. */
    static long since(String v) {
      try {
        if (v.matches("[0-9]+")) {
          return Long.parseLong(v);
        }
        if (v.matches("[0-9]{4}-[0-9]{2}-[0-9]{2}")) {
          return Hlc.of(LocalDate.parse(v).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli(), 0);
        }
        return Hlc.of(Instant.parse(v).toEpochMilli(), 0);
      } catch (NumberFormatException | DateTimeParseException e) {
        throw new IllegalArgumentException("bad --since '" + v + "'; expected a commit timestamp (a decimal 64-bit"
            + " HLC value), an instant such as 2026-11-24T16:00:00Z, or a date such as 2026-11-24");
      }
    }

    private static long millis(String name, String v) {
      try {
        long ms = Long.parseLong(v);
        if (ms >= 0) {
          return ms;
        }
      } catch (NumberFormatException ignored) {
        // reported below
      }
      throw new IllegalArgumentException("bad " + name + " '" + v + "'; expected milliseconds, 0 or more");
    }
  }
}
