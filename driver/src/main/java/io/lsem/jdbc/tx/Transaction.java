package io.lsem.jdbc.tx;

import io.lsem.jdbc.TransactionStatus.Cause;
import io.lsem.jdbc.sql.Isolation;
import java.util.ArrayList;
import java.util.List;

/**
 * One transaction on one connection, from BEGIN to its end. Owned and mutated only by its
 * {@link TransactionTracker}; listeners read it.
 */
public final class Transaction {
  private final long number;
  private final Cause beginCause;
  private Isolation isolation;
  private Boolean readOnly;
  /** Savepoints and, for each, what rolling back to it restores; allocated on first use. */
  private List<String> savepoints = List.of();
  private List<Snapshot> atSavepoint = List.of();
  /** What an abort restores when no savepoint is set. */
  private Snapshot atBegin = new Snapshot(SessionCharacteristics.SERVER_DEFAULTS, null, null);

  Transaction(long number, Cause beginCause, Isolation isolation, Boolean readOnly) {
    this.number = number;
    this.beginCause = beginCause;
    this.isolation = isolation;
    this.readOnly = readOnly;
  }

  private boolean wrote;
  private boolean replay;

  /** Whether this transaction is a replay of an interrupted one: the same logical transaction, run again. */
  public boolean isReplay() {
    return replay;
  }

  void markReplay() {
    replay = true;
  }

  /** Whether SQL that may write ran in this transaction (as classified: anything but plain reads). */
  public boolean wrote() {
    return wrote;
  }

  void markWrote() {
    wrote = true;
  }

  /** 1 for the connection's first transaction, then 2, 3, … */
  public long number() {
    return number;
  }

  /** How it began: {@code IMPLICIT_BEGIN}, {@code SQL_BEGIN} or {@code CHAINED}. */
  public Cause beginCause() {
    return beginCause;
  }

  /** Its isolation level as far as the driver knows, or {@code null} for the server's default. */
  public Isolation isolation() {
    return isolation;
  }

  /** Whether it is read only as far as the driver knows, or {@code null} for the server's default. */
  public Boolean readOnly() {
    return readOnly;
  }

  /** Savepoint names (as the server folds them) that are currently defined, oldest first. */
  public List<String> savepoints() {
    return List.copyOf(savepoints);
  }

  void setCharacteristics(Isolation isolation, Boolean readOnly) {
    if (isolation != null) {
      this.isolation = isolation;
    }
    if (readOnly != null) {
      this.readOnly = readOnly;
    }
  }

  void addSavepoint(String name, SessionCharacteristics session) {
    if (savepoints.isEmpty()) {
      savepoints = new ArrayList<>(4);
      atSavepoint = new ArrayList<>(4);
    }
    savepoints.add(name);
    atSavepoint.add(new Snapshot(session, isolation, readOnly));
  }

  /**
   * Records what an abort reverts to: the session defaults, and the characteristics the
   * transaction started with before any SET — the session's defaults, or for a chained
   * transaction those of the one it continues (the server assigns those directly).
   */
  void began(SessionCharacteristics session, Transaction chainedFrom) {
    atBegin = chainedFrom == null ? new Snapshot(session, session.isolation(), session.readOnly())
        : new Snapshot(session, chainedFrom.isolation, chainedFrom.readOnly);
  }

  Snapshot atBegin() {
    return atBegin;
  }

  /** What an error now would restore: the newest savepoint's state, else the state at BEGIN. */
  Snapshot abortPoint() {
    return atSavepoint.isEmpty() ? atBegin : atSavepoint.get(atSavepoint.size() - 1);
  }

  /** Takes the transaction characteristics of {@code s} (a rollback undid later SETs). */
  void restore(Snapshot s) {
    isolation = s.isolation();
    readOnly = s.readOnly();
  }

  void nameLastSavepoint(String name) {
    if (!savepoints.isEmpty()) {
      savepoints.set(savepoints.size() - 1, name);
    }
  }

  /** RELEASE: drops {@code name} (the newest of that name) and all later ones; false if absent. */
  boolean release(String name) {
    int at = savepoints.lastIndexOf(name);
    if (at < 0) {
      return false;
    }
    savepoints.subList(at, savepoints.size()).clear();
    atSavepoint.subList(at, atSavepoint.size()).clear();
    return true;
  }

  /**
   * ROLLBACK TO: drops the savepoints after {@code name}, keeping it, and returns the state as
   * it was when it was set; {@code null} if there is no such savepoint.
   */
  Snapshot rollbackTo(String name) {
    int at = savepoints.lastIndexOf(name);
    if (at < 0) {
      return null;
    }
    savepoints.subList(at + 1, savepoints.size()).clear();
    atSavepoint.subList(at + 1, atSavepoint.size()).clear();
    return atSavepoint.get(at);
  }

  /** A copy for simulations; {@link #syncFrom} brings the chosen outcome back. */
  Transaction copy() {
    Transaction c = new Transaction(number, beginCause, isolation, readOnly);
    c.replay = replay;
    c.syncFrom(this);
    return c;
  }

  void syncFrom(Transaction simulated) {
    isolation = simulated.isolation;
    readOnly = simulated.readOnly;
    atBegin = simulated.atBegin;
    savepoints = simulated.savepoints.isEmpty() ? List.of() : new ArrayList<>(simulated.savepoints);
    atSavepoint = simulated.atSavepoint.isEmpty() ? List.of() : new ArrayList<>(simulated.atSavepoint);
  }

  @Override
  public String toString() {
    return "Transaction#" + number + "(" + beginCause + (isolation == null ? "" : ", " + isolation)
        + (Boolean.TRUE.equals(readOnly) ? ", read only" : "") + ")";
  }
}
