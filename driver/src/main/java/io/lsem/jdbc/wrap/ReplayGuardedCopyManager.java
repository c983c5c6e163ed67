package io.lsem.jdbc.wrap;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.io.Writer;
import java.sql.SQLException;
import org.postgresql.copy.CopyDual;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;
import org.postgresql.copy.CopyOut;
import org.postgresql.util.ByteStreamWriter;

/**
 * pgjdbc's {@link CopyManager} on the driver's connection: every COPY first marks the open
 * transaction as not replayable (its data streams past the statements and cannot be run
 * again), then runs exactly as in pgjdbc.
 */
final class ReplayGuardedCopyManager extends CopyManager {
  private final ConnectionWrapper connection;

  ReplayGuardedCopyManager(ConnectionWrapper connection) throws SQLException {
    super(connection);
    this.connection = connection;
  }

  private void guard() {
    connection.bypassingStatements("COPY");
  }

  @Override
  public CopyIn copyIn(String sql) throws SQLException {
    guard();
    return super.copyIn(sql);
  }

  @Override
  public CopyOut copyOut(String sql) throws SQLException {
    guard();
    return super.copyOut(sql);
  }

  @Override
  public CopyDual copyDual(String sql) throws SQLException {
    guard();
    return super.copyDual(sql);
  }

  @Override
  public long copyOut(String sql, Writer to) throws SQLException, IOException {
    guard();
    return super.copyOut(sql, to);
  }

  @Override
  public long copyOut(String sql, OutputStream to) throws SQLException, IOException {
    guard();
    return super.copyOut(sql, to);
  }

  @Override
  public long copyIn(String sql, Reader from) throws SQLException, IOException {
    guard();
    return super.copyIn(sql, from);
  }

  @Override
  public long copyIn(String sql, Reader from, int bufferSize) throws SQLException, IOException {
    guard();
    return super.copyIn(sql, from, bufferSize);
  }

  @Override
  public long copyIn(String sql, InputStream from) throws SQLException, IOException {
    guard();
    return super.copyIn(sql, from);
  }

  @Override
  public long copyIn(String sql, InputStream from, int bufferSize) throws SQLException, IOException {
    guard();
    return super.copyIn(sql, from, bufferSize);
  }

  @Override
  public long copyIn(String sql, ByteStreamWriter from) throws SQLException, IOException {
    guard();
    return super.copyIn(sql, from);
  }
}
