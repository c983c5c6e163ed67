package io.lsem.jdbc.wrap;

import io.lsem.jdbc.config.LsemSettings;
import io.lsem.jdbc.error.GuardRejectedException;
import io.lsem.jdbc.observe.OnceLog;
import io.lsem.jdbc.sql.SqlInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two guards against writes that break the global order while timestamps are on: a write in
 * autocommit (no ledger row) and locally made time in a write. Each is {@code off}, {@code warn}
 * (once per SQL text) or {@code reject} (a {@link GuardRejectedException} before anything is
 * sent). Decided from the statement's classification and the bound parameters only: no round trip.
 */
final class WriteGuards {
  private static final Logger LOG = LoggerFactory.getLogger("io.lsem.jdbc.guard");
  /** How close to this JVM's clock a bound time parameter must be to count as made on the spot. */
  static final long JUST_NOW_MILLIS = 5;

  private final String autocommitWrites;
  private final String localTime;
  private final boolean anyOn;

  WriteGuards(LsemSettings settings) {
    this.autocommitWrites = settings.guardAutocommitWrites();
    this.localTime = settings.guardLocalTime();
    this.anyOn = !autocommitWrites.equals("off") || !localTime.equals("off");
  }

  /** Whether any guard is on: when none is, nothing is checked. */
  boolean anyOn() {
    return anyOn;
  }

  /**
   * Checks {@code sql} before it is sent. {@code outsideTransaction}: autocommit is on and no
   * transaction is open; {@code localTimeParameter}: a parameter bound to it was taken from this
   * JVM's clock just now (the kind of it, or {@code null}).
   */
  void check(SqlInfo sql, boolean outsideTransaction, String localTimeParameter) throws GuardRejectedException {
    if (!autocommitWrites.equals("off") && sql.writesRowsOutsideTransaction(outsideTransaction)) {
      act(autocommitWrites, "guardAutocommitWrites", sql, "a write in autocommit while timestamps are on gets no"
          + " ledger row and no exactly-once resolution of a lost COMMIT; run it in a transaction"
          + " (setAutoCommit(false) ... commit())");
    }
    if (localTime.equals("off")) {
      return;
    }
    String function = sql.localClockInWrite();
    if (function != null) {
      act(localTime, "guardLocalTime", sql, "a write calls " + function + ", time made on the spot; use the"
          + " transaction's global timestamp: current_setting('lsem.start_ts')::bigint, or the commit timestamp");
    } else if (localTimeParameter != null && sql.writes()) {
      act(localTime, "guardLocalTime", sql, "a write binds a " + localTimeParameter + " taken from this JVM's clock"
          + " just now; use the transaction's global timestamp (LsemConnection.currentStartTimestamp()) or the"
          + " commit timestamp");
    }
  }

  private static void act(String mode, String guard, SqlInfo sql, String why) throws GuardRejectedException {
    String shape = shape(sql);
    if (mode.equals("reject")) {
      throw new GuardRejectedException("Refused by " + guard + "=reject before sending: " + why + " [" + shape + "]");
    }
    OnceLog.warn(LOG, guard + ":" + shape, "{}: {} [{}] (said once per statement; {}=off silences it)", guard, why,
        shape, guard);
  }

  private static String shape(SqlInfo sql) {
    String text = sql.text() == null ? sql.toString() : sql.text();
    return text.length() > 200 ? text.substring(0, 200) + "..." : text;
  }
}
