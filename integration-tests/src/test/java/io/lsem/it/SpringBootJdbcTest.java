package io.lsem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import io.lsem.jdbc.LsemConnection;
import io.lsem.jdbc.TransactionStatus;
import io.lsem.testkit.PostgresExtension;
import io.lsem.testkit.TestDatabase;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.jdbc.DatabaseDriver;
import org.springframework.boot.jdbc.autoconfigure.DataSourceProperties;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.DefaultResourceLoader;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A real Spring Boot 4 application (non-web, {@code spring-boot-starter-jdbc}) whose
 * configuration file sets only {@code spring.datasource.url} (the LSEM URL), username and
 * password. Spring Boot derives the driver class from the URL prefix and does not know
 * {@code jdbc:lsem:}; the driver's environment post-processor supplies it. Shows the failure
 * without the post-processor, the working application with it, and that the post-processor
 * stays out of the way when it is not wanted.
 */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SpringBootJdbcTest {
  private static final String DRIVER_CLASS_NAME = "spring.datasource.driver-class-name";
  private TestDatabase db;
  private Path applicationProperties;
  private ConfigurableApplicationContext app;

  @BeforeAll
  void start(TestDatabase db, @TempDir Path dir) throws Exception {
    this.db = db;
    try (Connection c = db.plain(); Statement s = c.createStatement()) {
      s.execute("create table note (id int primary key, text text not null)");
    }
    // what an application's application.properties would hold: no driver-class-name
    applicationProperties = dir.resolve("application.properties");
    Files.writeString(applicationProperties, "spring.datasource.url=" + db.lsemUrl() + "\n"
        + "spring.datasource.username=" + db.user() + "\n"
        + "spring.datasource.password=" + db.password() + "\n");
    app = application(JdbcApp.class, null).run(configFrom(applicationProperties));
  }

  @AfterAll
  void stop() {
    if (app != null) {
      app.close();
    }
  }

  @BeforeEach
  void emptyTable() {
    app.getBean(JdbcTemplate.class).update("truncate note");
  }

  @Test
  void springBootCannotDeriveTheDriverFromAnLsemUrl() {
    assertEquals(DatabaseDriver.UNKNOWN, DatabaseDriver.fromJdbcUrl(db.lsemUrl()));
    assertNull(DatabaseDriver.fromJdbcUrl(db.lsemUrl()).getDriverClassName());
    assertEquals("org.postgresql.Driver", DatabaseDriver.fromJdbcUrl(db.plainUrl()).getDriverClassName());
  }

  @Test
  void withoutThePostProcessorTheApplicationFailsToStart() throws IOException {
    URL driverJar = DriverArtifact.codeSourceOf(LsemConnection.class).toUri().toURL();
    HidingSpringFactories loader = new HidingSpringFactories(getClass().getClassLoader(), driverJar.toString());
    RuntimeException failure = assertThrows(RuntimeException.class,
        () -> application(JdbcApp.class, loader).run(configFrom(applicationProperties)).close());
    assertTrue(loader.hidden > 0, "the driver jar's spring.factories was never looked up");
    assertTrue(causes(failure).stream().anyMatch(t -> String.valueOf(t.getMessage())
            .contains("Failed to determine a suitable driver class")),
        "expected Spring Boot's 'Failed to determine a suitable driver class', got " + causes(failure));
  }

  @Test
  void theDriverClassIsSuppliedOnceAtLowestPrecedence() {
    ConfigurableEnvironment env = app.getEnvironment();
    assertEquals("io.lsem.jdbc.LsemDriver", env.getProperty(DRIVER_CLASS_NAME));
    List<PropertySource<?>> providers = sourcesDefining(env, DRIVER_CLASS_NAME);
    assertEquals(1, providers.size(), "added more than once: " + providers);
    // below everything an application or its environment can set
    List<String> order = env.getPropertySources().stream().map(PropertySource::getName).toList();
    int supplied = order.indexOf(providers.get(0).getName());
    List<String> above = new ArrayList<>(List.of("commandLineArgs", "systemProperties", "systemEnvironment"));
    above.add(sourcesDefining(env, "spring.datasource.url").get(0).getName()); // the configuration file
    for (String name : above) {
      assertTrue(order.indexOf(name) >= 0 && order.indexOf(name) < supplied, name + " is not above it: " + order);
    }

    assertEquals("io.lsem.jdbc.LsemDriver", app.getBean(DataSourceProperties.class).determineDriverClassName());
    HikariDataSource pool = assertInstanceOf(HikariDataSource.class, app.getBean(DataSource.class));
    assertEquals("io.lsem.jdbc.LsemDriver", pool.getDriverClassName());
    assertEquals(db.lsemUrl(), pool.getJdbcUrl());
  }

  @Test
  void jdbcTemplateQueriesThroughTheLsemDriver() {
    JdbcTemplate jdbc = app.getBean(JdbcTemplate.class);
    assertEquals(db.name(), jdbc.queryForObject("select current_database()", String.class));
    assertEquals(42, jdbc.queryForObject("select ? * ?", Integer.class, 6, 7));
    Boolean lsem = jdbc.execute((ConnectionCallback<Boolean>) c -> c.isWrapperFor(LsemConnection.class));
    assertEquals(Boolean.TRUE, lsem);
  }

  @Test
  void transactionalServiceCommitsAndRollsBack() throws SQLException {
    NoteService notes = app.getBean(NoteService.class);
    assertEquals(TransactionStatus.State.ACTIVE, notes.add(1, "committed"));
    assertThrows(IllegalStateException.class, () -> notes.addThenFail(2, "rolled back by the exception"));
    assertEquals(List.of("committed"), textsInDatabase());
  }

  @Test
  void transactionTemplateCommitsAndRollsBack() throws SQLException {
    TransactionTemplate tx = app.getBean(TransactionTemplate.class);
    JdbcTemplate jdbc = app.getBean(JdbcTemplate.class);
    tx.executeWithoutResult(status -> jdbc.update("insert into note values (10, 'template commit')"));
    tx.executeWithoutResult(status -> {
      jdbc.update("insert into note values (11, 'template rollback-only')");
      assertEquals(1, jdbc.queryForObject("select count(*) from note where id = 11", Integer.class));
      status.setRollbackOnly();
    });
    assertEquals(List.of("template commit"), textsInDatabase());
  }

  @Test
  void anExplicitDriverClassNameWins(@TempDir Path dir) throws IOException {
    Path props = dir.resolve("application.properties");
    // the relaxed spelling, as many applications write it
    Files.writeString(props, "spring.datasource.url=" + db.lsemUrl() + "\n"
        + "spring.datasource.driverClassName=com.example.ChosenDriver\n");
    try (ConfigurableApplicationContext ctx = application(EmptyApp.class, null).run(configFrom(props))) {
      ConfigurableEnvironment env = ctx.getEnvironment();
      assertEquals("com.example.ChosenDriver", env.getProperty(DRIVER_CLASS_NAME));
      assertEquals(1, sourcesDefining(env, DRIVER_CLASS_NAME).size());
    }
  }

  /**
   * Issue 18 item 1: the URL arrives after the environment was prepared, as with
   * {@code @DynamicPropertySource} (a property source added by an initializer, the same moment).
   * Without the driver's initializer this failed with "Failed to determine a suitable driver class".
   */
  @Test
  void aUrlAddedAfterTheEnvironmentWasPreparedWorks() {
    SpringApplication late = application(JdbcApp.class, null);
    late.addInitializers(ctx -> ctx.getEnvironment().getPropertySources().addFirst(
        new org.springframework.core.env.MapPropertySource("dynamic", java.util.Map.of(
            "spring.datasource.url", db.lsemUrl(), "spring.datasource.username", db.user(),
            "spring.datasource.password", db.password()))));
    try (ConfigurableApplicationContext ctx = late.run()) {
      assertNull(ctx.getEnvironment().getProperty(DRIVER_CLASS_NAME), "the environment never saw a default");
      JdbcTemplate jdbc = ctx.getBean(JdbcTemplate.class);
      assertEquals(Boolean.TRUE, jdbc.execute((ConnectionCallback<Boolean>) c -> c.isWrapperFor(LsemConnection.class)));
      assertEquals("io.lsem.jdbc.LsemDriver", ctx.getBean(DataSourceProperties.class).getDriverClassName());
    }
  }

  /**
   * Issue 18 item 2: a configuration that keeps {@code driver-class-name=org.postgresql.Driver} and
   * changes only the URL. pgjdbc's driver refuses the URL ("claims to not accept jdbcUrl"); the LSEM
   * driver is used instead.
   */
  @Test
  void aKeptPgjdbcDriverClassNameWithAnLsemUrlUsesTheLsemDriver(@TempDir Path dir) throws IOException {
    Path props = dir.resolve("application.properties");
    Files.writeString(props, "spring.datasource.url=" + db.lsemUrl() + "\n"
        + "spring.datasource.driver-class-name=org.postgresql.Driver\n"
        + "spring.datasource.username=" + db.user() + "\n"
        + "spring.datasource.password=" + db.password() + "\n");
    try (ConfigurableApplicationContext ctx = application(JdbcApp.class, null).run(configFrom(props))) {
      JdbcTemplate jdbc = ctx.getBean(JdbcTemplate.class);
      assertEquals(Boolean.TRUE, jdbc.execute((ConnectionCallback<Boolean>) c -> c.isWrapperFor(LsemConnection.class)));
      HikariDataSource pool = assertInstanceOf(HikariDataSource.class, ctx.getBean(DataSource.class));
      assertEquals("io.lsem.jdbc.LsemDriver", pool.getDriverClassName());
    }
  }

  @Test
  void otherUrlsAreLeftAlone(@TempDir Path dir) throws IOException {
    Path props = dir.resolve("application.properties");
    Files.writeString(props, "spring.datasource.url=" + db.plainUrl() + "\n");
    try (ConfigurableApplicationContext ctx = application(EmptyApp.class, null).run(configFrom(props))) {
      assertNull(ctx.getEnvironment().getProperty(DRIVER_CLASS_NAME));
    }
    try (ConfigurableApplicationContext ctx = application(EmptyApp.class, null).run()) {
      assertNull(ctx.getEnvironment().getProperty(DRIVER_CLASS_NAME));
    }
  }

  // ---- the application ----------------------------------------------------------------------

  /** The application under test: auto-configuration only, plus one transactional service. */
  @SpringBootConfiguration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  static class JdbcApp {
    @Bean
    NoteService noteService(JdbcTemplate jdbc, DataSource dataSource) {
      return new NoteService(jdbc, dataSource);
    }
  }

  /** No beans at all: for looking at the environment only. */
  @Configuration(proxyBeanMethods = false)
  static class EmptyApp {
  }

  /** A service with declarative transactions, as applications write them. */
  static class NoteService {
    private final JdbcTemplate jdbc;
    private final DataSource dataSource;

    NoteService(JdbcTemplate jdbc, DataSource dataSource) {
      this.jdbc = jdbc;
      this.dataSource = dataSource;
    }

    /** Inserts a note; returns the transaction state the driver reports inside the transaction. */
    @Transactional
    public TransactionStatus.State add(int id, String text) throws SQLException {
      jdbc.update("insert into note values (?, ?)", id, text);
      Connection bound = DataSourceUtils.getConnection(dataSource); // the transaction's connection
      return bound.unwrap(LsemConnection.class).transactionStatus().state();
    }

    @Transactional
    public void addThenFail(int id, String text) {
      jdbc.update("insert into note values (?, ?)", id, text);
      throw new IllegalStateException("fail after the insert");
    }
  }

  /**
   * Hides the driver jar's {@code META-INF/spring.factories} from Spring: the application as it
   * would be without the driver's environment post-processors. Classes come from the parent.
   */
  static final class HidingSpringFactories extends ClassLoader {
    private final String jar;
    int hidden;

    HidingSpringFactories(ClassLoader parent, String jar) {
      super(parent);
      this.jar = jar;
    }

    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
      List<URL> urls = Collections.list(super.getResources(name));
      if (name.equals("META-INF/spring.factories")) {
        int before = urls.size();
        urls.removeIf(u -> u.toString().contains(jar));
        hidden += before - urls.size();
      }
      return Collections.enumeration(urls);
    }
  }

  // ---- helpers ----------------------------------------------------------------------------------

  private static SpringApplication application(Class<?> source, ClassLoader loader) {
    // the loader is given at construction: initializers and listeners are read from it there
    SpringApplication application = loader == null ? new SpringApplication(source)
        : new SpringApplication(new DefaultResourceLoader(loader), source);
    application.setWebApplicationType(WebApplicationType.NONE);
    application.setLogStartupInfo(false);
    application.setBannerMode(Banner.Mode.OFF);
    return application;
  }

  private static String[] configFrom(Path properties) {
    return new String[] {"--spring.config.location=" + properties.toUri()};
  }

  /** The property sources that define {@code name} themselves (not the relaxed-binding view of all). */
  private static List<PropertySource<?>> sourcesDefining(ConfigurableEnvironment env, String name) {
    List<PropertySource<?>> result = new ArrayList<>();
    for (PropertySource<?> source : env.getPropertySources()) {
      if (!source.getName().equals("configurationProperties")
          && (source.containsProperty(name) || (name.equals(DRIVER_CLASS_NAME)
              && source.containsProperty("spring.datasource.driverClassName")))) {
        result.add(source);
      }
    }
    return result;
  }

  private static List<Throwable> causes(Throwable t) {
    List<Throwable> result = new ArrayList<>();
    for (Throwable c = t; c != null && !result.contains(c); c = c.getCause()) {
      result.add(c);
    }
    return result;
  }

  private List<String> textsInDatabase() throws SQLException {
    List<String> result = new ArrayList<>();
    try (Connection c = db.plain(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("select text from note order by id")) {
      while (rs.next()) {
        result.add(rs.getString(1));
      }
    }
    return result;
  }
}
