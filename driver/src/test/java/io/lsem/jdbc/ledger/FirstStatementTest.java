package io.lsem.jdbc.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lsem.jdbc.LsemConnection;
import io.lsem.testkit.PostgresExtension;
import io.lsem.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The BEGIN values ride in front of a transaction's first prepared statement, also when that
 * statement must be the first of its transaction ({@code SET TRANSACTION}), and with the
 * application's own parameters after them.
 */
@ExtendWith(PostgresExtension.class)
class FirstStatementTest {

  private static String one(Connection c, String sql) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getString(1);
    }
  }

  @Test
  void setTransactionAsThePreparedFirstStatement(TestDatabase db) throws SQLException {
    try (Connection c = db.lsem()) {
      c.setAutoCommit(false);
      for (int i = 0; i < 7; i++) { // beyond pgjdbc's prepare threshold: the server-prepared path too
        try (PreparedStatement ps = c.prepareStatement("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE")) {
          ps.executeUpdate();
        }
        assertEquals("serializable", one(c, "SHOW transaction_isolation"));
        assertEquals(c.unwrap(LsemConnection.class).currentTransactionId().toString(),
            one(c, "SELECT current_setting('lsem.txn_id')"));
        c.commit();
      }
    }
  }

  @Test
  void theApplicationsParametersFollowTheBeginValues(TestDatabase db) throws SQLException {
    try (Connection c = db.lsem()) {
      c.setAutoCommit(false);
      for (int i = 0; i < 7; i++) {
        try (PreparedStatement ps = c.prepareStatement(
            "SELECT ?::int + ?::int, current_setting('lsem.txn_id'), current_setting('lsem.start_ts')")) {
          ps.setInt(1, i);
          ps.setInt(2, 40);
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            assertEquals(i + 40, rs.getInt(1));
            assertEquals(c.unwrap(LsemConnection.class).currentTransactionId().toString(), rs.getString(2));
            assertEquals(c.unwrap(LsemConnection.class).currentStartTimestamp(), Long.parseLong(rs.getString(3)));
          }
        }
        assertNotNull(c.unwrap(LsemConnection.class).currentTransactionId());
        c.commit();
      }
    }
  }

  @Test
  void onePreparedStatementKeptAcrossTransactionsCarriesEachTransactionsOwnValues(TestDatabase db)
      throws SQLException {
    try (Connection c = db.lsem()) {
      c.setAutoCommit(false);
      LsemConnection lsem = c.unwrap(LsemConnection.class);
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT ?::int, current_setting('lsem.txn_id'), current_setting('lsem.start_ts')")) {
        java.util.Set<String> ids = new java.util.HashSet<>();
        for (int i = 0; i < 7; i++) {
          ResultSet carried = null;
          for (int run = 0; run < 2; run++) { // the first run carries the BEGIN values, the second is the own statement
            ps.setInt(1, 10 * i + run);
            ResultSet rs = ps.executeQuery();
            if (carried != null) {
              assertTrue(carried.isClosed(), "executing again closes the previous result");
            }
            rs.next();
            assertEquals(10 * i + run, rs.getInt(1));
            assertEquals(lsem.currentTransactionId().toString(), rs.getString(2));
            assertEquals(lsem.currentStartTimestamp(), Long.parseLong(rs.getString(3)));
            carried = rs;
          }
          assertTrue(ids.add(lsem.currentTransactionId().toString()), "a new id per transaction");
          c.commit();
        }
      }
    }
  }
}
