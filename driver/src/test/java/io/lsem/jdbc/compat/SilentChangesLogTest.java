package io.lsem.jdbc.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lsem.testkit.PostgresExtension;
import io.lsem.testkit.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 14 item 9: a change the driver makes that the application did not ask for is said once.
 * Here: with {@code timestamps=auto} (the default) the driver installs its commit ledger (schema
 * {@code lsem}) in a database that lacks it — logged once at INFO, naming the database and how to
 * keep it from happening; a second connection logs nothing more. Before: not a word. (The other
 * lines: a near-miss property name, {@code ConnectionConfigTest}; a recording past
 * {@code retryMaxRecordedBytes}, {@code HeapPerTransactionTest}.) The test binding (slf4j-simple)
 * writes to whatever {@code System.err} is at the time.
 */
@ExtendWith(PostgresExtension.class)
class SilentChangesLogTest {
  @Test
  void installingTheLedgerIsLoggedOnce(TestDatabase db) throws Exception {
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    PrintStream stderr = System.err;
    System.setErr(new PrintStream(new OutputStream() {
      @Override
      public void write(int b) {
        stderr.write(b);
        log.write(b);
      }

      @Override
      public void write(byte[] b, int off, int len) {
        stderr.write(b, off, len);
        log.write(b, off, len);
      }
    }, true, StandardCharsets.UTF_8));
    try {
      for (int i = 0; i < 2; i++) {
        try (Connection c = db.lsem(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT to_regnamespace('lsem') IS NOT NULL")) {
          rs.next();
          assertEquals(true, rs.getBoolean(1), "timestamps=auto installed the ledger");
        }
      }
    } finally {
      System.err.flush();
      System.setErr(stderr);
    }
    String text = log.toString(StandardCharsets.UTF_8);
    String line = "INFO io.lsem.jdbc.ledger.Ledger - Installed the commit ledger (schema lsem) in database '"
        + db.name() + "' (timestamps=auto); set timestamps=off to keep the driver from creating it";
    assertEquals(1, text.split(java.util.regex.Pattern.quote(line), -1).length - 1, text);
  }
}
