package io.lsem.it;

import com.arjuna.ats.arjuna.common.CoreEnvironmentBean;
import com.arjuna.ats.arjuna.common.ObjectStoreEnvironmentBean;
import com.arjuna.ats.arjuna.common.RecoveryEnvironmentBean;
import com.arjuna.ats.arjuna.recovery.RecoveryManager;
import com.arjuna.ats.internal.jta.recovery.arjunacore.XARecoveryModule;
import com.arjuna.ats.jta.common.JTAEnvironmentBean;
import com.arjuna.common.internal.util.propertyservice.BeanPopulator;
import io.lsem.jdbc.LsemXADataSource;
import io.lsem.jdbc.xa.LsemXAConnection;
import io.lsem.testkit.ForwardingXAResource;
import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionManager;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * The application of {@link XaCrashTest}, in a JVM of its own: starts Narayana on the object
 * store its previous run left, lets the transaction manager's recovery finish what that run left
 * in doubt, says {@code RECOVERED} and waits for the test's go; then runs one transfer between the
 * two databases and kills itself with SIGKILL at the step it was told (before the first PREPARE,
 * between the PREPAREs, between PREPARE and COMMIT PREPARED, between the COMMIT PREPAREDs), or
 * commits and says {@code COMMITTED}.
 *
 * <p>Arguments: object store directory, URL A, URL B, user, transfer id, crash step (0-3, or -1
 * for none, or {@value #LOOP} for transfers in a loop until told to stop).
 */
public final class XaCrashChild {
  private XaCrashChild() {}

  public static void main(String[] args) throws Exception {
    String store = args[0];
    String urlA = args[1];
    String urlB = args[2];
    String user = args[3];
    String transfer = args[4];
    int crashAt = Integer.parseInt(args[5]);
    BeanPopulator.getDefaultInstance(CoreEnvironmentBean.class).setNodeIdentifier("lsem-crash-test");
    for (String name : new String[] {null, "communicationStore", "stateStore"}) {
      BeanPopulator.getNamedInstance(ObjectStoreEnvironmentBean.class, name).setObjectStoreDir(store);
    }
    JTAEnvironmentBean jta = BeanPopulator.getDefaultInstance(JTAEnvironmentBean.class);
    jta.setXaRecoveryNodes(List.of("lsem-crash-test"));
    jta.setOrphanSafetyInterval(0);
    jta.setXaResourceOrphanFilterClassNames(List.of(
        "com.arjuna.ats.internal.jta.recovery.arjunacore.JTATransactionLogXAResourceOrphanFilter",
        "com.arjuna.ats.internal.jta.recovery.arjunacore.JTANodeNameXAResourceOrphanFilter"));
    RecoveryEnvironmentBean recovery = BeanPopulator.getDefaultInstance(RecoveryEnvironmentBean.class);
    recovery.setRecoveryModuleClassNames(List.of(
        "com.arjuna.ats.internal.arjuna.recovery.AtomicActionRecoveryModule",
        "com.arjuna.ats.internal.jta.recovery.arjunacore.XARecoveryModule"));
    recovery.setExpiryScannerClassNames(List.of());
    recovery.setRecoveryBackoffPeriod(1);

    LsemXAConnection recoverA = open(urlA, user);
    LsemXAConnection recoverB = open(urlB, user);
    RecoveryManager manager = RecoveryManager.manager(RecoveryManager.INDIRECT_MANAGEMENT);
    XARecoveryModule.getRegisteredXARecoveryModule().addXAResourceRecoveryHelper(
        new com.arjuna.ats.jta.recovery.XAResourceRecoveryHelper() {
          @Override
          public boolean initialise(String p) {
            return true;
          }

          @Override
          public XAResource[] getXAResources() {
            return new XAResource[] {recoverA.getXAResource(), recoverB.getXAResource()};
          }
        });
    manager.scan();
    manager.scan();
    System.out.println("RECOVERED");
    System.out.flush();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    if (!"go".equals(in.readLine())) {
      manager.terminate();
      return;
    }

    TransactionManager tm = com.arjuna.ats.jta.TransactionManager.transactionManager();
    if (crashAt == LOOP) {
      loop(tm, urlA, urlB, user, transfer, in);
      return;
    }
    int[] step = {0};
    try (LsemXAConnection a = open(urlA, user); LsemXAConnection b = open(urlB, user)) {
      tm.begin();
      Transaction tx = tm.getTransaction();
      XAResource ra = new Crashing(a.getXAResource(), step, crashAt);
      XAResource rb = new Crashing(b.getXAResource(), step, crashAt);
      tx.enlistResource(ra);
      tx.enlistResource(rb);
      apply(a, transfer, -7);
      apply(b, transfer, 7);
      tx.delistResource(ra, XAResource.TMSUCCESS);
      tx.delistResource(rb, XAResource.TMSUCCESS);
      tm.commit();
    }
    System.out.println("COMMITTED");
    System.out.flush();
    manager.terminate();
  }

  /** Crash step meaning: run transfers until told to stop, then exit (whatever is in flight stays in doubt). */
  static final int LOOP = 99;

  /**
   * Transfers {@code <prefix>-<n>} one after another until the test writes {@code stop}; a failure
   * (the second server restarting under it) rolls that transfer back and the loop goes on with new
   * connections. Then says {@code STOPPED <committed> <failed>} and halts at once, leaving the
   * transaction manager's log as it is for the next run's recovery.
   */
  private static void loop(TransactionManager tm, String urlA, String urlB, String user, String prefix,
      BufferedReader in) throws Exception {
    java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    Thread reader = new Thread(() -> {
      try {
        in.readLine();
      } catch (java.io.IOException ignored) {
        // the test is gone: stop as well
      }
      stop.set(true);
    });
    reader.setDaemon(true);
    reader.start();
    long committed = 0;
    java.util.Map<String, Integer> failed = new java.util.TreeMap<>();
    LsemXAConnection a = null;
    LsemXAConnection b = null;
    for (int n = 0; !stop.get(); n++) {
      try {
        if (a == null) {
          a = open(urlA, user);
        }
        if (b == null) {
          b = open(urlB, user);
        }
        tm.begin();
        Transaction tx = tm.getTransaction();
        tx.enlistResource(a.getXAResource());
        tx.enlistResource(b.getXAResource());
        int account = 1 + java.util.concurrent.ThreadLocalRandom.current().nextInt(100);
        apply(a, account, prefix + "-" + n, -1);
        apply(b, account, prefix + "-" + n, 1);
        tx.delistResource(a.getXAResource(), XAResource.TMSUCCESS);
        tx.delistResource(b.getXAResource(), XAResource.TMSUCCESS);
        tm.commit();
        committed++;
        System.out.println("COMMITTED " + committed);
        System.out.flush();
      } catch (Exception e) {
        failed.merge(e.getClass().getSimpleName(), 1, Integer::sum);
        try {
          if (tm.getTransaction() != null) {
            tm.rollback();
          }
        } catch (Exception ignored) {
          // already ended
        }
        a = closeQuietly(a);
        b = closeQuietly(b);
      }
    }
    System.out.println("STOPPED " + committed + " " + failed);
    System.out.flush();
    Runtime.getRuntime().halt(0);
  }

  private static LsemXAConnection closeQuietly(LsemXAConnection c) {
    if (c != null) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // a connection of the restarted server
      }
    }
    return null;
  }

  private static LsemXAConnection open(String url, String user) throws SQLException {
    LsemXADataSource ds = new LsemXADataSource();
    ds.setUrl(url);
    ds.setUser(user);
    ds.setPassword(System.getenv("LSEM_XA_PASSWORD")); // not on the command line
    ds.setProperty("timestamps", "on");
    // a branch left in doubt holds its row locks until the next run's recovery: wait for one 2 s at most
    ds.setProperty("options", "-c lock_timeout=2s");
    return (LsemXAConnection) ds.getXAConnection();
  }

  private static void apply(LsemXAConnection xa, String transfer, long delta) throws SQLException {
    apply(xa, 1, transfer, delta);
  }

  private static void apply(LsemXAConnection xa, int account, String transfer, long delta) throws SQLException {
    try (Connection c = xa.getConnection();
         PreparedStatement update = c.prepareStatement("UPDATE account SET balance = balance + ? WHERE id = ?");
         PreparedStatement log = c.prepareStatement("INSERT INTO transfer VALUES (?, ?, ?)")) {
      update.setLong(1, delta);
      update.setInt(2, account);
      update.executeUpdate();
      log.setString(1, transfer);
      log.setInt(2, account);
      log.setLong(3, delta);
      log.executeUpdate();
    }
  }

  /** Step 0 and 1: the two PREPAREs; 2 and 3: the two COMMITs. Dies by SIGKILL before step {@code crashAt}. */
  private static final class Crashing extends ForwardingXAResource {
    private final int[] step;
    private final int crashAt;

    Crashing(XAResource delegate, int[] step, int crashAt) {
      super(delegate);
      this.step = step;
      this.crashAt = crashAt;
    }

    private void maybeDie() {
      if (step[0]++ == crashAt) {
        try {
          new ProcessBuilder("kill", "-9", Long.toString(ProcessHandle.current().pid())).start().waitFor();
          Thread.currentThread().join(); // SIGKILL is on its way: nothing after this line runs
        } catch (Exception e) {
          Runtime.getRuntime().halt(9);
        }
      }
    }

    @Override
    public int prepare(Xid xid) throws XAException {
      maybeDie();
      return delegate.prepare(xid);
    }

    @Override
    public void commit(Xid xid, boolean onePhase) throws XAException {
      maybeDie();
      delegate.commit(xid, onePhase);
    }
  }
}
