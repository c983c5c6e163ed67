package io.lsem.it;

import io.lsem.testkit.TestDatabase;
import org.hibernate.cfg.Configuration;

/**
 * Hibernate's own connection provider with only {@code hibernate.connection.url} (the LSEM URL),
 * user and password: no driver class, so Hibernate goes through {@link java.sql.DriverManager}.
 */
class HibernateDriverManagerTest extends HibernateScenarios {

  @Override
  void configureConnections(Configuration config, TestDatabase db) {
    config.setProperty("hibernate.connection.url", db.lsemUrl())
        .setProperty("hibernate.connection.username", db.user())
        .setProperty("hibernate.connection.password", db.password())
        .setProperty("hibernate.connection.pool_size", "4");
  }
}
