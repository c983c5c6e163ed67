package io.lsem.jdbc.wrap;

import io.lsem.jdbc.ledger.TimestampSession;
import io.lsem.jdbc.tx.RetryController;
import io.lsem.jdbc.tx.TransactionTracker;
import java.sql.SQLException;
import org.postgresql.core.BaseConnection;

/**
 * What lives as long as one physical pgjdbc connection: its transaction state machine, its
 * transparent-retry controller and journal. A {@link ConnectionWrapper} is one lease of a
 * session: without a pool the session has exactly one; a pool hands out a fresh, light wrapper
 * for every borrow of the same session, so that a connection handle the application closed can
 * never touch the session again.
 */
public final class ConnectionSession {
  final BaseConnection physical;
  final WrapperContext context;
  final TransactionTracker tracker;
  final RetryController retry;
  /** Global timestamps of this connection, or {@code null} when they are off. */
  final TimestampSession timestamps;
  private int statementsCreated;
  private Releaser releaser;

  /** Decides what closing a lease means; the default closes the physical connection. */
  @FunctionalInterface
  public interface Releaser {
    /** {@code lease} was closed by the application. */
    void release(ConnectionWrapper lease) throws SQLException;
  }

  public ConnectionSession(BaseConnection physical, WrapperContext context) throws SQLException {
    this.physical = physical;
    this.context = context;
    this.tracker = new TransactionTracker(physical);
    this.retry = new RetryController(context.retryPolicy(), tracker);
    tracker.addListener(retry);
    if (context.ledger().prepare(physical)) {
      timestamps = new TimestampSession(context.ledger(), retry);
      tracker.addListener(timestamps);
    } else {
      timestamps = null;
    }
  }

  /** Whether statements keep their parameters: for transparent retry and for carrying BEGIN values. */
  boolean tracksBindings() {
    return retry.tracksBindings() || timestamps != null;
  }

  /** The pgjdbc connection. */
  public BaseConnection physical() {
    return physical;
  }

  public TransactionTracker tracker() {
    return tracker;
  }

  public WrapperContext context() {
    return context;
  }

  /** Makes closing a lease call {@code releaser} instead of closing the physical connection (pools). */
  public void releaseWith(Releaser releaser) {
    this.releaser = releaser;
  }

  Releaser releaser() {
    return releaser;
  }

  int nextStatementNumber() {
    return ++statementsCreated;
  }
}
