package io.lsem.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lsem.testkit.PostgresExtension;
import io.lsem.testkit.TestDatabase;
import java.beans.Introspector;
import java.beans.PropertyDescriptor;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLDataException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.CommonDataSource;
import javax.sql.ConnectionPoolDataSource;
import javax.sql.DataSource;
import javax.sql.PooledConnection;
import javax.sql.XAConnection;
import javax.sql.XADataSource;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.ds.PGConnectionPoolDataSource;
import org.postgresql.ds.PGSimpleDataSource;
import org.postgresql.ds.common.BaseDataSource;
import org.postgresql.xa.PGXADataSource;

/**
 * pgjdbc's data source classes configured in code, as containers and applications do: pgjdbc's
 * own reject the {@code jdbc:lsem:} URL (and would bypass the driver), the LSEM subclasses take
 * the URL or pgjdbc's setters and every connection goes through the driver, with the driver's
 * own properties honoured.
 */
@ExtendWith(PostgresExtension.class)
class DataSourceClassesTest {

  @Test
  void pgjdbcsOwnClassesRejectTheLsemUrl(TestDatabase db) {
    assertThrows(IllegalArgumentException.class, () -> new PGSimpleDataSource().setUrl(db.lsemUrl()));
    assertThrows(IllegalArgumentException.class, () -> new PGConnectionPoolDataSource().setUrl(db.lsemUrl()));
    assertThrows(IllegalArgumentException.class, () -> new PGXADataSource().setUrl(db.lsemUrl()));
  }

  /** A transaction manager's path: a branch through the XA resource, prepared and committed in two phases. */
  @Test
  void xaDataSourceRunsABranchThroughTheDriver(TestDatabase db) throws Exception {
    try (Connection admin = db.plain(); Statement s = admin.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS xa_branch(a int)");
    }
    LsemXADataSource ds = new LsemXADataSource();
    ds.setUrl(db.lsemUrl());
    ds.setUser(db.user());
    ds.setPassword(db.password());
    XAConnection xa = ds.getXAConnection();
    try {
      byte[] global = ("g" + System.nanoTime()).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      Xid xid = new Xid() {
        public int getFormatId() { return 4711; }
        public byte[] getGlobalTransactionId() { return global; }
        public byte[] getBranchQualifier() { return new byte[] {1}; }
      };
      XAResource resource = xa.getXAResource();
      resource.start(xid, XAResource.TMNOFLAGS);
      try (Connection c = xa.getConnection(); Statement s = c.createStatement()) {
        assertTrue(c.isWrapperFor(LsemConnection.class), "the branch runs on the driver's connection");
        s.execute("INSERT INTO xa_branch VALUES (1)");
      }
      resource.end(xid, XAResource.TMSUCCESS);
      assertEquals(XAResource.XA_OK, resource.prepare(xid));
      resource.commit(xid, false);
    } finally {
      xa.close();
    }
    try (Connection admin = db.plain()) {
      assertEquals("1", scalar(admin, "SELECT count(*) FROM xa_branch"));
      assertEquals("0", scalar(admin, "SELECT count(*) FROM pg_prepared_xacts"), "nothing left prepared");
    }
  }

  /** Containers and frameworks find properties by JavaBeans introspection: every driver property is one, on each class. */
  @Test
  void everyDriverPropertyIsABeanPropertyOfEachClass() throws Exception {
    for (Class<?> type : List.of(LsemSimpleDataSource.class, LsemConnectionPoolDataSource.class, LsemXADataSource.class)) {
      Map<String, PropertyDescriptor> beans = new HashMap<>();
      for (PropertyDescriptor d : Introspector.getBeanInfo(type).getPropertyDescriptors()) {
        beans.put(d.getName(), d);
      }
      Object ds = type.getConstructor().newInstance();
      for (LsemProperty p : LsemProperty.values()) {
        PropertyDescriptor d = beans.get(p.propertyName());
        assertTrue(d != null && d.getWriteMethod() != null && d.getReadMethod() != null,
            type.getSimpleName() + " has no bean property " + p.propertyName());
        assertEquals(String.class, d.getPropertyType(), p.propertyName() + " takes the URL's text");
        assertEquals(null, d.getReadMethod().invoke(ds), p.propertyName() + " unset at first");
        d.getWriteMethod().invoke(ds, p.defaultValue());
        assertEquals(p.defaultValue(), d.getReadMethod().invoke(ds), p.propertyName());
        assertEquals(p.defaultValue(), ((LsemDataSourceProperties) ds).getDriverProperty(p));
      }
    }
  }

  /**
   * A container's path: attribute names and texts applied by introspection, as Tomcat's
   * {@code <Resource>} or an application server's data source properties are, reach the driver for
   * each of the three classes (retry off, untyped exceptions) and pgjdbc (application name).
   */
  @Test
  void beanPropertiesReachTheDriverThroughEachClass(TestDatabase db) throws Exception {
    Map<String, String> attributes = new LinkedHashMap<>();
    attributes.put("url", db.lsemUrl());
    attributes.put("user", db.user());
    attributes.put("password", db.password());
    attributes.put("applicationName", "by-beans");
    attributes.put("retry", "false");
    attributes.put("typedExceptions", "false");
    for (CommonDataSource ds : List.of(new LsemSimpleDataSource(), new LsemConnectionPoolDataSource(), new LsemXADataSource())) {
      Map<String, PropertyDescriptor> beans = new HashMap<>();
      for (PropertyDescriptor d : Introspector.getBeanInfo(ds.getClass()).getPropertyDescriptors()) {
        beans.put(d.getName(), d);
      }
      for (Map.Entry<String, String> a : attributes.entrySet()) {
        beans.get(a.getKey()).getWriteMethod().invoke(ds, a.getValue());
      }
      String name = ds.getClass().getSimpleName();
      PooledConnection physical = ds instanceof XADataSource ? ((XADataSource) ds).getXAConnection()
          : ds instanceof ConnectionPoolDataSource ? ((ConnectionPoolDataSource) ds).getPooledConnection() : null;
      try (Connection c = physical != null ? physical.getConnection() : ((DataSource) ds).getConnection();
           Statement s = c.createStatement()) {
        assertFalse(c.unwrap(LsemConnection.class).isRetryEnabled(), name + ": retry=false reached the driver");
        assertEquals("by-beans", applicationName(c), name);
        SQLException e = assertThrows(SQLException.class, () -> s.executeQuery("SELECT 1/0"));
        assertFalse(e instanceof SQLDataException, name + ": typedExceptions=false reached the driver, got " + e);
      } finally {
        if (physical != null) {
          physical.close();
        }
      }
    }
  }

  /** A container's JNDI path: the reference names the LSEM factory, which rebuilds the class with both kinds of property. */
  @Test
  void aJndiReferenceRebuildsEachClassWithTheDriversProperties(TestDatabase db) throws Exception {
    for (BaseDataSource original : List.of(new LsemSimpleDataSource(), new LsemConnectionPoolDataSource(), new LsemXADataSource())) {
      original.setUrl(db.lsemUrl() + "?retry=false&ApplicationName=by-jndi");
      original.setUser(db.user());
      original.setPassword(db.password());
      javax.naming.Reference ref = original.getReference();
      assertEquals(LsemObjectFactory.class.getName(), ref.getFactoryClassName());
      Object rebuilt = new LsemObjectFactory().getObjectInstance(ref, null, null, null);
      assertEquals(original.getClass(), rebuilt.getClass());
      BaseDataSource ds = (BaseDataSource) rebuilt;
      assertEquals("false", ((LsemDataSourceProperties) ds).getRetry());
      try (Connection c = ds.getConnection()) {
        assertFalse(c.unwrap(LsemConnection.class).isRetryEnabled(), ds.getClass().getSimpleName());
        assertEquals("by-jndi", applicationName(c));
      }
    }
  }

  /** A bad value set on a data source is refused when set, with the very message the URL gives at connect. */
  @Test
  void aBadBeanValueGetsTheUrlsMessage(TestDatabase db) {
    Map<String, String> bad = Map.of("retry", "maybe", "poolMaxSize", "0", "retryBackoffBase", "5 parsecs",
        "timestamps", "sometimes");
    for (Map.Entry<String, String> b : bad.entrySet()) {
      SQLException byUrl = assertThrows(SQLException.class, () -> DriverManager.getConnection(
          db.lsemUrl() + "?" + b.getKey() + "=" + b.getValue().replace(" ", "%20"), db.credentials()).close());
      LsemXADataSource ds = new LsemXADataSource();
      IllegalArgumentException bySetter = assertThrows(IllegalArgumentException.class,
          () -> ds.setDriverProperty(LsemProperty.forName(b.getKey()), b.getValue()));
      IllegalArgumentException byProperty = assertThrows(IllegalArgumentException.class,
          () -> ds.setProperty(b.getKey(), b.getValue()));
      IllegalArgumentException inUrl = assertThrows(IllegalArgumentException.class,
          () -> ds.setUrl(db.lsemUrl() + "?" + b.getKey() + "=" + b.getValue().replace(" ", "%20")));
      assertTrue(byUrl.getMessage().contains("'" + b.getValue() + "'") && byUrl.getMessage().contains("expected"),
          byUrl.getMessage());
      assertEquals(byUrl.getMessage(), bySetter.getMessage());
      assertEquals(byUrl.getMessage(), byProperty.getMessage());
      assertEquals(byUrl.getMessage(), inUrl.getMessage());
    }
  }

  @Test
  void aBadDriverPropertyValueNamesTheExpectedForm() {
    LsemSimpleDataSource ds = new LsemSimpleDataSource();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ds.setProperty("retry", "maybe"));
    assertTrue(e.getMessage().contains("retry") && e.getMessage().contains("maybe"), e.getMessage());
  }

  @Test
  void simpleDataSourceByUrl(TestDatabase db) throws SQLException {
    LsemSimpleDataSource ds = new LsemSimpleDataSource();
    ds.setUrl(db.lsemUrl() + "?ApplicationName=by-url&retry=false");
    ds.setUser(db.user());
    ds.setPassword(db.password());
    assertTrue(ds.getUrl().startsWith("jdbc:lsem:postgresql://"), ds.getUrl());
    assertEquals("false", ds.getProperty("retry"));
    try (Connection c = ds.getConnection()) {
      LsemConnection lsem = c.unwrap(LsemConnection.class);
      assertFalse(lsem.isRetryEnabled(), "retry=false from the URL reached the driver");
      assertEquals("by-url", applicationName(c), "pgjdbc's properties still reach pgjdbc");
    }
  }

  @Test
  void simpleDataSourceBySetters(TestDatabase db) throws SQLException {
    URI server = URI.create(db.plainUrl().substring("jdbc:".length()));
    LsemSimpleDataSource ds = new LsemSimpleDataSource();
    ds.setServerNames(new String[] {server.getHost()});
    ds.setPortNumbers(new int[] {server.getPort()});
    ds.setDatabaseName(db.name());
    ds.setApplicationName("by-setters");
    ds.setProperty("retry", "false");
    try (Connection c = ds.getConnection(db.user(), db.password())) {
      assertTrue(c.isWrapperFor(LsemConnection.class));
      assertFalse(c.unwrap(LsemConnection.class).isRetryEnabled());
      assertEquals("by-setters", applicationName(c));
      assertEquals(db.name(), currentDatabase(c));
    }
  }

  @Test
  void connectionPoolDataSourceHandsOutLsemConnections(TestDatabase db) throws SQLException {
    LsemConnectionPoolDataSource ds = new LsemConnectionPoolDataSource();
    ds.setUrl(db.lsemUrl());
    ds.setUser(db.user());
    ds.setPassword(db.password());
    PooledConnection pooled = ds.getPooledConnection();
    try {
      for (int i = 0; i < 2; i++) { // the container hands out and takes back the same physical connection
        try (Connection c = pooled.getConnection()) {
          assertTrue(c.isWrapperFor(LsemConnection.class), "through pgjdbc's pooled-connection handle");
          assertEquals(db.name(), currentDatabase(c));
        }
      }
    } finally {
      pooled.close();
    }
  }

  @Test
  void badUrlNamesTheExpectedForm() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new LsemSimpleDataSource().setUrl("jdbc:mysql://x/y"));
    assertTrue(e.getMessage().contains("jdbc:mysql://x/y") && e.getMessage().contains("jdbc:lsem:postgresql://"),
        e.getMessage());
  }

  private static String applicationName(Connection c) throws SQLException {
    return scalar(c, "SELECT current_setting('application_name')");
  }

  private static String currentDatabase(Connection c) throws SQLException {
    return scalar(c, "SELECT current_database()");
  }

  private static String scalar(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      assertTrue(rs.next());
      return rs.getString(1);
    }
  }
}
