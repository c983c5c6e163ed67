package io.lsem.examples;

import io.lsem.jdbc.cli.Lsem;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Properties;

/**
 * The PostgreSQL an example runs against: an embedded server (zonky) on 127.0.0.1 with its data in
 * a temporary directory removed at {@link #close()}, and the commit ledger installed the way an
 * operator installs it ({@code lsem install}). In an application the URL points at your server.
 */
final class ExampleServer implements AutoCloseable {
  private final EmbeddedPostgres pg;

  private ExampleServer(EmbeddedPostgres pg) {
    this.pg = pg;
  }

  /** Starts the server and installs the ledger. */
  static ExampleServer start() throws IOException {
    System.out.println("Starting an embedded PostgreSQL ...");
    ExampleServer server = new ExampleServer(EmbeddedPostgres.builder()
        .setDataDirectory(Files.createTempDirectory("lsem-example-")).setCleanDataDirectory(true)
        .setServerConfig("listen_addresses", "127.0.0.1").start());
    System.out.println("Installing the commit ledger (lsem install) ...");
    if (Lsem.run(new String[] {"install", "--url", server.plainUrl(), "--user", "postgres"}, System.out,
        System.err) != 0) {
      server.close();
      throw new IllegalStateException("lsem install failed");
    }
    return server;
  }

  /** The URL plain pgjdbc would use. */
  String plainUrl() {
    return "jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/postgres";
  }

  /** The same URL through LSEM JDBC: only {@code lsem:} differs. */
  String lsemUrl() {
    return "jdbc:lsem:" + plainUrl().substring("jdbc:".length());
  }

  /** User (and, on a real server, password) for {@code DriverManager}. */
  Properties credentials() {
    Properties p = new Properties();
    p.setProperty("user", "postgres");
    return p;
  }

  @Override
  public void close() throws IOException {
    pg.close();
  }
}
