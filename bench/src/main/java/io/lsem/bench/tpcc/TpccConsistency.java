package io.lsem.bench.tpcc;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * TPC-C's consistency conditions (clause 3.3.2) for the schema of {@link TpccSchema}, checked
 * after a run, plus the stock and order-id conditions of this workload. Each violated condition
 * is reported with its numbers; an empty list means the database is consistent.
 */
public final class TpccConsistency {
  private TpccConsistency() {}

  /**
   * The violated conditions; {@code acknowledged} and {@code unknown} are the New-Orders and
   * Payments the application was told committed, or whose outcome it was told is unknown: the
   * tables must hold at least the acknowledged ones and at most those plus the unknown ones.
   */
  public static List<String> check(Connection c, long newOrdersAcknowledged, long newOrdersUnknown,
      long paymentsAcknowledged, long paymentsUnknown) throws SQLException {
    List<String> violations = new ArrayList<>();
    violations(c, violations, "1: w_ytd = sum(d_ytd)",
        "SELECT w_id, w_ytd, (SELECT sum(d_ytd) FROM district WHERE d_w_id = w_id) FROM warehouse"
            + " WHERE w_ytd <> (SELECT sum(d_ytd) FROM district WHERE d_w_id = w_id)");
    violations(c, violations, "2: d_next_o_id - 1 = max(o_id) = max(no_o_id)",
        "SELECT d_w_id, d_id, d_next_o_id - 1, (SELECT max(o_id) FROM orders WHERE o_w_id = d_w_id AND o_d_id = d_id),"
            + " (SELECT max(no_o_id) FROM new_order WHERE no_w_id = d_w_id AND no_d_id = d_id) FROM district"
            + " WHERE d_next_o_id - 1 <> coalesce((SELECT max(o_id) FROM orders WHERE o_w_id = d_w_id AND o_d_id = d_id), 0)"
            + " OR d_next_o_id - 1 <> coalesce((SELECT max(no_o_id) FROM new_order WHERE no_w_id = d_w_id"
            + " AND no_d_id = d_id), d_next_o_id - 1)");
    violations(c, violations, "3: new orders contiguous (max - min + 1 = count)",
        "SELECT no_w_id, no_d_id, max(no_o_id) - min(no_o_id) + 1, count(*) FROM new_order GROUP BY 1, 2"
            + " HAVING max(no_o_id) - min(no_o_id) + 1 <> count(*)");
    violations(c, violations, "4: sum(o_ol_cnt) = count(order_line) per district",
        "SELECT o_w_id, o_d_id, sum(o_ol_cnt), (SELECT count(*) FROM order_line WHERE ol_w_id = o_w_id"
            + " AND ol_d_id = o_d_id) FROM orders GROUP BY 1, 2 HAVING sum(o_ol_cnt) <> (SELECT count(*)"
            + " FROM order_line WHERE ol_w_id = o_w_id AND ol_d_id = o_d_id)");
    violations(c, violations, "5: o_carrier_id is null exactly for orders in new_order",
        "SELECT o_w_id, o_d_id, o_id, o_carrier_id FROM orders WHERE (o_carrier_id IS NULL) <> EXISTS (SELECT 1"
            + " FROM new_order WHERE no_w_id = o_w_id AND no_d_id = o_d_id AND no_o_id = o_id)");
    violations(c, violations, "6: every order has o_ol_cnt order lines",
        "SELECT o_w_id, o_d_id, o_id, o_ol_cnt, (SELECT count(*) FROM order_line WHERE ol_w_id = o_w_id"
            + " AND ol_d_id = o_d_id AND ol_o_id = o_id) FROM orders WHERE o_ol_cnt <> (SELECT count(*)"
            + " FROM order_line WHERE ol_w_id = o_w_id AND ol_d_id = o_d_id AND ol_o_id = o_id)");
    violations(c, violations, "7: order lines delivered exactly for delivered orders",
        "SELECT ol_w_id, ol_d_id, ol_o_id, ol_number FROM order_line JOIN orders ON o_w_id = ol_w_id"
            + " AND o_d_id = ol_d_id AND o_id = ol_o_id WHERE ol_delivered <> (o_carrier_id IS NOT NULL)");
    violations(c, violations, "8: w_ytd = initial + sum(h_amount)",
        "SELECT w_id, w_ytd, " + TpccSchema.W_YTD + " + coalesce((SELECT sum(h_amount) FROM history WHERE h_w_id = w_id), 0)"
            + " FROM warehouse WHERE w_ytd <> " + TpccSchema.W_YTD
            + " + coalesce((SELECT sum(h_amount) FROM history WHERE h_w_id = w_id), 0)");
    violations(c, violations, "9: d_ytd = initial + sum(h_amount)",
        "SELECT d_w_id, d_id, d_ytd FROM district WHERE d_ytd <> " + TpccSchema.D_YTD
            + " + coalesce((SELECT sum(h_amount) FROM history WHERE h_w_id = d_w_id AND h_d_id = d_id), 0)");
    violations(c, violations, "10: c_balance = initial + delivered amounts - payments",
        "SELECT c_w_id, c_d_id, c_id, c_balance FROM customer WHERE c_balance <> " + TpccSchema.C_BALANCE
            + " + coalesce((SELECT sum(ol_amount) FROM order_line JOIN orders ON o_w_id = ol_w_id AND o_d_id = ol_d_id"
            + " AND o_id = ol_o_id WHERE o_w_id = c_w_id AND o_d_id = c_d_id AND o_c_id = c_id AND ol_delivered), 0)"
            + " - coalesce((SELECT sum(h_amount) FROM history WHERE h_c_w_id = c_w_id AND h_c_d_id = c_d_id"
            + " AND h_c_id = c_id), 0)");
    violations(c, violations, "12: c_ytd_payment and c_payment_cnt match history",
        "SELECT c_w_id, c_d_id, c_id, c_ytd_payment, c_payment_cnt FROM customer WHERE (c_ytd_payment, c_payment_cnt)"
            + " <> (SELECT coalesce(sum(h_amount), 0), count(*) FROM history WHERE h_c_w_id = c_w_id"
            + " AND h_c_d_id = c_d_id AND h_c_id = c_id)");
    violations(c, violations, "stock: s_ytd, s_order_cnt, s_remote_cnt match the order lines",
        "SELECT s_w_id, s_i_id, s_ytd, s_order_cnt, s_remote_cnt FROM stock WHERE (s_ytd, s_order_cnt, s_remote_cnt)"
            + " <> (SELECT coalesce(sum(ol_quantity), 0), count(*), count(*) FILTER (WHERE ol_w_id <> ol_supply_w_id)"
            + " FROM order_line WHERE ol_supply_w_id = s_w_id AND ol_i_id = s_i_id)");
    violations(c, violations, "order ids contiguous from 1 (count = max(o_id), min(o_id) = 1)",
        "SELECT o_w_id, o_d_id, count(*), min(o_id), max(o_id) FROM orders GROUP BY 1, 2"
            + " HAVING count(*) <> max(o_id) OR min(o_id) <> 1");
    long orders = count(c, "SELECT count(*) FROM orders");
    if (orders < newOrdersAcknowledged || orders > newOrdersAcknowledged + newOrdersUnknown) {
      violations.add("acknowledged New-Orders: " + orders + " orders for " + newOrdersAcknowledged
          + " acknowledged and " + newOrdersUnknown + " with an unknown outcome");
    }
    long payments = count(c, "SELECT count(*) FROM history");
    if (payments < paymentsAcknowledged || payments > paymentsAcknowledged + paymentsUnknown) {
      violations.add("acknowledged Payments: " + payments + " history rows for " + paymentsAcknowledged
          + " acknowledged and " + paymentsUnknown + " with an unknown outcome");
    }
    return violations;
  }

  private static void violations(Connection c, List<String> out, String condition, String query) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(query)) {
      int columns = rs.getMetaData().getColumnCount();
      int rows = 0;
      StringBuilder first = new StringBuilder();
      while (rs.next()) {
        if (rows++ == 0) {
          for (int i = 1; i <= columns; i++) {
            first.append(i == 1 ? "" : ", ").append(rs.getMetaData().getColumnName(i)).append('=')
                .append(rs.getString(i));
          }
        }
      }
      if (rows > 0) {
        out.add("condition " + condition + ": " + rows + " violation(s), first (" + first + ")");
      }
    }
  }

  private static long count(Connection c, String query) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(query)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
