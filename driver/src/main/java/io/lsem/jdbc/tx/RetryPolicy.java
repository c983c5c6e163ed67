package io.lsem.jdbc.tx;

import io.lsem.jdbc.config.LsemSettings;
import java.util.Set;

/**
 * When and how a transaction is retried: the SQLSTATEs that trigger a retry, how many runs and
 * how much time a transaction may take in all, the backoff, and how much a recording may hold.
 *
 * @param enabled the connection's default ({@code retry} property)
 * @param sqlStates errors that trigger a retry
 * @param maxAttempts runs of one transaction in all, the first included
 * @param backoffBaseNanos first backoff (doubles per attempt, full jitter)
 * @param backoffCapNanos longest single backoff
 * @param budgetNanos total time from the first failure
 * @param maxRecordedBytes memory one recording may take
 * @param failover whether a lost connection is re-established and its transaction replayed
 */
public record RetryPolicy(boolean enabled, Set<String> sqlStates, int maxAttempts, long backoffBaseNanos,
    long backoffCapNanos, long budgetNanos, long maxRecordedBytes, boolean failover) {

  public static RetryPolicy of(LsemSettings s) {
    return new RetryPolicy(s.retry(), s.retrySqlStates(), s.retryMaxAttempts(), s.retryBackoffBase().toNanos(),
        s.retryBackoffCap().toNanos(), s.retryBudget().toNanos(), s.retryMaxRecordedBytes(), s.failover());
  }

  /** Whether {@code sqlState} triggers a retry. */
  public boolean retries(String sqlState) {
    return sqlState != null && sqlStates.contains(sqlState);
  }

  /**
   * The backoff before replay number {@code attempt} (1 for the first replay): uniformly random
   * in {@code [0, min(cap, base * 2^(attempt-1))]}.
   */
  public long backoffNanos(int attempt, java.util.random.RandomGenerator random) {
    int shift = Math.min(attempt - 1, 30);
    long ceiling = backoffBaseNanos > (backoffCapNanos >> shift) ? backoffCapNanos : backoffBaseNanos << shift;
    return ceiling <= 0 ? 0 : random.nextLong(ceiling + 1);
  }
}
