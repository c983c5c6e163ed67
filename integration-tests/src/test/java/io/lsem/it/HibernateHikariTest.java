package io.lsem.it;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.lsem.testkit.TestDatabase;
import org.hibernate.cfg.Configuration;

/**
 * Hibernate taking its connections from a HikariCP pool configured with the LSEM URL only (no
 * driver class), handed over as {@code hibernate.connection.datasource}. (The
 * {@code hibernate-hikaricp} integration is not published for Hibernate 6.6.56, the version this
 * project uses; a {@code DataSource} is the version-independent way.)
 */
class HibernateHikariTest extends HibernateScenarios {
  private HikariDataSource pool;

  @Override
  void configureConnections(Configuration config, TestDatabase db) {
    HikariConfig hikari = new HikariConfig();
    hikari.setJdbcUrl(db.lsemUrl());
    hikari.setUsername(db.user());
    hikari.setPassword(db.password());
    hikari.setMaximumPoolSize(4);
    hikari.setPoolName("lsem-it-hibernate");
    pool = new HikariDataSource(hikari);
    config.getProperties().put("hibernate.connection.datasource", pool);
  }

  @Override
  void closeConnections() {
    if (pool != null) {
      pool.close();
    }
  }
}
