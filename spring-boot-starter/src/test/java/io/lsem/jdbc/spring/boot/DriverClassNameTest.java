package io.lsem.jdbc.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import io.lsem.jdbc.LsemConnection;
import io.lsem.testkit.PostgresExtension;
import io.lsem.testkit.TestDatabase;
import java.sql.Connection;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;

/**
 * Issue 18 items 1 and 2 with HikariCP as the pool (so the starter steps aside and the driver's own
 * Spring support does the work), on the Boot version of the module that runs it — Boot 4 in
 * {@code spring-boot-starter}, Boot 3.5 in {@code spring-boot3-test}: a {@code jdbc:lsem:} URL that
 * arrives in a property source added just before the context starts (what
 * {@code @DynamicPropertySource} does; Boot 3.5 failed with "Failed to determine a suitable driver
 * class", Boot 4 with H2 on the class path — as it is here — with "Driver org.h2.Driver claims to not
 * accept jdbcUrl"), and a configuration that keeps {@code driver-class-name=org.postgresql.Driver} and changes
 * only the URL ("Driver org.postgresql.Driver claims to not accept jdbcUrl").
 */
@ExtendWith(PostgresExtension.class)
class DriverClassNameTest {

  private static ConfigurableApplicationContext start(Map<String, Object> late, String... args) {
    SpringApplication app = new SpringApplication(LsemDataSourceAutoConfigurationTest.App.class);
    app.setWebApplicationType(WebApplicationType.NONE);
    app.addInitializers(context -> context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("late", late)));
    return app.run(args);
  }

  @Test
  void aUrlThatArrivesLateGetsTheDriver(TestDatabase db) throws Exception {
    try (ConfigurableApplicationContext app = start(Map.of("spring.datasource.url", db.lsemUrl(),
        "spring.datasource.username", db.user(), "spring.datasource.password", db.password(),
        "spring.datasource.type", HikariDataSource.class.getName()))) {
      assertLsemUnderHikari(app);
    }
  }

  @Test
  void aKeptPgjdbcDriverClassNameFollowsTheUrl(TestDatabase db) throws Exception {
    try (ConfigurableApplicationContext app = start(Map.of(), "--spring.datasource.url=" + db.lsemUrl(),
        "--spring.datasource.username=" + db.user(), "--spring.datasource.password=" + db.password(),
        "--spring.datasource.driver-class-name=org.postgresql.Driver",
        "--spring.datasource.type=" + HikariDataSource.class.getName())) {
      assertLsemUnderHikari(app);
    }
  }

  private static void assertLsemUnderHikari(ConfigurableApplicationContext app) throws Exception {
    HikariDataSource pool = assertInstanceOf(HikariDataSource.class, app.getBean(DataSource.class));
    assertEquals("io.lsem.jdbc.LsemDriver", pool.getDriverClassName());
    try (Connection c = pool.getConnection()) {
      assertTrue(c.isWrapperFor(LsemConnection.class));
    }
  }
}
