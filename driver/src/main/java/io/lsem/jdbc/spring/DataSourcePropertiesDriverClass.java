package io.lsem.jdbc.spring;

import io.lsem.jdbc.LsemDriver;
import java.lang.reflect.Method;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Sets the driver class of Spring Boot's {@code DataSourceProperties} once they are bound, for the
 * two cases the environment post-processor cannot see: a {@code jdbc:lsem:} URL that arrives after
 * the environment was prepared ({@code @DynamicPropertySource}, a test's or an initializer's
 * property source), and a configuration that keeps {@code driver-class-name=org.postgresql.Driver}
 * and changes only the URL (pgjdbc's driver refuses {@code jdbc:lsem:} URLs, so that pairing can
 * only mean the LSEM driver). Any other driver class the application names is left alone.
 * Registered as an {@code ApplicationContextInitializer} in {@code META-INF/spring.factories}; it
 * adds this post-processor to the context. Works with Spring Boot 3 and 4, whose
 * {@code DataSourceProperties} live in different packages: the two accessors are looked up once per
 * bean at start-up.
 */
public final class DataSourcePropertiesDriverClass implements BeanPostProcessor,
    ApplicationContextInitializer<ConfigurableApplicationContext> {
  private static final Logger LOG = LoggerFactory.getLogger(DataSourcePropertiesDriverClass.class);
  private static final String PGJDBC_DRIVER = "org.postgresql.Driver";

  @Override
  public void initialize(ConfigurableApplicationContext context) {
    context.getBeanFactory().addBeanPostProcessor(this);
  }

  @Override
  public Object postProcessAfterInitialization(Object bean, String beanName) {
    String type = bean.getClass().getName();
    if (!type.equals("org.springframework.boot.jdbc.autoconfigure.DataSourceProperties")
        && !type.equals("org.springframework.boot.autoconfigure.jdbc.DataSourceProperties")) {
      return bean;
    }
    try {
      Object url = bean.getClass().getMethod("getUrl").invoke(bean);
      if (!(url instanceof String) || !((String) url).startsWith(DriverClassNameDefault.URL_PREFIX)) {
        return bean;
      }
      Object driver = bean.getClass().getMethod("getDriverClassName").invoke(bean);
      if (driver == null || ((String) driver).isBlank() || PGJDBC_DRIVER.equals(driver)) {
        Method set = bean.getClass().getMethod("setDriverClassName", String.class);
        set.invoke(bean, LsemDriver.class.getName());
        if (PGJDBC_DRIVER.equals(driver)) {
          LOG.info("spring.datasource.driver-class-name is {} but the URL is a jdbc:lsem: URL, which only {}"
              + " accepts: using {}", PGJDBC_DRIVER, LsemDriver.class.getName(), LsemDriver.class.getName());
        }
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.debug("could not inspect {} for a jdbc:lsem: URL", type, e);
    }
    return bean;
  }
}
