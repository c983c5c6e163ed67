package io.lsem.examples;

import io.lsem.jdbc.LsemConnection;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.hibernate.SessionFactory;
import org.hibernate.cfg.AvailableSettings;
import org.hibernate.cfg.Configuration;

/**
 * Hibernate ORM through the {@code jdbc:lsem:} URL and the standard PostgreSQL dialect. Eight
 * threads make transfers at SERIALIZABLE in two ways:
 * <ul>
 *   <li>with HQL updates ({@code balance = balance - :amount}): a conflict is replayed by the
 *       driver, whose replay sees the same row counts, so the application never hears of it;</li>
 *   <li>by loading the entities and changing them: a replay would read other balances than the
 *       application saw, so the driver refuses it ({@code ReplayMismatchException}) and Hibernate
 *       reports it as a lock exception ({@code OptimisticLockException},
 *       {@code PessimisticLockException} or {@code LockAcquisitionException}, as the moment decides), which this loop retries as any application that reads before it
 *       writes must.</li>
 * </ul>
 *
 * <p>Run with {@code mvn -B -q -pl examples -am -DskipTests package exec:java
 * -Dexec.mainClass=io.lsem.examples.HibernateExample}.
 */
public final class HibernateExample {
  private static final int THREADS = 8;
  private static final int TRANSFERS_PER_THREAD = 50;

  private HibernateExample() {}

  /** An account. */
  @Entity(name = "Account")
  public static class Account {
    @Id
    int id;
    long balance;

    protected Account() {}

    Account(int id, long balance) {
      this.id = id;
      this.balance = balance;
    }
  }

  public static void main(String[] args) throws Exception {
    System.setProperty("org.jboss.logging.provider", "slf4j"); // Hibernate's log through SLF4J, warnings only
    try (ExampleServer server = ExampleServer.start();
        SessionFactory sessions = new Configuration().addAnnotatedClass(Account.class)
            .setProperty(AvailableSettings.JAKARTA_JDBC_URL, server.lsemUrl())
            .setProperty(AvailableSettings.JAKARTA_JDBC_USER, "postgres")
            .setProperty(AvailableSettings.ISOLATION, "SERIALIZABLE")
            .setProperty(AvailableSettings.POOL_SIZE, "8")
            .setProperty(AvailableSettings.HBM2DDL_AUTO, "create")
            .buildSessionFactory()) {
      sessions.inTransaction(s -> {
        for (int id = 1; id <= 10; id++) {
          s.persist(new Account(id, 1000));
        }
      });
      AtomicLong applicationRetries = new AtomicLong();
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        boolean entities = t % 2 == 1;
        Thread thread = new Thread(() -> {
          for (int i = 0; i < TRANSFERS_PER_THREAD; i++) {
            int from = ThreadLocalRandom.current().nextInt(1, 11);
            int to = from % 10 + 1;
            long amount = ThreadLocalRandom.current().nextLong(1, 50);
            if (entities) {
              transferByEntities(sessions, from, to, amount, applicationRetries);
            } else {
              sessions.inTransaction(s -> {
                s.createMutationQuery("update Account set balance = balance - :amount where id = :id")
                    .setParameter("amount", amount).setParameter("id", from).executeUpdate();
                s.createMutationQuery("update Account set balance = balance + :amount where id = :id")
                    .setParameter("amount", amount).setParameter("id", to).executeUpdate();
              });
            }
          }
        });
        thread.start();
        threads.add(thread);
      }
      for (Thread thread : threads) {
        thread.join();
      }
      long total = sessions.fromTransaction(s -> s.createSelectionQuery("select sum(balance) from Account", Long.class)
          .getSingleResult());
      System.out.println(THREADS * TRANSFERS_PER_THREAD + " transfers; money in the accounts: " + total
          + " (10,000 before)");
      System.out.println("entity transfers the application ran again after a conflict: "
          + applicationRetries.get());
      sessions.inSession(s -> s.doWork(c -> System.out.println("one pooled connection's retries: "
          + c.unwrap(LsemConnection.class).retryStats())));
      if (total != 10_000) {
        throw new IllegalStateException("money appeared or vanished");
      }
    }
  }

  /**
   * Whether {@code e} (the lock exception Hibernate raised) comes from a serialization failure or deadlock.
   */
  private static boolean isConflict(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.sql.SQLTransactionRollbackException) {
        return true;
      }
    }
    return false;
  }

  /** Read, change, commit; a conflict the driver could not hide is retried here. */
  private static void transferByEntities(SessionFactory sessions, int from, int to, long amount, AtomicLong retries) {
    for (;;) {
      try {
        sessions.inTransaction(s -> {
          s.find(Account.class, from).balance -= amount;
          s.find(Account.class, to).balance += amount;
        });
        return;
      } catch (RuntimeException e) {
        if (!isConflict(e)) {
          throw e;
        }
        if (retries.getAndIncrement() == 0) {
          System.out.println("a conflict the driver could not hide reached the application as " + e.getClass().getName());
        }
      }
    }
  }
}
