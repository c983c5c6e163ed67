package io.lsem.bench.tpcc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.SplittableRandom;

/**
 * One terminal: a connection at SERIALIZABLE with autocommit off, and the three writing
 * transactions of TPC-C written the plain JDBC way — no retry loop: a failure rolls back and is
 * counted. New-Order inserts its order lines in one {@code executeBatch()} and updates the stock
 * rows in another (the shape that once lost writes); Payment only writes; Delivery reads the
 * oldest new order of each district and settles it.
 */
public final class TpccTerminal implements AutoCloseable {
  /** What one call did: committed, rolled back by an error, or ended with its outcome unknown (08007). */
  public enum Outcome { COMMITTED, FAILED, UNKNOWN }

  private final Connection c;
  private final int warehouses;
  private final int home;
  private final SplittableRandom random;

  public TpccTerminal(Connection c, int warehouses, int home, long seed) throws SQLException {
    this.c = c;
    this.warehouses = warehouses;
    this.home = home;
    this.random = new SplittableRandom(seed);
    c.setAutoCommit(false);
    c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
  }

  public Connection connection() {
    return c;
  }

  /** A New-Order; returns its outcome ({@code lastError()} explains a failure). */
  public Outcome newOrder() {
    int d = 1 + random.nextInt(TpccSchema.DISTRICTS);
    int customer = 1 + random.nextInt(TpccSchema.CUSTOMERS);
    int lines = 5 + random.nextInt(11);
    int[] items = random.ints(1, TpccSchema.ITEMS + 1).distinct().limit(lines).toArray();
    int[] supply = new int[lines];
    int[] quantity = new int[lines];
    boolean allLocal = true;
    for (int i = 0; i < lines; i++) {
      supply[i] = warehouses > 1 && random.nextInt(100) == 0 ? 1 + (home % warehouses) : home;
      allLocal &= supply[i] == home;
      quantity[i] = 1 + random.nextInt(10);
    }
    boolean finalAllLocal = allLocal;
    return run(() -> {
      try (PreparedStatement w = c.prepareStatement("SELECT w_tax FROM warehouse WHERE w_id = ?")) {
        w.setInt(1, home);
        try (ResultSet rs = w.executeQuery()) {
          rs.next();
        }
      }
      int orderId;
      try (PreparedStatement next = c.prepareStatement(
          "SELECT d_tax, d_next_o_id FROM district WHERE d_w_id = ? AND d_id = ?")) {
        next.setInt(1, home);
        next.setInt(2, d);
        try (ResultSet rs = next.executeQuery()) {
          rs.next();
          orderId = rs.getInt(2);
        }
      }
      try (PreparedStatement bump = c.prepareStatement(
          "UPDATE district SET d_next_o_id = ? WHERE d_w_id = ? AND d_id = ?")) {
        bump.setInt(1, orderId + 1);
        bump.setInt(2, home);
        bump.setInt(3, d);
        bump.executeUpdate();
      }
      try (PreparedStatement order = c.prepareStatement("INSERT INTO orders VALUES (?, ?, ?, ?, NULL, ?, ?)");
           PreparedStatement fresh = c.prepareStatement("INSERT INTO new_order VALUES (?, ?, ?)")) {
        order.setInt(1, home);
        order.setInt(2, d);
        order.setInt(3, orderId);
        order.setInt(4, customer);
        order.setInt(5, lines);
        order.setInt(6, finalAllLocal ? 1 : 0);
        order.executeUpdate();
        fresh.setInt(1, home);
        fresh.setInt(2, d);
        fresh.setInt(3, orderId);
        fresh.executeUpdate();
      }
      long[] price = new long[lines];
      int[] stock = new int[lines];
      try (PreparedStatement item = c.prepareStatement("SELECT i_price FROM item WHERE i_id = ?");
           PreparedStatement level = c.prepareStatement(
               "SELECT s_quantity FROM stock WHERE s_w_id = ? AND s_i_id = ?")) {
        for (int i = 0; i < lines; i++) {
          item.setInt(1, items[i]);
          try (ResultSet rs = item.executeQuery()) {
            rs.next();
            price[i] = rs.getLong(1);
          }
          level.setInt(1, supply[i]);
          level.setInt(2, items[i]);
          try (ResultSet rs = level.executeQuery()) {
            rs.next();
            stock[i] = rs.getInt(1);
          }
        }
      }
      try (PreparedStatement line = c.prepareStatement(
          "INSERT INTO order_line(ol_w_id, ol_d_id, ol_o_id, ol_number, ol_i_id, ol_supply_w_id, ol_quantity,"
              + " ol_amount) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
        for (int i = 0; i < lines; i++) {
          line.setInt(1, home);
          line.setInt(2, d);
          line.setInt(3, orderId);
          line.setInt(4, i + 1);
          line.setInt(5, items[i]);
          line.setInt(6, supply[i]);
          line.setInt(7, quantity[i]);
          line.setLong(8, quantity[i] * price[i]);
          line.addBatch();
        }
        line.executeBatch();
      }
      try (PreparedStatement update = c.prepareStatement("UPDATE stock SET s_quantity = ?, s_ytd = s_ytd + ?,"
          + " s_order_cnt = s_order_cnt + 1, s_remote_cnt = s_remote_cnt + ? WHERE s_w_id = ? AND s_i_id = ?")) {
        for (int i = 0; i < lines; i++) {
          update.setInt(1, stock[i] >= quantity[i] + 10 ? stock[i] - quantity[i] : stock[i] - quantity[i] + 91);
          update.setInt(2, quantity[i]);
          update.setInt(3, supply[i] == home ? 0 : 1);
          update.setInt(4, supply[i]);
          update.setInt(5, items[i]);
          update.addBatch();
        }
        update.executeBatch();
      }
    });
  }

  /** A Payment: write-only, so a conflict replays cleanly. */
  public Outcome payment() {
    int d = 1 + random.nextInt(TpccSchema.DISTRICTS);
    int customer = 1 + random.nextInt(TpccSchema.CUSTOMERS);
    long amount = 100 + random.nextInt(500_000);
    return run(() -> {
      try (PreparedStatement w = c.prepareStatement("UPDATE warehouse SET w_ytd = w_ytd + ? WHERE w_id = ?");
           PreparedStatement dist = c.prepareStatement(
               "UPDATE district SET d_ytd = d_ytd + ? WHERE d_w_id = ? AND d_id = ?");
           PreparedStatement cust = c.prepareStatement("UPDATE customer SET c_balance = c_balance - ?,"
               + " c_ytd_payment = c_ytd_payment + ?, c_payment_cnt = c_payment_cnt + 1"
               + " WHERE c_w_id = ? AND c_d_id = ? AND c_id = ?");
           PreparedStatement history = c.prepareStatement("INSERT INTO history VALUES (?, ?, ?, ?, ?, ?)")) {
        w.setLong(1, amount);
        w.setInt(2, home);
        w.executeUpdate();
        dist.setLong(1, amount);
        dist.setInt(2, home);
        dist.setInt(3, d);
        dist.executeUpdate();
        cust.setLong(1, amount);
        cust.setLong(2, amount);
        cust.setInt(3, home);
        cust.setInt(4, d);
        cust.setInt(5, customer);
        cust.executeUpdate();
        history.setInt(1, home);
        history.setInt(2, d);
        history.setInt(3, customer);
        history.setInt(4, home);
        history.setInt(5, d);
        history.setLong(6, amount);
        history.executeUpdate();
      }
    });
  }

  /** A Delivery: the oldest new order of every district of the home warehouse, settled. */
  public Outcome delivery() {
    int carrier = 1 + random.nextInt(10);
    return run(() -> {
      try (PreparedStatement oldest = c.prepareStatement("SELECT no_o_id FROM new_order WHERE no_w_id = ?"
               + " AND no_d_id = ? ORDER BY no_o_id LIMIT 1");
           PreparedStatement take = c.prepareStatement(
               "DELETE FROM new_order WHERE no_w_id = ? AND no_d_id = ? AND no_o_id = ?");
           PreparedStatement order = c.prepareStatement(
               "UPDATE orders SET o_carrier_id = ? WHERE o_w_id = ? AND o_d_id = ? AND o_id = ? RETURNING o_c_id");
           PreparedStatement lines = c.prepareStatement("UPDATE order_line SET ol_delivered = true"
               + " WHERE ol_w_id = ? AND ol_d_id = ? AND ol_o_id = ? RETURNING ol_amount");
           PreparedStatement cust = c.prepareStatement("UPDATE customer SET c_balance = c_balance + ?,"
               + " c_delivery_cnt = c_delivery_cnt + 1 WHERE c_w_id = ? AND c_d_id = ? AND c_id = ?")) {
        for (int d = 1; d <= TpccSchema.DISTRICTS; d++) {
          oldest.setInt(1, home);
          oldest.setInt(2, d);
          int orderId;
          try (ResultSet rs = oldest.executeQuery()) {
            if (!rs.next()) {
              continue;
            }
            orderId = rs.getInt(1);
          }
          take.setInt(1, home);
          take.setInt(2, d);
          take.setInt(3, orderId);
          take.executeUpdate();
          order.setInt(1, carrier);
          order.setInt(2, home);
          order.setInt(3, d);
          order.setInt(4, orderId);
          int customer;
          try (ResultSet rs = order.executeQuery()) {
            rs.next();
            customer = rs.getInt(1);
          }
          lines.setInt(1, home);
          lines.setInt(2, d);
          lines.setInt(3, orderId);
          long total = 0;
          try (ResultSet rs = lines.executeQuery()) {
            while (rs.next()) {
              total += rs.getLong(1);
            }
          }
          cust.setLong(1, total);
          cust.setInt(2, home);
          cust.setInt(3, d);
          cust.setInt(4, customer);
          cust.executeUpdate();
        }
      }
    });
  }

  private SQLException lastError;

  /** The error of the last call that did not commit, or {@code null}. */
  public SQLException lastError() {
    return lastError;
  }

  @FunctionalInterface
  private interface Body {
    void run() throws SQLException;
  }

  private Outcome run(Body body) {
    lastError = null;
    try {
      body.run();
      c.commit();
      return Outcome.COMMITTED;
    } catch (SQLException e) {
      lastError = e;
      try {
        c.rollback();
      } catch (SQLException ignored) {
        // the connection may be gone; nothing is open on it then
      }
      return "08007".equals(e.getSQLState()) ? Outcome.UNKNOWN : Outcome.FAILED;
    }
  }

  @Override
  public void close() throws SQLException {
    c.close();
  }
}
