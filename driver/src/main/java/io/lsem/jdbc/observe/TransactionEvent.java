package io.lsem.jdbc.observe;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Timespan;

/**
 * One JFR event per transaction with its breakdown by layer, when a flight recording enables
 * {@code io.lsem.jdbc.Transaction}; otherwise nothing is recorded (the driver checks
 * {@code shouldCommit()} first). No stack trace: the breakdown says where the time went, and the
 * trace would always be the driver's commit path.
 */
@Name("io.lsem.jdbc.Transaction")
@Label("LSEM Transaction")
@Category({"LSEM JDBC"})
@Description("A database transaction through the LSEM driver and where its time went")
@jdk.jfr.StackTrace(false)
public final class TransactionEvent extends jdk.jfr.Event {
  @Label("Transaction Id")
  public String transactionId;

  @Label("Total") @Timespan(Timespan.NANOSECONDS)
  public long total;

  @Label("Pool Wait") @Timespan(Timespan.NANOSECONDS)
  public long poolWait;

  @Label("Server") @Timespan(Timespan.NANOSECONDS)
  public long server;

  @Label("Timestamp Oracle") @Timespan(Timespan.NANOSECONDS)
  public long oracle;

  @Label("Coordination") @Timespan(Timespan.NANOSECONDS)
  public long coordination;

  @Label("Transparent Retry") @Timespan(Timespan.NANOSECONDS)
  public long retry;

  @Label("Application") @Timespan(Timespan.NANOSECONDS)
  public long application;

  @Label("Driver") @Timespan(Timespan.NANOSECONDS)
  public long driver;

  @Label("Attempts")
  public int attempts;
}
