package io.lsem.jdbc.spring;

import io.lsem.jdbc.LsemDriver;
import java.util.Map;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;

/**
 * The logic shared by both post-processors: when {@code spring.datasource.url} starts with
 * {@code jdbc:lsem:} and no driver class name is set anywhere, add
 * {@code spring.datasource.driver-class-name=io.lsem.jdbc.LsemDriver} as the last (lowest
 * precedence) property source; the same for the URLs Boot's Flyway and Liquibase take on their own
 * ({@code spring.flyway.url}, {@code spring.liquibase.url}: without it Flyway fails with "Driver has
 * not been set"). Idempotent: a second run, e.g. Spring Boot 4.0 running both the
 * current and the deprecated post-processor, changes nothing.
 */
final class DriverClassNameDefault {
  /** Name of the property source this adds; present only when the default was applied. */
  static final String PROPERTY_SOURCE_NAME = "lsemJdbcDriverClassName";
  static final String URL_PROPERTY = "spring.datasource.url";
  static final String DRIVER_CLASS_NAME_PROPERTY = "spring.datasource.driver-class-name";
  static final String URL_PREFIX = "jdbc:lsem:";

  private DriverClassNameDefault() {
  }

  /** Each URL property Spring Boot connects with, and the driver class property that goes with it. */
  private static final Map<String, String> URL_AND_DRIVER = Map.of(
      URL_PROPERTY, DRIVER_CLASS_NAME_PROPERTY,
      "spring.flyway.url", "spring.flyway.driver-class-name",
      "spring.liquibase.url", "spring.liquibase.driver-class-name");

  static void apply(ConfigurableEnvironment environment) {
    MutablePropertySources sources = environment.getPropertySources();
    if (sources.contains(PROPERTY_SOURCE_NAME)) {
      return;
    }
    // Binder: relaxed names (SPRING_DATASOURCE_URL, driverClassName) and placeholders, as Boot binds them
    Binder binder = Binder.get(environment);
    Map<String, Object> defaults = new java.util.HashMap<>();
    URL_AND_DRIVER.forEach((urlProperty, driverProperty) -> {
      String url = binder.bind(urlProperty, String.class).orElse(null);
      String driverClassName = binder.bind(driverProperty, String.class).orElse(null);
      if (url != null && url.startsWith(URL_PREFIX) && (driverClassName == null || driverClassName.isBlank())) {
        defaults.put(driverProperty, LsemDriver.class.getName());
      }
    });
    if (!defaults.isEmpty()) {
      sources.addLast(new MapPropertySource(PROPERTY_SOURCE_NAME, defaults));
    }
  }
}
