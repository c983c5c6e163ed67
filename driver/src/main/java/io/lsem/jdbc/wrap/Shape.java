package io.lsem.jdbc.wrap;

import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;

/** The columns of a result (count, labels, JDBC types), compared on replay. */
final class Shape {
  private Shape() {}

  static String of(ResultSet rs) throws SQLException {
    ResultSetMetaData md = rs.getMetaData();
    StringBuilder sb = new StringBuilder();
    for (int i = 1; i <= md.getColumnCount(); i++) {
      sb.append(md.getColumnLabel(i)).append(':').append(md.getColumnType(i)).append(';');
    }
    return sb.toString();
  }
}
