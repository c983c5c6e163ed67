package io.lsem.jdbc.wrap;

import io.lsem.jdbc.ledger.TimestampSession;
import java.sql.SQLException;

/**
 * An execution that can carry, in its own message, what the transaction's timestamps need to
 * send: the BEGIN values ({@code SET LOCAL lsem.…}) in front of the first statement, or the
 * ledger row and commit LSN around a COMMIT. Returns {@link #NOT_CARRIED} when it cannot; the
 * driver then sends them in a message of their own.
 */
@FunctionalInterface
interface Carrier {
  /** The marker result of a carrier that could not carry. */
  Object NOT_CARRIED = new Object();

  Object carry(TimestampSession timestamps) throws SQLException;
}
