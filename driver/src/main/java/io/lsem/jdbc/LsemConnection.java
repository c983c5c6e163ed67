package io.lsem.jdbc;

import java.sql.Connection;

/**
 * What an LSEM connection offers beyond {@link Connection}. Every connection the driver hands
 * out implements it, so {@code conn.unwrap(LsemConnection.class)} always works, also through
 * pools that wrap the connection again.
 */
public interface LsemConnection extends Connection {

  /** Where the connection stands in its transaction and why; no round trip. */
  TransactionStatus transactionStatus();
}
