package io.lsem.it;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.Id;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;

/** A JPA entity with ordinary dates and times set by the application, for the local-time guard's test. */
@Entity
public class Reminder {
  @Id
  @GeneratedValue
  private Long id;

  private Instant remindAt;

  private LocalDate day;

  private LocalDateTime wallClock;

  protected Reminder() {
    // for Hibernate
  }

  public Reminder(Instant remindAt, LocalDate day, LocalDateTime wallClock) {
    this.remindAt = remindAt;
    this.day = day;
    this.wallClock = wallClock;
  }
}
