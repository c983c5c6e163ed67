package io.lsem.bench;

import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * Prints the first few errors of a measured run and counts the rest, so an occasional failure
 * is visible without flooding the output or stopping the run. Prints the SQLSTATE, the
 * exception class and the primary message only: never the server's detail (which can quote
 * row values) nor any parameter value. Thread safe.
 */
final class ErrorLog {
  private static final int MAX_PRINTED = 10;
  private final AtomicInteger printed = new AtomicInteger();
  private final AtomicInteger suppressed = new AtomicInteger();

  /** Reports {@code e}, met by client thread {@code client} of run {@code run}. */
  void report(String run, int client, Throwable e) {
    if (printed.incrementAndGet() > MAX_PRINTED) {
      suppressed.incrementAndGet();
      return;
    }
    System.out.printf("  ! %s client %d: %s%n", run, client, describe(e));
  }

  /** Prints how many reports were not printed, if any. */
  void summarize(String run) {
    int n = suppressed.get();
    if (n > 0) {
      System.out.printf("  ! %s: %d more errors not shown%n", run, n);
    }
  }

  /** SQLSTATE, class and primary message of {@code e}, without details or values. */
  static String describe(Throwable e) {
    String state = e instanceof SQLException ? ((SQLException) e).getSQLState() : null;
    String message = null;
    for (Throwable t = e; t != null && message == null; t = t.getCause()) {
      if (t instanceof PSQLException) {
        ServerErrorMessage server = ((PSQLException) t).getServerErrorMessage();
        if (server != null) {
          message = server.getMessage();
        }
      }
    }
    if (message == null) {
      message = firstLine(e.getMessage());
    }
    return (state == null ? "" : "SQLSTATE " + state + " ") + e.getClass().getSimpleName() + ": " + message;
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "(no message)";
    }
    int nl = s.indexOf('\n');
    String line = nl < 0 ? s : s.substring(0, nl);
    return line.length() > 200 ? line.substring(0, 200) + "…" : line;
  }
}
