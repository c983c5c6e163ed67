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
 * precedence) property source. Idempotent: a second run, e.g. Spring Boot 4.0 running both the
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

  static void apply(ConfigurableEnvironment environment) {
    MutablePropertySources sources = environment.getPropertySources();
    if (sources.contains(PROPERTY_SOURCE_NAME)) {
      return;
    }
    // Binder: relaxed names (SPRING_DATASOURCE_URL, driverClassName) and placeholders, as Boot binds them
    Binder binder = Binder.get(environment);
    String url = binder.bind(URL_PROPERTY, String.class).orElse(null);
    if (url == null || !url.startsWith(URL_PREFIX)) {
      return;
    }
    String driverClassName = binder.bind(DRIVER_CLASS_NAME_PROPERTY, String.class).orElse(null);
    if (driverClassName != null && !driverClassName.isBlank()) {
      return;
    }
    sources.addLast(new MapPropertySource(PROPERTY_SOURCE_NAME,
        Map.of(DRIVER_CLASS_NAME_PROPERTY, LsemDriver.class.getName())));
  }
}
