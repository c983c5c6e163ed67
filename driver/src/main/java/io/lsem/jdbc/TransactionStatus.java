package io.lsem.jdbc;

/**
 * Where a connection stands in its transaction, and why. Returned by
 * {@link LsemConnection#transactionStatus()}; always equal to the server's own report
 * (PostgreSQL's ReadyForQuery status) after each call returns.
 *
 * @param state idle, in a transaction, or in a failed transaction
 * @param cause the event that put the connection in this state
 * @param transactionNumber how many transactions this connection has begun, counting this one
 *     if it is open; 0 on a new connection
 */
public record TransactionStatus(State state, Cause cause, long transactionNumber) {

  /** The three states PostgreSQL reports. */
  public enum State {
    /** No transaction is open. With autocommit off, the next statement will open one. */
    IDLE,
    /** A transaction is open and healthy. */
    ACTIVE,
    /** A transaction is open but a statement failed: only ROLLBACK (or ROLLBACK TO a savepoint) helps. */
    FAILED
  }

  /** The event behind the current state. */
  public enum Cause {
    NEW_CONNECTION("no transaction has run on this connection yet"),
    AUTOCOMMIT_STATEMENT("the last statement ran and committed on its own (autocommit)"),
    IMPLICIT_BEGIN("autocommit is off, so pgjdbc sent BEGIN with the first statement"),
    SQL_BEGIN("BEGIN or START TRANSACTION in SQL text"),
    CHAINED("COMMIT AND CHAIN or ROLLBACK AND CHAIN started the next transaction"),
    STATEMENT_FAILED("a statement failed inside the transaction"),
    SAVEPOINT_RESTORED("ROLLBACK TO SAVEPOINT returned the transaction to health"),
    API_COMMIT("Connection.commit()"),
    SQL_COMMIT("COMMIT or END in SQL text"),
    AUTOCOMMIT_ENABLED("setAutoCommit(true) committed the open transaction"),
    FAILED_TRANSACTION_ENDED("COMMIT of a failed transaction rolled it back"),
    COMMIT_FAILED("COMMIT failed, so the server rolled the transaction back"),
    API_ROLLBACK("Connection.rollback()"),
    SQL_ROLLBACK("ROLLBACK or ABORT in SQL text"),
    PREPARED("PREPARE TRANSACTION detached the transaction from the session"),
    OBSERVED("adopted from the server's report after a call the driver does not classify (COPY, large objects, internal pgjdbc calls)"),
    CONNECTION_CLOSED("the connection was closed"),
    CONNECTION_REPLACED("the connection was lost and the driver connected to the primary again");

    private final String description;

    Cause(String description) {
      this.description = description;
    }

    /** A sentence a human can read in a log. */
    public String description() {
      return description;
    }
  }
}
