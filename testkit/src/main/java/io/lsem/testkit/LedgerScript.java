package io.lsem.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Installs the driver's commit ledger the way an operator does with {@code lsem install}: the
 * driver never creates it unasked, so the servers and databases the kit hands out get it
 * explicitly. Does nothing when the driver (its script) is not on the class path.
 */
final class LedgerScript {
  private static final String RESOURCE = "/io/lsem/jdbc/ledger/lsem-ledger.sql";

  private LedgerScript() {}

  /** Runs the install script on {@code c} (a plain connection of a role that may create schemas). */
  static void installInto(Connection c) throws SQLException {
    String script = text();
    if (script != null) {
      try (Statement s = c.createStatement()) {
        s.execute(script);
      }
    }
  }

  private static String text() {
    try (InputStream in = LedgerScript.class.getResourceAsStream(RESOURCE)) {
      return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
