package io.lsem.jdbc;

/**
 * Where one transaction's time went, by layer, measured by the driver with a monotonic clock and
 * no extra round trip: from the start of the call that began it to the end of its COMMIT or
 * ROLLBACK. The parts add up to {@code totalNanos}.
 *
 * @param transactionId the logical transaction id with timestamps on, else the driver's number ("#n")
 * @param totalNanos wall time of the transaction, the wait for its pooled connection included
 * @param poolWaitNanos waiting for the pooled connection it runs on (an {@code LsemDataSource} or
 *     {@code pool=true} borrow just before it), else 0
 * @param serverNanos in calls to the server (statements, COMMIT), network included: L0
 * @param oracleNanos waiting for global timestamps (the in-JVM clock or the coordinator): L2
 * @param coordinationNanos an XA branch's wait for its transaction manager, from the branch's end
 *     to its PREPARE (or one-phase COMMIT): L2 coordination; 0 outside XA
 * @param retryNanos transparent retry: backoff and the replay of earlier calls
 * @param applicationNanos the application's own time between its calls (think time, not a layer's)
 * @param driverNanos the driver's own work: the rest
 * @param attempts runs of the transaction, the first included
 */
public record TransactionBreakdown(String transactionId, long totalNanos, long poolWaitNanos, long serverNanos,
    long oracleNanos, long coordinationNanos,
    long retryNanos, long applicationNanos, long driverNanos, int attempts) {

  @Override
  public String toString() {
    return String.format(java.util.Locale.ROOT, "transaction %s: %.3f ms = pool wait %.3f + server %.3f + oracle %.3f"
        + " + coordination %.3f + retry %.3f (%d attempts) + application %.3f + driver %.3f", transactionId, totalNanos / 1e6,
        poolWaitNanos / 1e6, serverNanos / 1e6,
        oracleNanos / 1e6, coordinationNanos / 1e6, retryNanos / 1e6, attempts, applicationNanos / 1e6, driverNanos / 1e6);
  }
}
