package io.lsem.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lsem.testkit.PostgresExtension;
import io.lsem.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class DriverTest {

  @Test
  void driverManagerFindsTheDriverFromTheUrlAlone(TestDatabase db) throws Exception {
    assertInstanceOf(LsemDriver.class, DriverManager.getDriver(db.lsemUrl()));
    try (Connection c = DriverManager.getConnection(db.lsemUrl(), db.user(), db.password());
         Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("select current_database()")) {
      assertInstanceOf(LsemConnection.class, c);
      assertTrue(rs.next());
      assertEquals(db.name(), rs.getString(1));
    }
  }

  @Test
  void acceptsOnlyLsemPostgresqlUrls() throws Exception {
    LsemDriver d = LsemDriver.registered();
    assertTrue(d.acceptsURL("jdbc:lsem:postgresql://h/db"));
    assertTrue(d.acceptsURL("jdbc:lsem:postgresql:db"));
    assertFalse(d.acceptsURL("jdbc:postgresql://h/db"));
    assertFalse(d.acceptsURL("jdbc:lsem:mysql://h/db"));
    assertFalse(d.acceptsURL(null));
    assertNull(d.connect("jdbc:postgresql://h/db", null));
  }
}
