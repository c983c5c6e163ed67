package io.lsem.jdbc.error;

import java.sql.SQLNonTransientException;

/**
 * A guard set to {@code reject} ({@code guardAutocommitWrites}, {@code guardLocalTime}) refused a
 * statement before it was sent: the message names the guard, the statement's SQL text (never a
 * parameter value) and the correct form. SQLSTATE {@code 55000} (object not in prerequisite state).
 */
public class GuardRejectedException extends SQLNonTransientException {
  private static final long serialVersionUID = 1L;

  public GuardRejectedException(String message) {
    super(message, "55000");
  }
}
