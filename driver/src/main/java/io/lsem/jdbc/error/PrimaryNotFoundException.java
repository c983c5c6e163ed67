package io.lsem.jdbc.error;

import java.sql.SQLTransientConnectionException;
import java.util.List;

/**
 * No host of a (multi-host) URL answered as a primary within {@code failoverTimeout}. The message
 * and {@link #answers()} name every host tried and what it answered (refused, timed out, in
 * recovery, ...). SQLSTATE {@code 08001}; trying again later may succeed.
 */
public class PrimaryNotFoundException extends SQLTransientConnectionException {
  private static final long serialVersionUID = 1L;
  private final List<String> answers;

  public PrimaryNotFoundException(String message, List<String> answers, Throwable cause) {
    super(message, "08001", cause);
    this.answers = List.copyOf(answers);
  }

  /** One line per host: {@code host:port: what it answered}. */
  public List<String> answers() {
    return answers;
  }
}
