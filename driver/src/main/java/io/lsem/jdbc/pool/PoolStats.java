package io.lsem.jdbc.pool;

/**
 * A snapshot of a pool's counters.
 *
 * @param active connections handed out now
 * @param idle connections ready in the pool now
 * @param pending borrowers waiting now
 * @param total connections held now (active, idle, and being validated)
 * @param max the most the pool may hold
 * @param created connections opened since the pool started
 * @param evicted connections closed by the pool (broken, retired, idle too long)
 * @param borrows connections handed out since the pool started
 * @param borrowWaitNanos time borrowers spent waiting, in all
 * @param usageNanos time connections spent handed out, in all
 * @param leaks borrows reported as possible leaks
 */
public record PoolStats(int active, int idle, int pending, int total, int max, long created, long evicted,
    long borrows, long borrowWaitNanos, long usageNanos, long leaks) {

  @Override
  public String toString() {
    return active + " active, " + idle + " idle, " + pending + " pending, " + total + " total (maximum " + max
        + "); " + created + " created, " + evicted + " evicted, " + borrows + " borrows, " + leaks + " leaks";
  }
}
