package io.lsem.jdbc.error;

import java.sql.SQLException;

/**
 * Transparent retry stopped because the replayed transaction saw something different from what
 * the application had already seen: a value it read, a row count, an update count, a result
 * shape. Nothing of the transaction was committed; the transaction was rolled back. SQLSTATE
 * {@code 40001}, so code and frameworks that handle serialization failures handle this too; it
 * is not retryable as it stands (the application's own logic must run again).
 *
 * <p>The message names the call and what diverged, never the values themselves (they may be
 * sensitive); {@link #originalResult()} and {@link #replayedResult()} give them to code that
 * asks.
 */
public class ReplayMismatchException extends SerializationFailureException {
  private static final long serialVersionUID = 1L;
  private final transient Object originalResult;
  private final transient Object replayedResult;

  /** {@code cause}: the retryable error that started the retry. */
  public ReplayMismatchException(String message, SQLException cause, Object originalResult, Object replayedResult) {
    super(message, new ErrorDetails("40001", null, message, null, null, 0, null, null, null, null, null, null, null,
        false), cause);
    this.originalResult = originalResult;
    this.replayedResult = replayedResult;
  }

  /** What the application saw the first time (a boxed value, or a description). */
  public Object originalResult() {
    return originalResult;
  }

  /** What the replay produced instead. */
  public Object replayedResult() {
    return replayedResult;
  }
}
