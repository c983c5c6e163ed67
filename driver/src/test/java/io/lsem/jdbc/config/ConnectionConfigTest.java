package io.lsem.jdbc.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lsem.jdbc.LsemProperty;
import io.lsem.jdbc.error.InvalidPropertyException;
import java.util.Locale;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.postgresql.PGProperty;

/**
 * URL and properties are split exactly: only the leading {@code lsem:} and the driver's own
 * properties are taken out, pgjdbc gets everything else untouched, and every bad input is an
 * {@link InvalidPropertyException} that names the property, the value and the expected form.
 */
class ConnectionConfigTest {

  private static Properties props(String... kv) {
    Properties p = new Properties();
    for (int i = 0; i < kv.length; i += 2) {
      p.setProperty(kv[i], kv[i + 1]);
    }
    return p;
  }

  @Test
  void removesOnlyTheLeadingLsem() throws Exception {
    ConnectionConfig c = ConnectionConfig.parse(
        "jdbc:lsem:postgresql://h1:5432,h2:5433/db?ApplicationName=jdbc:lsem:app&targetServerType=primary",
        null);
    assertEquals("jdbc:postgresql://h1:5432,h2:5433/db?ApplicationName=jdbc:lsem:app&targetServerType=primary",
        c.pgUrl());
  }

  @Test
  void takesItsOwnPropertiesFromUrlAndProperties() throws Exception {
    ConnectionConfig c = ConnectionConfig.parse("jdbc:lsem:postgresql://h/db?sslmode=disable&sqlCacheSize=7",
        props("user", "u", "password", "secret", "sqlCacheSize", "99"));
    assertEquals(7, c.settings().sqlCacheSize(), "the URL wins over Properties, as in pgjdbc");
    assertEquals("jdbc:postgresql://h/db?sslmode=disable", c.pgUrl());
    assertNull(c.pgProperties().getProperty("sqlCacheSize"));
    assertEquals("u", c.pgProperties().getProperty("user"));
    assertEquals("secret", c.pgProperties().getProperty("password"));

    c = ConnectionConfig.parse("jdbc:lsem:postgresql://h/db", props("sqlCacheSize", "99"));
    assertEquals(99, c.settings().sqlCacheSize());
    assertEquals("jdbc:postgresql://h/db", c.pgUrl());
    assertEquals(LsemSettings.defaults(), ConnectionConfig.parse("jdbc:lsem:postgresql:db", null).settings());
  }

  @Test
  void rejectsBadValuesNamingPropertyValueAndForm() {
    InvalidPropertyException e = assertThrows(InvalidPropertyException.class,
        () -> ConnectionConfig.parse("jdbc:lsem:postgresql://h/db?sqlCacheSize=lots", null));
    assertEquals("sqlCacheSize", e.propertyName());
    assertTrue(e.getMessage().contains("'lots'"), e.getMessage());
    assertTrue(e.getMessage().contains("an integer from 0 to 1000000"), e.getMessage());
    assertEquals("08001", e.getSQLState());
    assertThrows(InvalidPropertyException.class,
        () -> ConnectionConfig.parse("jdbc:lsem:postgresql://h/db", props("sqlCacheSize", "-1")));
  }

  @Test
  void rejectsNearMissesOfItsOwnNames() {
    InvalidPropertyException e = assertThrows(InvalidPropertyException.class,
        () -> ConnectionConfig.parse("jdbc:lsem:postgresql://h/db?sqlCachSize=5", null));
    assertTrue(e.getMessage().contains("did you mean 'sqlCacheSize' (a property of this driver)?"), e.getMessage());
    e = assertThrows(InvalidPropertyException.class,
        () -> ConnectionConfig.parse("jdbc:lsem:postgresql://h/db", props("SQLCACHESIZE", "5")));
    assertTrue(e.getMessage().contains("'sqlCacheSize'"), e.getMessage());
    e = assertThrows(InvalidPropertyException.class,
        () -> ConnectionConfig.parse("jdbc:lsem:postgresql://h/db?sqlCacheSize=many", null));
    assertTrue(e.getMessage().contains("sqlCacheSize"), e.getMessage());
  }

  /**
   * Issue 14 item 7: pgjdbc ignores names it does not know, so a near miss of one of its names
   * (pgjdbc's own test configuration has {@code preparethreshold}) is accepted and passed on, with
   * one WARN per name, its quotes balanced.
   */
  @Test
  void acceptsNearMissesOfPgjdbcNamesWithOneWarningEach() throws Exception {
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    java.io.PrintStream stderr = System.err;
    System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      for (int i = 0; i < 2; i++) {
        ConnectionConfig c = ConnectionConfig.parse("jdbc:lsem:postgresql://h/db?socketTimeOUt=5", null);
        assertTrue(c.pgUrl().endsWith("?socketTimeOUt=5"), c.pgUrl());
        c = ConnectionConfig.parse("jdbc:lsem:postgresql://h/db", props("applicationNam", "x"));
        assertEquals("x", c.pgProperties().getProperty("applicationNam"));
      }
    } finally {
      System.setErr(stderr);
    }
    String log = err.toString(java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(log.contains("Unknown property 'socketTimeOUt' ignored, as pgjdbc ignores it; did you mean"
        + " 'socketTimeout' (a pgjdbc property)?"), log);
    assertTrue(log.contains("did you mean 'ApplicationName' (a pgjdbc property)?"), log);
    assertEquals(2, log.split("WARN", -1).length - 1, "one warning per name: " + log);
  }

  @Test
  void passesUnrelatedUnknownNamesThrough() throws Exception {
    ConnectionConfig c = ConnectionConfig.parse("jdbc:lsem:postgresql://h/db?someFrameworkFlag=1",
        props("dataSourceName", "x"));
    assertEquals("jdbc:postgresql://h/db?someFrameworkFlag=1", c.pgUrl());
    assertEquals("x", c.pgProperties().getProperty("dataSourceName"));
  }

  @Test
  void rejectsMalformedUrlsWithoutLeakingThePassword() {
    InvalidPropertyException e = assertThrows(InvalidPropertyException.class,
        () -> ConnectionConfig.parse("jdbc:lsem:postgresql://h:notaport/db?password=hunter2", null));
    assertEquals("url", e.propertyName());
    assertTrue(e.getMessage().contains(ConnectionConfig.URL_FORM), e.getMessage());
    assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    e = assertThrows(InvalidPropertyException.class,
        () -> ConnectionConfig.parse("jdbc:lsem:postgresql://h/db?password=%zz", null));
    assertFalse(e.getMessage().contains("%zz"), e.getMessage());
  }

  @Test
  void neverShowsPasswords() throws Exception {
    ConnectionConfig c = ConnectionConfig.parse("jdbc:lsem:postgresql://h/db?password=hunter2&sslpassword=x2",
        props("password", "secret"));
    assertFalse(c.toString().contains("hunter2"));
    assertFalse(c.toString().contains("x2"));
    assertFalse(c.toString().contains("secret"));
    assertFalse(c.settings().toString().contains("secret"));
  }

  @Test
  void ownNamesNeverCollideWithPgjdbcNames() {
    for (LsemProperty p : LsemProperty.values()) {
      for (PGProperty pg : PGProperty.values()) {
        assertFalse(p.propertyName().toLowerCase(Locale.ROOT).equals(pg.getName().toLowerCase(Locale.ROOT)),
            p.propertyName() + " collides with pgjdbc's " + pg.getName());
      }
      assertTrue(p.parse(p.defaultValue()) != null, "default of " + p.propertyName() + " must be valid");
      assertFalse(p.description().isBlank());
    }
  }
}
