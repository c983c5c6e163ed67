package io.lsem.bench;

/**
 * What one measured run of one driver produced: transactions committed within the window
 * ({@code counted}) and their summed latency, all acknowledged commits, errors, commits whose
 * outcome is unknown (the commit call failed), and the client threads' CPU time (user + system,
 * and user alone) and read/write system calls over all their acknowledged commits (the calls
 * are {@code -1} where they cannot be counted), and the counted transactions' latencies, sorted.
 */
record RunResult(String label, int seconds, long counted, long latencyNanos, long committed, long errors,
    long unknownOutcomes, long cpuNanos, long userNanos, long readCalls, long writeCalls, long[] sortedLatencies) {

  /** The latency (ms) at quantile {@code q} of the counted transactions (from their scheduled start at a fixed rate). */
  double latencyMillisAt(double q) {
    if (sortedLatencies.length == 0) {
      return 0;
    }
    return sortedLatencies[(int) Math.min(sortedLatencies.length - 1, Math.floor(q * sortedLatencies.length))] / 1e6;
  }

  double tps() {
    return counted / (double) seconds;
  }

  /** Client CPU time (user + system) per acknowledged commit, in microseconds. */
  double cpuMicrosPerTxn() {
    return committed == 0 ? 0 : cpuNanos / 1e3 / committed;
  }

  /** Client user-mode CPU time per acknowledged commit, in microseconds. */
  double userMicrosPerTxn() {
    return committed == 0 ? 0 : userNanos / 1e3 / committed;
  }

  /** Read and write system calls per acknowledged commit, or "n/a". */
  String syscallsPerTxn() {
    if (readCalls < 0 || committed == 0) {
      return "n/a";
    }
    return String.format(java.util.Locale.ROOT, "%.2f reads + %.2f writes", readCalls / (double) committed,
        writeCalls / (double) committed);
  }

  double meanLatencyMillis() {
    return counted == 0 ? 0 : latencyNanos / 1e6 / counted;
  }
}
