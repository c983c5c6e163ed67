package io.lsem.it;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

/**
 * A JPA entity for the Hibernate tests: an id drawn from a database sequence (one value per
 * insert, so the test can compare it with the sequence) and a {@link Version} column for
 * optimistic locking.
 */
@Entity
@Table(name = "account")
public class Account {
  @Id
  @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "account_ids")
  @SequenceGenerator(name = "account_ids", sequenceName = "account_seq", allocationSize = 1)
  private Long id;

  @Version
  private long version;

  @Column(nullable = false)
  private String owner;

  private long balance;

  protected Account() {
    // for Hibernate
  }

  public Account(String owner, long balance) {
    this.owner = owner;
    this.balance = balance;
  }

  public Long getId() {
    return id;
  }

  public long getVersion() {
    return version;
  }

  public String getOwner() {
    return owner;
  }

  public long getBalance() {
    return balance;
  }

  public void setBalance(long balance) {
    this.balance = balance;
  }
}
