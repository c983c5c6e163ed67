package io.lsem.jdbc.observe;

import io.lsem.jdbc.TransactionBreakdown;

/**
 * Receives every measured transaction's breakdown when it ends, on the connection's thread: a
 * telemetry exporter chosen by {@code transactionTelemetry}. Must be quick and must not throw.
 */
public interface TransactionSink {

  /**
   * The transaction {@code breakdown} ended: committed, or rolled back when {@code committed} is
   * false; it ran against {@code server}.
   */
  void ended(TransactionBreakdown breakdown, boolean committed, ServerEndpoint server);

  /**
   * The database a connection talks to, for the database semantic conventions of telemetry.
   *
   * @param database the database name
   * @param host the server's host name or address
   * @param port the server's port
   */
  record ServerEndpoint(String database, String host, int port) {
  }
}
