package io.lsem.sample;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Properties;
import javax.sql.PooledConnection;
import javax.sql.XAConnection;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.postgresql.ds.PGConnectionPoolDataSource;
import org.postgresql.ds.PGSimpleDataSource;
import org.postgresql.xa.PGXADataSource;

/**
 * An application that knows only pgjdbc: it writes one row into {@code agent_probe(path)} in a
 * transaction through each way it can open a connection — {@code DriverManager},
 * {@code org.postgresql.Driver}, {@code PGSimpleDataSource}, {@code PGConnectionPoolDataSource} and
 * an XA branch of {@code PGXADataSource} — and prints {@code ok <path>} for each.
 *
 * <p>Arguments: a {@code jdbc:postgresql:} URL, user, password. With {@code --once} first, it only
 * opens one connection through {@code DriverManager} (any URL it accepts) and writes one row: what a
 * start-up measurement needs.
 */
public final class PgjdbcApp {
  private PgjdbcApp() {}

  public static void main(String[] args) throws Exception {
    if (args[0].equals("--once")) {
      try (Connection c = DriverManager.getConnection(args[1], args[2], args[3])) {
        write(c, "once");
      }
      return;
    }
    String url = args[0];
    String user = args[1];
    String password = args[2];

    try (Connection c = DriverManager.getConnection(url, user, password)) {
      write(c, "DriverManager");
    }
    Properties p = new Properties();
    p.setProperty("user", user);
    p.setProperty("password", password);
    try (Connection c = new org.postgresql.Driver().connect(url, p)) {
      write(c, "Driver");
    }
    PGSimpleDataSource simple = new PGSimpleDataSource();
    simple.setUrl(url);
    try (Connection c = simple.getConnection(user, password)) {
      write(c, "PGSimpleDataSource");
    }
    PGConnectionPoolDataSource pooled = new PGConnectionPoolDataSource();
    pooled.setUrl(url);
    PooledConnection pc = pooled.getPooledConnection(user, password);
    try (Connection c = pc.getConnection()) {
      write(c, "PGConnectionPoolDataSource");
    } finally {
      pc.close();
    }
    PGXADataSource xa = new PGXADataSource();
    xa.setUrl(url);
    XAConnection xc = xa.getXAConnection(user, password);
    try {
      XAResource resource = xc.getXAResource();
      Xid xid = new SampleXid();
      resource.start(xid, XAResource.TMNOFLAGS);
      try (Connection c = xc.getConnection(); PreparedStatement ps = c.prepareStatement("INSERT INTO agent_probe VALUES (?)")) {
        ps.setString(1, "PGXADataSource");
        ps.executeUpdate();
      }
      resource.end(xid, XAResource.TMSUCCESS);
      resource.prepare(xid);
      resource.commit(xid, false);
      System.out.println("ok PGXADataSource");
    } finally {
      xc.close();
    }
  }

  private static void write(Connection c, String path) throws SQLException {
    c.setAutoCommit(false);
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO agent_probe VALUES (?)")) {
      ps.setString(1, path);
      ps.executeUpdate();
    }
    c.commit();
    System.out.println("ok " + path);
  }

  private static final class SampleXid implements Xid {
    private final byte[] gtrid = ("sample-" + System.nanoTime()).getBytes(StandardCharsets.US_ASCII);

    @Override
    public int getFormatId() {
      return 1;
    }

    @Override
    public byte[] getGlobalTransactionId() {
      return Arrays.copyOf(gtrid, gtrid.length);
    }

    @Override
    public byte[] getBranchQualifier() {
      return new byte[] {1};
    }
  }
}
