package io.lsem.bench.tpcc;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The TPC-C-like schema and its initial data, small enough to load in a second: {@code warehouses}
 * warehouses of 10 districts, {@link #CUSTOMERS} customers per district, {@link #ITEMS} items and a
 * stock row per warehouse and item. Orders start empty, so the consistency conditions hold at
 * once: every district's {@code d_ytd} starts at {@link #D_YTD} and every warehouse's
 * {@code w_ytd} at ten times that.
 */
public final class TpccSchema {
  public static final int DISTRICTS = 10;
  public static final int CUSTOMERS = 30;
  public static final int ITEMS = 1000;
  public static final long D_YTD = 30_000_00; // in cents
  public static final long W_YTD = DISTRICTS * D_YTD;
  public static final long C_BALANCE = -10_00;
  public static final int S_QUANTITY = 100;

  private TpccSchema() {}

  /** Creates the tables (dropping earlier ones) and loads the initial rows. */
  public static void create(Connection c, int warehouses) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS order_line, new_order, orders, history, stock, item, customer, district,"
          + " warehouse");
      s.execute("CREATE TABLE warehouse(w_id int PRIMARY KEY, w_tax int NOT NULL, w_ytd bigint NOT NULL)");
      s.execute("CREATE TABLE district(d_w_id int, d_id int, d_tax int NOT NULL, d_ytd bigint NOT NULL,"
          + " d_next_o_id int NOT NULL, PRIMARY KEY (d_w_id, d_id))");
      s.execute("CREATE TABLE customer(c_w_id int, c_d_id int, c_id int, c_balance bigint NOT NULL,"
          + " c_ytd_payment bigint NOT NULL, c_payment_cnt int NOT NULL, c_delivery_cnt int NOT NULL,"
          + " PRIMARY KEY (c_w_id, c_d_id, c_id))");
      s.execute("CREATE TABLE history(h_c_w_id int NOT NULL, h_c_d_id int NOT NULL, h_c_id int NOT NULL,"
          + " h_w_id int NOT NULL, h_d_id int NOT NULL, h_amount bigint NOT NULL)");
      s.execute("CREATE TABLE item(i_id int PRIMARY KEY, i_price bigint NOT NULL)");
      s.execute("CREATE TABLE stock(s_w_id int, s_i_id int, s_quantity int NOT NULL, s_ytd bigint NOT NULL,"
          + " s_order_cnt int NOT NULL, s_remote_cnt int NOT NULL, PRIMARY KEY (s_w_id, s_i_id))");
      s.execute("CREATE TABLE orders(o_w_id int, o_d_id int, o_id int, o_c_id int NOT NULL, o_carrier_id int,"
          + " o_ol_cnt int NOT NULL, o_all_local int NOT NULL, PRIMARY KEY (o_w_id, o_d_id, o_id))");
      s.execute("CREATE TABLE new_order(no_w_id int, no_d_id int, no_o_id int, PRIMARY KEY (no_w_id, no_d_id, no_o_id))");
      s.execute("CREATE TABLE order_line(ol_w_id int, ol_d_id int, ol_o_id int, ol_number int, ol_i_id int NOT NULL,"
          + " ol_supply_w_id int NOT NULL, ol_quantity int NOT NULL, ol_amount bigint NOT NULL, ol_delivered boolean"
          + " NOT NULL DEFAULT false, PRIMARY KEY (ol_w_id, ol_d_id, ol_o_id, ol_number))");
      s.execute("INSERT INTO warehouse SELECT w, w % 20, " + W_YTD + " FROM generate_series(1, " + warehouses + ") w");
      s.execute("INSERT INTO district SELECT w, d, (w + d) % 20, " + D_YTD + ", 1 FROM generate_series(1, "
          + warehouses + ") w, generate_series(1, " + DISTRICTS + ") d");
      s.execute("INSERT INTO customer SELECT w, d, c, " + C_BALANCE + ", 0, 0, 0 FROM generate_series(1, "
          + warehouses + ") w, generate_series(1, " + DISTRICTS + ") d, generate_series(1, " + CUSTOMERS + ") c");
      s.execute("INSERT INTO item SELECT i, 100 + (i * 37) % 9900 FROM generate_series(1, " + ITEMS + ") i");
      s.execute("INSERT INTO stock SELECT w, i, " + S_QUANTITY + ", 0, 0, 0 FROM generate_series(1, " + warehouses
          + ") w, generate_series(1, " + ITEMS + ") i");
      s.execute("ANALYZE");
    }
    if (!c.getAutoCommit()) {
      c.commit();
    }
  }
}
