package io.lsem.jdbc.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lsem.jdbc.StderrCapture;
import io.lsem.testkit.PostgresExtension;
import io.lsem.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 14 item 9 and issue 13 item 7: what the driver decides about the user's database is said
 * once. Without an installed ledger, {@code timestamps=auto} (the default) creates nothing and says
 * once at INFO that timestamps are off and how to install the ledger; with
 * {@code installLedger=true} (asked for) it installs the ledger and says so once, naming the
 * database. (The other lines: a near-miss property name, {@code ConnectionConfigTest}; a recording
 * past {@code retryMaxRecordedBytes}, {@code HeapPerTransactionTest}.) The test binding
 * (slf4j-simple) writes to whatever {@code System.err} is at the time.
 */
@ExtendWith(PostgresExtension.class)
class SilentChangesLogTest {
  @Test
  void aMissingLedgerIsSaidOnceAndNothingIsCreated(TestDatabase db) throws Exception {
    TestDatabase fresh = db.server().createEmptyDatabase("silent_auto");
    try {
      String text = StderrCapture.captured(() -> {
        for (int i = 0; i < 2; i++) {
          assertEquals(false, hasLedger(fresh.lsem()), "timestamps=auto created the ledger unasked");
        }
      });
      String line = "INFO io.lsem.jdbc.ledger.Ledger - Global timestamps and the commit ledger are off for this"
          + " database: the commit ledger (schema lsem) is not installed in database '" + fresh.name()
          + "'; install it with 'lsem install --url <jdbc url>' (or connect once with installLedger=true)";
      assertEquals(1, occurrences(text, line), text);
    } finally {
      fresh.drop();
    }
  }

  @Test
  void installingTheLedgerWhenAskedIsLoggedOnce(TestDatabase db) throws Exception {
    TestDatabase fresh = db.server().createEmptyDatabase("silent_install");
    Properties asked = new Properties();
    asked.setProperty("installLedger", "true");
    try {
      String text = StderrCapture.captured(() -> {
        for (int i = 0; i < 2; i++) {
          assertEquals(true, hasLedger(fresh.lsem(asked)), "installLedger=true installed the ledger");
        }
      });
      String line = "INFO io.lsem.jdbc.ledger.Ledger - Installed the commit ledger (schema lsem) in database '"
          + fresh.name() + "' (installLedger=true)";
      assertEquals(1, occurrences(text, line), text);
    } finally {
      fresh.drop();
    }
  }

  private static boolean hasLedger(Connection c) throws Exception {
    try (c; Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT pg_catalog.to_regnamespace('lsem') IS NOT NULL")) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  private static int occurrences(String text, String line) {
    return text.split(java.util.regex.Pattern.quote(line), -1).length - 1;
  }

}
