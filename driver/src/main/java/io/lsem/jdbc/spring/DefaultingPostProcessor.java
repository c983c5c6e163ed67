package io.lsem.jdbc.spring;

import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * The body of both environment post-processors ({@link DriverClassNamePostProcessor} for Boot 4,
 * {@link LegacyDriverClassNamePostProcessor} for Boot 3): apply {@link DriverClassNameDefault},
 * last. Each subclass adds only the interface its Boot version looks for, so neither names a type
 * the other version lacks.
 */
abstract class DefaultingPostProcessor implements Ordered {

  public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
    DriverClassNameDefault.apply(environment);
  }

  @Override
  public int getOrder() {
    return Ordered.LOWEST_PRECEDENCE;
  }
}
