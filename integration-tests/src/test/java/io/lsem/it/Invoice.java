package io.lsem.it;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.Id;
import java.time.Instant;
import java.time.LocalDate;
import org.hibernate.annotations.CreationTimestamp;

/**
 * A JPA entity with Hibernate's {@link CreationTimestamp} (taken from this JVM's clock when the row
 * is inserted) beside ordinary dates, for the local-time guard's test.
 */
@Entity
public class Invoice {
  @Id
  @GeneratedValue
  private Long id;

  @CreationTimestamp
  private Instant createdAt;

  private LocalDate dueDate;

  protected Invoice() {
    // for Hibernate
  }

  public Invoice(LocalDate dueDate) {
    this.dueDate = dueDate;
  }

  public Instant getCreatedAt() {
    return createdAt;
  }
}
