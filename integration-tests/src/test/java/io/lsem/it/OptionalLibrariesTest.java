package io.lsem.it;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lsem.jdbc.LsemConnection;
import io.lsem.testkit.PostgresExtension;
import io.lsem.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The driver's optional libraries (Micrometer, OpenTelemetry) are absent from this module's class
 * path, as from most applications': the shaded jar still connects and measures transactions (no
 * class of theirs is loaded unless asked for), and asking for them names the property and the
 * missing library instead of failing with a {@code NoClassDefFoundError}.
 */
@ExtendWith(PostgresExtension.class)
class OptionalLibrariesTest {

  @Test
  void theDriverWorksWithoutItsOptionalLibraries(TestDatabase db) throws SQLException {
    assertThrows(ClassNotFoundException.class, () -> Class.forName("io.micrometer.core.instrument.MeterRegistry"));
    assertThrows(ClassNotFoundException.class, () -> Class.forName("io.opentelemetry.api.GlobalOpenTelemetry"));
    Properties p = db.credentials();
    p.setProperty("slowTransactionThreshold", "1h"); // every transaction measured
    try (Connection c = DriverManager.getConnection(db.lsemUrl(), p); Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      s.execute("SELECT 1");
      c.commit();
      assertNotNull(c.unwrap(LsemConnection.class).lastTransactionBreakdown());
    }
  }

  @Test
  void askingForAnAbsentLibraryNamesIt(TestDatabase db) {
    for (String telemetry : new String[] {"micrometer", "opentelemetry"}) {
      Properties p = db.credentials();
      p.setProperty("transactionTelemetry", telemetry);
      SQLException e = assertThrows(SQLException.class, () -> DriverManager.getConnection(db.lsemUrl(), p));
      assertTrue(e.getMessage().contains("transactionTelemetry") && e.getMessage().contains("on the class path"),
          e.getMessage());
    }
  }
}
