package io.lsem.jdbc.cli;

import io.lsem.jdbc.ledger.Ledger;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The driver's command line, shipped in its jar:
 *
 * <pre>
 * java -cp lsem-jdbc.jar:postgresql.jar:slf4j-api.jar io.lsem.jdbc.cli.Lsem verify --url jdbc:postgresql://host/db --user u [--table t ...]
 * java -cp ... io.lsem.jdbc.cli.Lsem install --url jdbc:postgresql://host/db --user u
 * </pre>
 *
 * {@code verify} checks the commit ledger and, with {@code --table}, that table's rows against it
 * (see {@link LedgerVerifier}); it prints what it checked and exits 0 when everything holds, 1 on
 * any violation, 2 on bad arguments or when it cannot connect. {@code install} creates the
 * {@code lsem} schema (the script the driver runs itself when it may). The password comes from
 * {@code --password} or the environment variable {@code LSEM_PASSWORD}, and is never printed.
 */
public final class Lsem {
  static final int OK = 0;
  static final int VIOLATIONS = 1;
  static final int USAGE = 2;
  private static final String USAGE_TEXT = "usage: lsem verify --url JDBC_URL [--user USER] [--password PASSWORD]"
      + " [--table [SCHEMA.]TABLE]... [--strict] [--max-offset MILLIS (default 60000)]\n"
      + "       lsem install --url JDBC_URL [--user USER] [--password PASSWORD]\n"
      + "JDBC_URL: jdbc:postgresql://host[:port]/database or jdbc:lsem:postgresql://...;"
      + " the password may also come from LSEM_PASSWORD";

  private final PrintStream out;
  private final PrintStream err;
  private final Map<String, String> environment;

  Lsem(PrintStream out, PrintStream err, Map<String, String> environment) {
    this.out = out;
    this.err = err;
    this.environment = environment;
  }

  public static void main(String[] args) {
    System.exit(new Lsem(System.out, System.err, System.getenv()).run(args));
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
    try (Connection c = connect(a)) {
      return a.command.equals("install") ? install(c) : verify(c, a);
    } catch (SQLException e) {
      err.println("lsem: cannot " + a.command + " " + redact(a.url) + ": " + e.getSQLState() + " " + e.getMessage());
      return USAGE;
    }
  }

  private int install(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(Ledger.script());
    }
    out.println("installed the lsem schema (commit ledger, version 1)");
    return OK;
  }

  private int verify(Connection c, Arguments a) throws SQLException {
    LedgerVerifier v = new LedgerVerifier(c, a.maxOffsetMillis);
    if (v.checkLedger()) {
      for (String table : a.tables) {
        v.checkTable(table, a.strict);
      }
    }
    out.println("lsem verify " + redact(a.url));
    for (String line : v.report()) {
      out.println("  " + line);
    }
    out.println(v.violations() == 0 ? "verified: no violation" : v.violations() + " check(s) violated");
    return v.violations() == 0 ? OK : VIOLATIONS;
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
    Connection c = new org.postgresql.Driver().connect(url, p);
    if (c == null) {
      throw new SQLException("not a PostgreSQL JDBC URL; expected jdbc:postgresql://host[:port]/database", "08001");
    }
    return c;
  }

  /** The URL without a password parameter. */
  static String redact(String url) {
    return url == null ? null : url.replaceAll("(?i)(password=)[^&]*", "$1***");
  }

  /** The parsed command line. */
  static final class Arguments {
    String command;
    String url;
    String user;
    String password;
    final List<String> tables = new ArrayList<>();
    boolean strict;
    long maxOffsetMillis = 60_000;

    static Arguments parse(String[] args) {
      Arguments a = new Arguments();
      if (args.length == 0 || !(args[0].equals("verify") || args[0].equals("install"))) {
        throw new IllegalArgumentException(args.length == 0 ? "no command given"
            : "unknown command '" + args[0] + "'; expected verify or install");
      }
      a.command = args[0];
      for (int i = 1; i < args.length; i++) {
        String name = args[i];
        switch (name) {
          case "--url": a.url = value(args, ++i, name); break;
          case "--user": a.user = value(args, ++i, name); break;
          case "--password": a.password = value(args, ++i, name); break;
          case "--table": a.tables.add(table(value(args, ++i, name))); break;
          case "--strict": a.strict = true; break;
          case "--max-offset": a.maxOffsetMillis = millis(value(args, ++i, name)); break;
          default: throw new IllegalArgumentException("unknown option '" + name + "'");
        }
      }
      if (a.url == null) {
        throw new IllegalArgumentException("--url is required");
      }
      if (!a.url.startsWith("jdbc:postgresql:") && !a.url.startsWith("jdbc:lsem:postgresql:")) {
        throw new IllegalArgumentException("bad --url '" + redact(a.url)
            + "'; expected jdbc:postgresql://host[:port]/database or jdbc:lsem:postgresql://...");
      }
      return a;
    }

    private static String value(String[] args, int i, String name) {
      if (i >= args.length || args[i].startsWith("--")) {
        throw new IllegalArgumentException(name + " needs a value");
      }
      return args[i];
    }

    private static String table(String t) {
      LedgerVerifier.quoteTable(t); // rejects empty parts
      return t;
    }

    private static long millis(String v) {
      try {
        long ms = Long.parseLong(v);
        if (ms >= 0) {
          return ms;
        }
      } catch (NumberFormatException ignored) {
        // reported below
      }
      throw new IllegalArgumentException("bad --max-offset '" + v + "'; expected milliseconds, 0 or more");
    }
  }
}
