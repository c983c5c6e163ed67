package io.lsem.jdbc.spring.boot;

import io.lsem.jdbc.config.ConnectionConfig;
import io.lsem.jdbc.error.InvalidPropertyException;
import io.lsem.jdbc.pool.LsemDataSource;
import io.lsem.jdbc.pool.PoolMetrics;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.jdbc.metadata.DataSourcePoolMetadataProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Spring Boot 3.5 and 4: with {@code spring.datasource.url=jdbc:lsem:postgresql://...} and no other
 * {@code spring.datasource.type}, the application's {@code DataSource} is the driver's own pool,
 * {@link LsemDataSource}, configured by {@code spring.datasource.username|password} and
 * {@code spring.datasource.lsem.*} (every driver property, kebab-case or as named:
 * {@code spring.datasource.lsem.retry-max-attempts=10}, {@code spring.datasource.lsem.pool-max-size=20}).
 * The properties are checked at start-up: a misspelled name or a bad value stops the application with
 * the URL path's message. Boot's pool metadata (so {@code jdbc.connections.*} meters and the
 * {@code db} health check) and the pool's own meters ({@link PoolMetrics}: gauges, counters, and the
 * borrow wait and usage as timers) come with it. Name another {@code spring.datasource.type} (say
 * HikariCP) to keep that pool over the LSEM driver.
 *
 * <p>Runs before Boot's {@code DataSourceAutoConfiguration} (named for both Boot 3.5's and 4's
 * package), which then backs off.
 */
@AutoConfiguration(beforeName = {
    "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration",
    "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration"})
@ConditionalOnClass({DataSource.class, LsemDataSource.class})
public class LsemDataSourceAutoConfiguration {
  /** Where the driver's properties are read from. */
  public static final String PREFIX = "spring.datasource.lsem";

  @Bean
  @ConditionalOnMissingBean(DataSource.class)
  @Conditional(LsemPoolCondition.class)
  public LsemDataSource dataSource(Environment environment) throws SQLException {
    String url = environment.getProperty("spring.datasource.url");
    LsemDataSource dataSource = new LsemDataSource(url);
    Properties properties = new Properties();
    String user = environment.getProperty("spring.datasource.username");
    if (user != null) {
      properties.setProperty("user", user);
    }
    String password = environment.getProperty("spring.datasource.password");
    if (password != null) {
      properties.setProperty("password", password);
    }
    Map<String, String> lsem = Binder.get(environment).bind(PREFIX, Bindable.mapOf(String.class, String.class))
        .orElse(Map.of());
    Map<String, String> springNames = new java.util.HashMap<>();
    lsem.forEach((name, value) -> {
      String driverName = DriverPropertyNames.fromSpring(name);
      springNames.put(driverName, PREFIX + "." + name);
      properties.setProperty(driverName, value);
    });
    try {
      ConnectionConfig.parse(url, properties); // the URL's checks, now rather than at the first borrow
    } catch (InvalidPropertyException e) {
      String springName = springNames.get(e.propertyName());
      throw springName == null ? e : new InvalidPropertyException(e.propertyName(), springName + ": " + e.getMessage());
    }
    dataSource.setProperties(properties);
    return dataSource;
  }

  /** Boot's view of the pool: active, idle, max, min, usage (and through it the jdbc.connections.* meters and health). */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(DataSourcePoolMetadataProvider.class)
  static class PoolMetadata {
    @Bean
    DataSourcePoolMetadataProvider lsemPoolMetadataProvider() {
      return dataSource -> {
        try {
          return dataSource.isWrapperFor(LsemDataSource.class)
              ? new LsemPoolMetadata(dataSource.unwrap(LsemDataSource.class)) : null;
        } catch (SQLException e) {
          return null;
        }
      };
    }
  }

  /** The pool's own meters for every {@link LsemDataSource} bean, tagged with the bean's name. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "io.micrometer.core.instrument.binder.MeterBinder")
  static class Meters {
    @Bean
    io.micrometer.core.instrument.binder.MeterBinder lsemPoolMeters(ObjectProvider<Map<String, LsemDataSource>> pools) {
      return registry -> pools.getIfAvailable(Map::of)
          .forEach((name, dataSource) -> new PoolMetrics(dataSource, name).bindTo(registry));
    }
  }
}
