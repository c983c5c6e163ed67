package io.lsem.examples;

import io.lsem.jdbc.LsemConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A Spring Boot application whose only LSEM-specific lines are its configuration: the
 * {@code jdbc:lsem:} URL and {@code spring.datasource.lsem.*} for the driver's pool (the starter,
 * {@code io.lsem:lsem-jdbc-spring-boot-starter}, makes {@code LsemDataSource} the DataSource). Eight
 * threads make transfers in {@code TransactionTemplate}s at SERIALIZABLE with no retry code; the
 * conflicts are replayed by the driver. A duplicate key still reaches the code as Spring's
 * {@code DuplicateKeyException}, as with plain pgjdbc.
 *
 * <p>Run with {@code mvn -B -q -pl examples -am -DskipTests package exec:java
 * -Dexec.mainClass=io.lsem.examples.SpringBootExample}.
 */
public final class SpringBootExample {
  private static final int THREADS = 8;
  private static final int TRANSFERS_PER_THREAD = 100;

  private SpringBootExample() {}

  /** The application: Boot's auto-configuration, nothing else. */
  @Configuration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  static class Application {}

  public static void main(String[] args) throws Exception {
    try (ExampleServer server = ExampleServer.start()) {
      SpringApplication app = new SpringApplication(Application.class);
      app.setWebApplicationType(WebApplicationType.NONE);
      try (ConfigurableApplicationContext context = app.run(
          "--spring.datasource.url=" + server.lsemUrl(),
          "--spring.datasource.username=postgres",
          "--spring.datasource.lsem.pool-max-size=4",
          "--spring.datasource.lsem.retry-max-attempts=50")) {
        run(context);
      }
    }
  }

  private static void run(ConfigurableApplicationContext context) throws InterruptedException {
    DataSource dataSource = context.getBean(DataSource.class);
    System.out.println("Spring's DataSource: " + dataSource.getClass().getName());
    JdbcTemplate jdbc = context.getBean(JdbcTemplate.class);
    TransactionTemplate serializable = new TransactionTemplate(context.getBean(PlatformTransactionManager.class));
    serializable.setIsolationLevel(TransactionDefinition.ISOLATION_SERIALIZABLE);

    jdbc.execute("CREATE TABLE account(id int PRIMARY KEY, balance bigint NOT NULL)");
    jdbc.execute("INSERT INTO account SELECT g, 1000 FROM generate_series(1, 10) g");
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      Thread thread = new Thread(() -> {
        for (int i = 0; i < TRANSFERS_PER_THREAD; i++) {
          int from = ThreadLocalRandom.current().nextInt(1, 11);
          long amount = ThreadLocalRandom.current().nextLong(1, 50);
          serializable.executeWithoutResult(status -> {
            jdbc.update("UPDATE account SET balance = balance - ? WHERE id = ?", amount, from);
            jdbc.update("UPDATE account SET balance = balance + ? WHERE id = ?", amount, from % 10 + 1);
          });
        }
      });
      thread.start();
      threads.add(thread);
    }
    for (Thread thread : threads) {
      thread.join();
    }
    System.out.println(THREADS * TRANSFERS_PER_THREAD + " transfers; money in the accounts: "
        + jdbc.queryForObject("SELECT sum(balance) FROM account", Long.class) + " (10,000 before)");
    System.out.println("conflicts the driver replayed, on one of the pool's connections: "
        + jdbc.execute((java.sql.Connection c) -> c.unwrap(LsemConnection.class).retryStats()));
    try {
      jdbc.update("INSERT INTO account VALUES (1, 0)");
    } catch (DuplicateKeyException e) {
      System.out.println("a duplicate key, as Spring translates it: " + e.getClass().getSimpleName()
          + " caused by " + e.getCause().getClass().getSimpleName());
    }
  }
}
