package io.lsem.jdbc.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import io.lsem.jdbc.LsemConnection;
import io.lsem.jdbc.pool.LsemDataSource;
import io.lsem.testkit.PostgresExtension;
import io.lsem.testkit.TestDatabase;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.jdbc.metadata.CompositeDataSourcePoolMetadataProvider;
import org.springframework.boot.jdbc.metadata.DataSourcePoolMetadata;
import org.springframework.boot.jdbc.metadata.DataSourcePoolMetadataProvider;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The starter in a real Spring Boot application (the Boot version of this build) against a real
 * PostgreSQL: a {@code jdbc:lsem:} URL gets {@link LsemDataSource} configured from
 * {@code spring.datasource.lsem.*}, Boot's pool metadata and the pool's timers; a bad property stops
 * the application naming it; another {@code spring.datasource.type}, or a plain URL, is left to Boot.
 */
@ExtendWith(PostgresExtension.class)
class LsemDataSourceAutoConfigurationTest {

  @Configuration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  static class App {}

  private static ConfigurableApplicationContext start(TestDatabase db, String url, String... more) {
    SpringApplication app = new SpringApplication(App.class);
    app.setWebApplicationType(WebApplicationType.NONE);
    List<String> args = new ArrayList<>(List.of("--spring.datasource.url=" + url,
        "--spring.datasource.username=" + db.user(), "--spring.datasource.password=" + db.password()));
    args.addAll(List.of(more));
    return app.run(args.toArray(String[]::new));
  }

  @Test
  void anLsemUrlGetsTheDriversPoolConfiguredFromSpringDatasourceLsem(TestDatabase db) throws Exception {
    try (ConfigurableApplicationContext app = start(db, db.lsemUrl(), "--spring.datasource.lsem.pool-max-size=3",
        "--spring.datasource.lsem.retryMaxAttempts=7")) {
      LsemDataSource pool = assertInstanceOf(LsemDataSource.class, app.getBean(DataSource.class));
      assertEquals("3", pool.getProperty("poolMaxSize"), "kebab-case name");
      assertEquals("7", pool.getProperty("retryMaxAttempts"), "the driver's own name");
      assertEquals(42, app.getBean(JdbcTemplate.class).queryForObject("select 6 * 7", Integer.class));
      try (Connection c = pool.getConnection()) {
        assertTrue(c.isWrapperFor(LsemConnection.class));
        try (var s = c.createStatement()) {
          s.execute("SELECT pg_sleep(0.02)"); // held 20 ms
        }
      }

      DataSourcePoolMetadata metadata = new CompositeDataSourcePoolMetadataProvider(
          app.getBeansOfType(DataSourcePoolMetadataProvider.class).values()).getDataSourcePoolMetadata(pool);
      assertEquals(3, metadata.getMax());
      assertEquals(0, metadata.getActive());
      assertTrue(metadata.getIdle() >= 1, "the connection given back is idle: " + metadata.getIdle());

      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      app.getBeansOfType(MeterBinder.class).values().forEach(binder -> binder.bindTo(registry));
      var usage = registry.get("lsem.pool.usage").tag("pool", "dataSource").functionTimer();
      assertTrue(usage.count() >= 2, "the template's borrow and ours: " + usage.count());
      assertTrue(usage.totalTime(TimeUnit.MILLISECONDS) >= 20, "usage is time: " + usage.totalTime(TimeUnit.MILLISECONDS));
      assertTrue(registry.get("lsem.pool.borrow.wait").tag("pool", "dataSource").functionTimer().count() >= 2);
    }
  }

  /**
   * Boot's {@code db} health contributor (actuator) checks the driver's pool: UP, with PostgreSQL
   * named, through connections the pool lends. Boot 3.5 and 4 keep the indicator in different
   * packages, so this test calls {@code health()} by name.
   */
  @Test
  void theDbHealthIsCheckedThroughTheDriversPool(TestDatabase db) throws Exception {
    try (ConfigurableApplicationContext app = start(db, db.lsemUrl())) {
      LsemDataSource pool = assertInstanceOf(LsemDataSource.class, app.getBean(DataSource.class));
      Object indicator = app.getBean("dbHealthContributor");
      long borrowsBefore = borrows(pool);
      Object health = indicator.getClass().getMethod("health").invoke(indicator);
      Object status = health.getClass().getMethod("getStatus").invoke(health);
      Map<?, ?> details = (Map<?, ?>) health.getClass().getMethod("getDetails").invoke(health);
      assertEquals("UP", status.getClass().getMethod("getCode").invoke(status), String.valueOf(details));
      assertEquals("PostgreSQL", details.get("database"));
      assertTrue(borrows(pool) > borrowsBefore, "the check borrows its connections from the driver's pool");
    }
  }

  private static long borrows(LsemDataSource pool) {
    return pool.stats().borrows();
  }

  @Test
  void aMisspelledPropertyStopsTheApplicationNamingIt(TestDatabase db) {
    RuntimeException failure = assertThrows(RuntimeException.class,
        () -> start(db, db.lsemUrl(), "--spring.datasource.lsem.retry-max-atempts=7").close());
    String messages = causes(failure);
    assertTrue(messages.contains("spring.datasource.lsem.retry-max-atempts: Unknown property 'retryMaxAtempts'; did you mean"
        + " 'retryMaxAttempts'"), messages);
  }

  @Test
  void anotherPoolTypeIsKeptOverTheDriver(TestDatabase db) throws Exception {
    try (ConfigurableApplicationContext app = start(db, db.lsemUrl(),
        "--spring.datasource.type=com.zaxxer.hikari.HikariDataSource")) {
      HikariDataSource pool = assertInstanceOf(HikariDataSource.class, app.getBean(DataSource.class));
      try (Connection c = pool.getConnection()) {
        assertTrue(c.isWrapperFor(LsemConnection.class), "HikariCP over the LSEM driver");
      }
    }
  }

  @Test
  void aPlainUrlIsLeftToBoot(TestDatabase db) throws Exception {
    try (ConfigurableApplicationContext app = start(db, db.plainUrl())) {
      assertInstanceOf(HikariDataSource.class, app.getBean(DataSource.class));
    }
  }

  private static String causes(Throwable t) {
    StringBuilder s = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      s.append(c.getMessage()).append(" <- ");
    }
    return s.toString();
  }
}
