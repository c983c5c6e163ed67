package io.lsem.jdbc.spring;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * For Spring Boot 4 and later: when {@code spring.datasource.url} is a {@code jdbc:lsem:} URL and
 * no {@code spring.datasource.driver-class-name} is set, supplies
 * {@code io.lsem.jdbc.LsemDriver} as the lowest-precedence default, because Spring Boot cannot
 * derive a driver class from that URL prefix. Any driver class name the application sets wins.
 * Registered in {@code META-INF/spring.factories} under
 * {@code org.springframework.boot.EnvironmentPostProcessor}; runs last, after the application's
 * configuration files are loaded.
 */
public final class DriverClassNamePostProcessor implements EnvironmentPostProcessor, Ordered {

  @Override
  public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
    DriverClassNameDefault.apply(environment);
  }

  @Override
  public int getOrder() {
    return Ordered.LOWEST_PRECEDENCE;
  }
}
