package io.lsem.jdbc.wrap;

import java.sql.SQLException;
import org.postgresql.largeobject.LargeObject;
import org.postgresql.largeobject.LargeObjectManager;

/**
 * pgjdbc's {@link LargeObjectManager} on the driver's connection: creating, opening or deleting
 * a large object first marks the open transaction as not replayable (large objects are written
 * through pgjdbc's fast-path calls, past the statements), then runs exactly as in pgjdbc.
 */
final class ReplayGuardedLargeObjectManager extends LargeObjectManager {
  private final ConnectionWrapper connection;

  ReplayGuardedLargeObjectManager(ConnectionWrapper connection) throws SQLException {
    super(connection);
    this.connection = connection;
  }

  private void guard() {
    connection.bypassingStatements("large objects");
  }

  @Override
  @Deprecated // pgjdbc's deprecated int-oid form, guarded like the others
  @SuppressWarnings("deprecation")
  public LargeObject open(int oid) throws SQLException {
    guard();
    return super.open(oid);
  }

  @Override
  public LargeObject open(int oid, boolean commitOnClose) throws SQLException {
    guard();
    return super.open(oid, commitOnClose);
  }

  @Override
  public LargeObject open(long oid) throws SQLException {
    guard();
    return super.open(oid);
  }

  @Override
  public LargeObject open(long oid, boolean commitOnClose) throws SQLException {
    guard();
    return super.open(oid, commitOnClose);
  }

  @Override
  @Deprecated // pgjdbc's deprecated int-oid form, guarded like the others
  @SuppressWarnings("deprecation")
  public LargeObject open(int oid, int mode) throws SQLException {
    guard();
    return super.open(oid, mode);
  }

  @Override
  public LargeObject open(int oid, int mode, boolean commitOnClose) throws SQLException {
    guard();
    return super.open(oid, mode, commitOnClose);
  }

  @Override
  public LargeObject open(long oid, int mode) throws SQLException {
    guard();
    return super.open(oid, mode);
  }

  @Override
  public LargeObject open(long oid, int mode, boolean commitOnClose) throws SQLException {
    guard();
    return super.open(oid, mode, commitOnClose);
  }

  @Override
  @SuppressWarnings("deprecation")
  public int create() throws SQLException {
    guard();
    return super.create();
  }

  @Override
  public long createLO() throws SQLException {
    guard();
    return super.createLO();
  }

  @Override
  public long createLO(int mode) throws SQLException {
    guard();
    return super.createLO(mode);
  }

  @Override
  @SuppressWarnings("deprecation")
  public int create(int mode) throws SQLException {
    guard();
    return super.create(mode);
  }

  @Override
  public void delete(long oid) throws SQLException {
    guard();
    super.delete(oid);
  }

  @Override
  @SuppressWarnings("deprecation")
  public void unlink(int oid) throws SQLException {
    guard();
    super.unlink(oid);
  }

  @Override
  public void unlink(long oid) throws SQLException {
    guard();
    super.unlink(oid);
  }

  @Override
  @SuppressWarnings("deprecation")
  public void delete(int oid) throws SQLException {
    guard();
    super.delete(oid);
  }
}
