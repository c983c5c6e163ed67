package io.lsem.jdbc.clock;

/**
 * No member of the shared timestamp oracle answered within its timeout. Unchecked because
 * {@link TimestampOracle#next()} is; the driver turns it into the typed
 * {@code io.lsem.jdbc.error.CoordinatorUnavailableException} before the call that needed the
 * timestamp is sent, so nothing is run with a timestamp made up locally.
 */
public final class CoordinatorUnavailable extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CoordinatorUnavailable(String message) {
    super(message);
  }
}
