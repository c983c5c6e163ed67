package io.lsem.jdbc.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lsem.jdbc.LsemConnection;
import io.lsem.jdbc.cli.LsemCommand;
import io.lsem.testkit.PostgresExtension;
import io.lsem.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 13 items 1–4, with three roles on a real server: the test's superuser (who installs),
 * {@code app} (the application: CREATE on the database) and {@code evil} (unrelated). Each test
 * fails on the version 1 ledger and driver.
 */
@ExtendWith(PostgresExtension.class)
class LedgerSecurityTest {
  private static final AtomicInteger ROLES = new AtomicInteger();

  private static void sql(Connection c, String... statements) throws SQLException {
    try (Statement s = c.createStatement()) {
      for (String statement : statements) {
        s.execute(statement);
      }
    }
  }

  private static boolean bool(Connection c, String query) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(query)) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  /** A LOGIN role with a fresh name (roles are cluster-wide), CREATE on {@code db} when {@code create}. */
  private static String role(TestDatabase db, String prefix, boolean create) throws SQLException {
    String name = prefix + "_" + ProcessHandle.current().pid() + "_" + ROLES.incrementAndGet();
    try (Connection admin = db.plain()) {
      // a member of the test kit's SCRAM group: it logs in with its password, as an application does
      sql(admin, "CREATE ROLE " + name + " LOGIN PASSWORD 'pw' IN ROLE " + db.server().scramGroup());
      if (create) {
        sql(admin, "GRANT CREATE ON DATABASE " + db.name() + " TO " + name);
      }
      sql(admin, "GRANT CREATE ON SCHEMA public TO " + name);
    }
    return name;
  }

  /** The attacks below run as roles that authenticate with SCRAM: a wrong password is refused. */
  @Test
  void theRolesOfTheseTestsLogInWithScramPasswords(TestDatabase db) throws SQLException {
    String evil = role(db, "scram", false);
    try (Connection admin = db.plain()) {
      assertTrue(bool(admin, "SELECT rolpassword LIKE 'SCRAM-SHA-256$%' FROM pg_catalog.pg_authid WHERE rolname = '"
          + evil + "'"), "the password is stored as a SCRAM verifier");
    }
    Properties wrong = props("user", evil, "password", "not-pw");
    if (db.server().isEmbedded()) {
      SQLException refused = assertThrows(SQLException.class,
          () -> DriverManager.getConnection(db.lsemUrl(), wrong).close());
      assertEquals("28P01", refused.getSQLState(), refused.toString());
      assertFalse(refused.getMessage().contains("not-pw"), "the password is not in the message");
    }
    try (Connection c = as(db, evil, true)) {
      assertTrue(c.isValid(5));
    }
  }

  private static Connection as(TestDatabase db, String role, boolean lsem, String... props) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", role);
    p.setProperty("password", "pw");
    for (int i = 0; i < props.length; i += 2) {
      p.setProperty(props[i], props[i + 1]);
    }
    return DriverManager.getConnection(lsem ? db.lsemUrl() : db.plainUrl(), p);
  }

  @Test
  void aSchemaPlantedByAnotherRoleIsRefusedByTheInstallerAndTheDriver(TestDatabase db) throws SQLException {
    TestDatabase fresh = db.server().createEmptyDatabase("planted");
    try {
      String evil = role(fresh, "evil", true);
      try (Connection e = as(fresh, evil, false)) {
        sql(e, "CREATE SCHEMA lsem",
            "CREATE TABLE lsem.commit_log(txn_id uuid, xid xid8, start_ts bigint, commit_ts bigint, attempts int)",
            "CREATE FUNCTION lsem.escalate() RETURNS trigger LANGUAGE plpgsql AS"
                + " $$ BEGIN EXECUTE 'ALTER ROLE " + evil + " SUPERUSER'; RETURN NEW; END $$",
            "CREATE TRIGGER t BEFORE INSERT ON lsem.commit_log FOR EACH ROW EXECUTE FUNCTION lsem.escalate()");
      }
      SQLException refused = assertThrows(SQLException.class, () -> {
        try (Connection admin = fresh.plain()) {
          sql(admin, Ledger.script());
        }
      });
      assertTrue(refused.getMessage().contains("refusing to install") && refused.getMessage().contains("owned by " + evil),
          refused.getMessage());
      // the driver, asked to install, does not build on it either, and commits never reach it
      try (Connection c = fresh.lsem(props("installLedger", "true"))) {
        c.setAutoCommit(false);
        sql(c, "CREATE TABLE t(a int)", "INSERT INTO t VALUES (1)");
        assertNull(c.unwrap(LsemConnection.class).currentTransactionId(), "timestamps off on a planted schema");
        c.commit();
      }
      try (Connection admin = fresh.plain()) {
        assertFalse(bool(admin, "SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = '" + evil + "'"),
            "evil became superuser");
      }
    } finally {
      fresh.drop();
    }
  }

  @Test
  void aLedgerWithAForeignTriggerIsNotUsedAndFailsVerify(TestDatabase db) throws SQLException {
    TestDatabase fresh = db.server().createDatabase("foreign_trigger"); // ledger installed by the superuser
    try {
      try (Connection admin = fresh.plain()) {
        sql(admin, "CREATE FUNCTION public.noop() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$",
            "CREATE TRIGGER planted BEFORE INSERT ON lsem.commit_log FOR EACH ROW EXECUTE FUNCTION public.noop()");
      }
      SQLException e = assertThrows(SQLException.class, () -> fresh.lsem(props("timestamps", "on")));
      assertTrue(e.getMessage().contains("trigger planted on lsem.commit_log"), e.getMessage());
      LsemCommand.Result verify = LsemCommand.run(fresh, "verify", "--url", fresh.plainUrl(), "--user", fresh.user());
      assertEquals(1, verify.exitCode(), verify.output());
      assertTrue(verify.output().contains("VIOLATION the ledger's objects belong to its owner"), verify.output());
    } finally {
      fresh.drop();
    }
  }

  @Test
  void onlyWritersMayRecordAndNoCallWedgesTheClock(TestDatabase db) throws SQLException {
    String evil = role(db, "evil", false);
    String app = role(db, "app", false);
    try (Connection admin = db.plain()) {
      sql(admin, "GRANT lsem_writer TO " + app, "CREATE TABLE IF NOT EXISTS public.wedge(a int)",
          "GRANT ALL ON public.wedge TO " + app);
    }
    for (String record : List.of("lsem.record_commit", "lsem.append_commit")) {
      try (Connection e = as(db, evil, false)) {
        SQLException denied = assertThrows(SQLException.class,
            () -> sql(e, "SELECT " + record + "(gen_random_uuid(), 0, 9223372036854775807, 1)"));
        assertEquals("42501", denied.getSQLState(), record + ": " + denied.getMessage());
      }
      try (Connection a = as(db, app, false)) {
        a.setAutoCommit(false);
        sql(a, "INSERT INTO public.wedge VALUES (1)");
        SQLException bounded = assertThrows(SQLException.class,
            () -> sql(a, "SELECT " + record + "(gen_random_uuid(), 0, 9223372036854775807, 1)"));
        assertEquals("22023", bounded.getSQLState(), record + ": " + bounded.getMessage());
        a.rollback();
        sql(a, "INSERT INTO public.wedge VALUES (2)");
        SQLException attempts = assertThrows(SQLException.class,
            () -> sql(a, "SELECT " + record + "(gen_random_uuid(), 1, 2, 0)"));
        assertEquals("22023", attempts.getSQLState(), record + ": " + attempts.getMessage());
        a.rollback();
      }
    }
    // the clock is not poisoned and the lock not leaked: the application still commits through the driver
    try (Connection c = as(db, app, true, "timestamps", "on")) {
      c.setAutoCommit(false);
      sql(c, "INSERT INTO public.wedge VALUES (3)");
      assertNotNull(c.unwrap(LsemConnection.class).currentTransactionId());
      c.commit();
      assertTrue(c.unwrap(LsemConnection.class).lastCommitTimestamp() > 0);
      assertTrue(c.unwrap(LsemConnection.class).lastCommitTimestamp() < Long.MAX_VALUE / 2, "clock not poisoned");
    }
  }

  @Test
  void twoRowsForOneTransactionAreRefused(TestDatabase db) throws SQLException {
    try (Connection c = db.plain()) {
      c.setAutoCommit(false);
      sql(c, "CREATE TABLE IF NOT EXISTS public.forged(a int)", "INSERT INTO public.forged VALUES (1)");
      sql(c, "SELECT lsem.record_commit(gen_random_uuid(), 1, 2, 1)");
      SQLException second = assertThrows(SQLException.class,
          () -> sql(c, "SELECT lsem.record_commit(gen_random_uuid(), 1, 3, 1)"));
      assertEquals("23505", second.getSQLState(), second.getMessage());
      c.rollback();
    }
  }

  @Test
  void aShadowFunctionInPublicIsNeverCalled(TestDatabase db) throws SQLException {
    String evil = role(db, "evil", false);
    try (Connection e = as(db, evil, false)) {
      sql(e, "CREATE TABLE public.called(who text)", "GRANT INSERT ON public.called TO PUBLIC",
          "CREATE FUNCTION public.pg_sequence_last_value(text) RETURNS bigint LANGUAGE plpgsql AS"
              + " $$ BEGIN INSERT INTO public.called VALUES (current_user); RETURN 0; END $$",
          "GRANT EXECUTE ON FUNCTION public.pg_sequence_last_value(text) TO PUBLIC");
    }
    try (Connection c = db.lsem(props("timestamps", "on", "ledgerPurgeInterval", "0s"))) {
      c.setAutoCommit(false);
      sql(c, "CREATE TABLE IF NOT EXISTS public.shadowed(a int)", "INSERT INTO public.shadowed VALUES (1)");
      c.commit();
    }
    LsemCommand.Result verify = LsemCommand.run(db, "verify", "--url", db.plainUrl(), "--user", db.user(),
        "--table", "shadowed");
    assertEquals(0, verify.exitCode(), verify.output());
    try (Connection admin = db.plain()) {
      assertFalse(bool(admin, "SELECT EXISTS (SELECT 1 FROM public.called)"), "the shadow function ran");
    }
  }

  private static Properties props(String... kv) {
    Properties p = new Properties();
    for (int i = 0; i < kv.length; i += 2) {
      p.setProperty(kv[i], kv[i + 1]);
    }
    return p;
  }
}
