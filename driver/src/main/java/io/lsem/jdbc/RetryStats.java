package io.lsem.jdbc;

/**
 * What transparent retry did on one connection since it was opened. Returned by
 * {@link LsemConnection#retryStats()}.
 *
 * @param replays transaction replays started (each after a retryable error and a backoff)
 * @param recovered transactions that failed with a retryable error and then completed the
 *     failed call after one or more replays
 * @param mismatches replays stopped because a result differed from what the application saw
 * @param exhausted retryable errors given up on after {@code retryMaxAttempts} runs or
 *     {@code retryBudget}
 * @param notReplayable retryable errors that reached the application because the transaction
 *     could not be replayed (COPY, large objects, recording over its memory bound, retry off)
 * @param backoffNanos time spent waiting between attempts
 */
public record RetryStats(long replays, long recovered, long mismatches, long exhausted, long notReplayable,
    long backoffNanos) {}
