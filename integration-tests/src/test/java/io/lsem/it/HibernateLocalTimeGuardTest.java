package io.lsem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lsem.jdbc.error.GuardRejectedException;
import io.lsem.testkit.PostgresExtension;
import io.lsem.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Random;
import org.hibernate.SessionFactory;
import org.hibernate.cfg.Configuration;
import org.hibernate.dialect.PostgreSQLDialect;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The local-time guard under Hibernate ORM, measured: with {@code guardLocalTime=reject} no insert
 * of application-set dates and times (random ones over twenty years, today, this minute) is
 * refused: zero false positives in {@value #ORDINARY} entities; an entity with
 * {@code @CreationTimestamp} (Hibernate takes the JVM's clock at insert) is refused before
 * anything is sent, which is what the guard exists to show; under the default {@code warn} it is
 * inserted.
 */
@ExtendWith(PostgresExtension.class)
class HibernateLocalTimeGuardTest {
  private static final int ORDINARY = 1_000;
  private static final int CREATED = 50;

  private static SessionFactory sessions(TestDatabase db, String guard) {
    return new Configuration()
        .addAnnotatedClass(Invoice.class)
        .addAnnotatedClass(Reminder.class)
        .setProperty("hibernate.dialect", PostgreSQLDialect.class.getName())
        .setProperty("hibernate.hbm2ddl.auto", "update")
        .setProperty("hibernate.connection.url",
            db.lsemUrl() + "?timestamps=on&installLedger=true&guardLocalTime=" + guard)
        .setProperty("hibernate.connection.username", db.user())
        .setProperty("hibernate.connection.password", db.password())
        .setProperty("hibernate.connection.pool_size", "2")
        .buildSessionFactory();
  }

  @Test
  void ordinaryDatesNeverFireAndCreationTimestampDoes(TestDatabase db) throws SQLException {
    Random random = new Random(17);
    Instant now = Instant.now();
    int refused = 0;
    try (SessionFactory sessions = sessions(db, "reject")) {
      for (int i = 0; i < ORDINARY; i++) {
        Instant at = switch (i % 4) {
          case 0 -> now.plus(random.nextInt(3650 * 2) - 3650, ChronoUnit.DAYS); // within ten years either way
          case 1 -> Instant.now().truncatedTo(ChronoUnit.MINUTES); // this minute, as an application rounds it
          case 2 -> Instant.now().minusSeconds(1 + random.nextInt(3600)); // an event earlier today
          default -> Instant.now().plus(1 + random.nextInt(30), ChronoUnit.DAYS); // a deadline
        };
        Reminder r = new Reminder(at, LocalDate.now(), LocalDateTime.now().truncatedTo(ChronoUnit.SECONDS));
        try {
          sessions.inTransaction(s -> s.persist(r));
        } catch (RuntimeException e) {
          if (causeOf(e, GuardRejectedException.class) == null) {
            throw e;
          }
          refused++;
        }
      }
      assertEquals(0, refused, "false positives among " + ORDINARY + " application-set dates");
      assertEquals(ORDINARY, count(db, "reminder"));

      int caught = 0;
      GuardRejectedException rejected = null;
      for (int i = 0; i < CREATED; i++) {
        try {
          sessions.inTransaction(s -> s.persist(new Invoice(LocalDate.now().plusDays(30))));
        } catch (RuntimeException e) {
          rejected = causeOf(e, GuardRejectedException.class);
          if (rejected == null) {
            throw e;
          }
          caught++;
        }
      }
      System.out.println("guardLocalTime caught " + caught + " of " + CREATED + " @CreationTimestamp inserts");
      assertNotNull(rejected, "a @CreationTimestamp insert is refused by guardLocalTime=reject");
      assertTrue(rejected.getMessage().contains("taken from this JVM's clock"), rejected.getMessage());
      assertEquals(CREATED - caught, count(db, "invoice"), "a refused insert sent nothing");
    }
    long before = count(db, "invoice");
    try (SessionFactory sessions = sessions(db, "warn")) {
      Invoice invoice = new Invoice(LocalDate.now().plusDays(30));
      sessions.inTransaction(s -> s.persist(invoice));
      assertNotNull(invoice.getCreatedAt());
      assertEquals(before + 1, count(db, "invoice"), "the default only warns");
    }
  }

  private static long count(TestDatabase db, String table) throws SQLException {
    try (Connection c = db.plain(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static <T extends Throwable> T causeOf(Throwable e, Class<T> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }
}
