package io.lsem.jdbc.sql;

/** What one SQL statement does, as far as transactions and re-execution are concerned. */
public enum StatementKind {
  /** {@code BEGIN} / {@code START TRANSACTION}, with optional modes. */
  BEGIN,
  /** {@code COMMIT} / {@code END}, optionally {@code AND CHAIN}. */
  COMMIT,
  /** {@code ROLLBACK} / {@code ABORT}, optionally {@code AND CHAIN}. */
  ROLLBACK,
  /** {@code SAVEPOINT name}. */
  SAVEPOINT,
  /** {@code RELEASE [SAVEPOINT] name}. */
  RELEASE_SAVEPOINT,
  /** {@code ROLLBACK [WORK|TRANSACTION] TO [SAVEPOINT] name}. */
  ROLLBACK_TO_SAVEPOINT,
  /** {@code PREPARE TRANSACTION 'gid'}: ends the session's transaction, keeping it prepared. */
  PREPARE_TRANSACTION,
  /** {@code COMMIT PREPARED 'gid'}. */
  COMMIT_PREPARED,
  /** {@code ROLLBACK PREPARED 'gid'}. */
  ROLLBACK_PREPARED,
  /** {@code SET TRANSACTION …} or {@code SET transaction_isolation/transaction_read_only}. */
  SET_TRANSACTION,
  /** {@code SET SESSION CHARACTERISTICS AS TRANSACTION …}, {@code SET default_transaction_…}, or a reset of those. */
  SET_SESSION_CHARACTERISTICS,
  /** A statement that only reads: {@code SELECT} without locking clause or INTO, {@code VALUES}, {@code TABLE}, {@code SHOW}, plain {@code EXPLAIN}. */
  READ,
  /** {@code COPY}: streams data; cannot be replayed. */
  COPY,
  /** {@code SET [SESSION] variable …} of a session variable; {@code name} is the variable. */
  SET_VARIABLE,
  /** {@code RESET variable} or {@code RESET ALL}; {@code name} is the variable or {@code all}. */
  RESET_VARIABLE,
  /** Other session state: {@code SET LOCAL}, {@code LISTEN}, {@code PREPARE}, {@code DEALLOCATE}, … */
  SESSION,
  /** Anything else: DML, DDL — may write. */
  WRITE,
  /**
   * {@code CALL} or {@code DO}: procedural code that may write and, run outside a transaction
   * block, may itself commit or roll back — part of its work can be committed when it fails.
   */
  ROUTINE;

  /** Whether this statement starts, ends or changes the course of a transaction. */
  public boolean isTransactionControl() {
    return ordinal() <= ROLLBACK_PREPARED.ordinal();
  }
}
