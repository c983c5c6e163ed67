package io.lsem.jdbc.tx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.lsem.jdbc.LsemConnection;
import io.lsem.jdbc.RetryStats;
import io.lsem.jdbc.ledger.Ledger;
import io.lsem.testkit.FaultProxy;
import io.lsem.testkit.PostgresExtension;
import io.lsem.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Generated sequences of application calls with one fault each (or none), checked after every
 * sequence against what the application was told (issue 12):
 * <ul>
 *   <li>every logical write is applied at most once;
 *   <li>every acknowledged one (its call returned and its transaction's end returned as a commit)
 *       is applied exactly once;
 *   <li>every unacknowledged one is either not applied, or applied while the application got the
 *       typed "outcome unknown" (08007) — or the failed call itself contained a transaction
 *       boundary (an inner COMMIT, a procedure or DO block that commits), whose committed part is
 *       PostgreSQL's own semantics, applied at most once.
 * </ul>
 * Calls: single INSERTs, a function that writes, multi-statement strings (with and without an
 * inner COMMIT), a procedure and a DO block that commit, savepoints rolled back, batches, prepared
 * INSERTs and reads. Faults: 40001 or 40P01 raised by a trigger on the write (the driver cannot
 * see it in the SQL text), the backend terminated by that trigger, the connection cut by the
 * fault proxy before a call reaches the server or after it did, and after a COMMIT was sent.
 * 500 sequences per configuration (2,000 in all) by default; more on demand with
 * {@code -Dlsem.faults.sequences=N}.
 */
@ExtendWith(PostgresExtension.class)
class FaultSequenceTest {
  private static final String INSERT = "INSERT INTO fs_write(tag) VALUES ('%s')";

  /** What the application was told about a write, so what the table must show. */
  enum Expect { ONCE, NEVER, MAYBE }

  enum Fault { NONE, CONFLICT, DEADLOCK, TERMINATE, CUT_BEFORE_SEND, CUT_AFTER_SEND, CUT_COMMIT }

  enum Kind { INSERT, FUNCTION, MULTI, MULTI_WITH_COMMIT, PROCEDURE, DO_BLOCK, SAVEPOINT_UNDONE, BATCH, PREPARED, READ }

  @BeforeAll
  static void schema(TestDatabase db) throws SQLException {
    try (Connection c = db.plain(); Statement s = c.createStatement()) {
      s.execute(Ledger.script());
      s.execute("CREATE TABLE fs_write(id bigserial PRIMARY KEY, tag text NOT NULL)");
      s.execute("CREATE TABLE fs_fault(tag text PRIMARY KEY, kind text NOT NULL)");
      s.execute("CREATE SEQUENCE fs_fault_seq");
      s.execute("CREATE FUNCTION fs_fault() RETURNS trigger LANGUAGE plpgsql AS $$ DECLARE k text; BEGIN"
          + " SELECT f.kind INTO k FROM fs_fault f WHERE f.tag = NEW.tag;"
          + " IF k IS NOT NULL AND nextval('fs_fault_seq') = 1 THEN"
          + "   IF k = 'TERM' THEN PERFORM pg_terminate_backend(pg_backend_pid()); PERFORM pg_sleep(30); END IF;"
          + "   RAISE EXCEPTION 'injected % on %', k, NEW.tag USING ERRCODE = k;"
          + " END IF; RETURN NEW; END $$");
      s.execute("CREATE TRIGGER fs_fault BEFORE INSERT ON fs_write FOR EACH ROW EXECUTE FUNCTION fs_fault()");
      s.execute("CREATE FUNCTION fs_insert(t text) RETURNS int LANGUAGE sql AS"
          + " $$ INSERT INTO fs_write(tag) VALUES (t) RETURNING 1 $$");
      s.execute("CREATE PROCEDURE fs_commit(t text) LANGUAGE plpgsql AS $$ BEGIN"
          + " INSERT INTO fs_write(tag) VALUES (t); COMMIT; END $$");
    }
  }

  /** One call of a sequence: its SQL, the writes it makes, and whether it contains a boundary. */
  private record Call(Kind kind, List<String> tags, List<String> undone, String sql) {
    boolean hasBoundary(boolean autoCommit) {
      return kind == Kind.MULTI_WITH_COMMIT || kind == Kind.PROCEDURE || kind == Kind.DO_BLOCK
          || (kind == Kind.BATCH && autoCommit);
    }
  }

  @ParameterizedTest(name = "mode={0} timestamps={1} seed={2}")
  @Timeout(value = 240, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  @CsvSource({"extended, on, 21", "extended, off, 22", "simple, on, 23", "simple, off, 24"})
  void whatTheApplicationWasToldIsWhatHappened(String mode, String timestamps, long seed, TestDatabase db)
      throws Exception {
    int sequences = Integer.getInteger("lsem.faults.sequences", 500);
    Random random = new Random(seed);
    Map<String, Expect> expected = new LinkedHashMap<>();
    Map<Fault, Integer> faults = new EnumMap<>(Fault.class);
    Map<Expect, Integer> outcomes = new EnumMap<>(Expect.class);
    long replays = 0;
    long recovered = 0;
    try (FaultProxy proxy = FaultProxy.start(db.server().host(), db.server().port());
         Connection admin = db.plain(); Statement a = admin.createStatement()) {
      a.execute("TRUNCATE fs_write");
      Connection c = open(db, proxy, mode, timestamps);
      try {
        for (int n = 0; n < sequences; n++) {
          if (!c.isValid(5)) {
            replays += stats(c).replays();
            recovered += stats(c).recovered();
            c.close();
            c = open(db, proxy, mode, timestamps);
          }
          Sequence seq = new Sequence(seed + "_" + n, random);
          faults.merge(seq.fault, 1, Integer::sum);
          arm(a, seq);
          Map<String, Expect> told = seq.run(c, proxy);
          proxy.cutAfterClientSends(null);
          proxy.cutInsteadOfSending(null);
          check(a, seq.prefix, told, "sequence " + n + " (seed " + seed + "): " + seq);
          told.forEach((tag, e) -> outcomes.merge(e, 1, Integer::sum));
          expected.putAll(told);
        }
        replays += stats(c).replays();
        recovered += stats(c).recovered();
      } finally {
        c.close();
      }
      // a backend the proxy cut off may still be finishing: the final check waits until it is gone
      awaitNoOtherBackends(a, db.name());
      check(a, seed + "_", expected, "after all sequences (seed " + seed + ")");
    }
    // the faults happened and the driver both recovered and gave up: the run tested something
    for (Fault f : Fault.values()) {
      assertTrue(faults.getOrDefault(f, 0) > sequences / 20, "fault " + f + " injected: " + faults);
    }
    assertTrue(recovered > sequences / 20 && replays > sequences / 20, "the driver recovered " + recovered
        + " calls with " + replays + " replays");
    assertTrue(outcomes.getOrDefault(Expect.ONCE, 0) > sequences && outcomes.getOrDefault(Expect.NEVER, 0) > 0,
        "acknowledged and refused writes both occurred: " + outcomes);
  }

  private static RetryStats stats(Connection c) throws SQLException {
    return c.unwrap(LsemConnection.class).retryStats();
  }

  private static Connection open(TestDatabase db, FaultProxy proxy, String mode, String timestamps)
      throws SQLException {
    Properties p = db.credentials();
    p.setProperty("failoverTimeout", "10s");
    p.setProperty("preferQueryMode", mode);
    p.setProperty("timestamps", timestamps);
    p.setProperty("retryBackoffBase", "1ms");
    return DriverManager.getConnection(proxy.url("lsem:", db.name()), p);
  }

  /** The trigger's fault for this sequence: fires once (a sequence is not rolled back). */
  private static void arm(Statement a, Sequence seq) throws SQLException {
    a.execute("TRUNCATE fs_fault; SELECT setval('fs_fault_seq', 1, false)");
    String kind = seq.fault == Fault.CONFLICT ? "40001" : seq.fault == Fault.DEADLOCK ? "40P01"
        : seq.fault == Fault.TERMINATE ? "TERM" : null;
    if (kind != null && seq.faultTag != null) {
      a.execute("INSERT INTO fs_fault VALUES ('" + seq.faultTag + "', '" + kind + "')");
    }
  }

  private static void check(Statement a, String prefix, Map<String, Expect> told, String what) throws SQLException {
    Map<String, Integer> applied = new HashMap<>();
    try (ResultSet rs = a.executeQuery("SELECT tag, count(*) FROM fs_write WHERE tag LIKE 't" + prefix
        + "%' GROUP BY tag")) {
      while (rs.next()) {
        applied.put(rs.getString(1), rs.getInt(2));
      }
    }
    for (Map.Entry<String, Integer> e : applied.entrySet()) {
      if (e.getValue() > 1) {
        fail(what + ": " + e.getKey() + " applied " + e.getValue() + " times");
      }
    }
    for (Map.Entry<String, Expect> e : told.entrySet()) {
      int rows = applied.getOrDefault(e.getKey(), 0);
      if (e.getValue() == Expect.ONCE && rows != 1) {
        fail(what + ": " + e.getKey() + " was acknowledged but applied " + rows + " times");
      }
      if (e.getValue() == Expect.NEVER && rows != 0) {
        fail(what + ": " + e.getKey() + " failed without an 'unknown' outcome but was applied");
      }
    }
  }

  private static void awaitNoOtherBackends(Statement a, String database) throws SQLException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    for (;;) {
      try (ResultSet rs = a.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE datname = '" + database
          + "' AND pid <> pg_backend_pid() AND backend_type = 'client backend'")) {
        rs.next();
        if (rs.getInt(1) == 0) {
          return;
        }
      }
      if (System.nanoTime() > deadline) {
        fail("backends of the test were still running after 30 s");
      }
      a.execute("SELECT pg_sleep(0.05)"); // a wait on the server for the cut backends to exit
    }
  }

  /** One generated sequence: a transaction (or autocommit calls), one fault, how it ends. */
  private static final class Sequence {
    final String prefix;
    final boolean autoCommit;
    final List<Call> calls = new ArrayList<>();
    final Fault fault;
    final int faultCall;
    final String faultTag;
    final String end;
    private int tags;

    Sequence(String prefix, Random random) {
      this.prefix = prefix;
      this.autoCommit = random.nextInt(3) == 0;
      int count = 1 + random.nextInt(4);
      for (int i = 0; i < count; i++) {
        calls.add(call(random));
      }
      Fault f = Fault.values()[random.nextInt(Fault.values().length)];
      if (f == Fault.CUT_COMMIT && autoCommit) {
        f = Fault.CUT_AFTER_SEND;
      }
      int at = random.nextInt(calls.size());
      List<String> writes = new ArrayList<>(calls.get(at).tags);
      writes.addAll(calls.get(at).undone);
      if (f != Fault.NONE && f != Fault.CUT_COMMIT && writes.isEmpty()) {
        f = Fault.NONE; // a read: nothing to fault on
      }
      this.fault = f;
      this.faultCall = at;
      this.faultTag = writes.isEmpty() ? null : writes.get(random.nextInt(writes.size()));
      this.end = autoCommit ? "none" : new String[] {"commit", "commit", "COMMIT", "rollback", "ROLLBACK"}[
          random.nextInt(5)];
    }

    private String tag() {
      return "t" + prefix + "_" + (++tags);
    }

    private Call call(Random random) {
      List<Kind> kinds = new ArrayList<>(List.of(Kind.INSERT, Kind.FUNCTION, Kind.MULTI, Kind.MULTI_WITH_COMMIT,
          Kind.PREPARED, Kind.READ, Kind.INSERT));
      if (autoCommit) {
        kinds.addAll(List.of(Kind.PROCEDURE, Kind.DO_BLOCK));
      } else {
        kinds.addAll(List.of(Kind.SAVEPOINT_UNDONE, Kind.BATCH, Kind.BATCH));
      }
      Kind kind = kinds.get(random.nextInt(kinds.size()));
      String t1 = tag();
      switch (kind) {
        case INSERT:
        case PREPARED:
          return new Call(kind, List.of(t1), List.of(), String.format(INSERT, t1));
        case FUNCTION:
          return new Call(kind, List.of(t1), List.of(), "SELECT fs_insert('" + t1 + "')");
        case MULTI: {
          String t2 = tag();
          return new Call(kind, List.of(t1, t2), List.of(), String.format(INSERT, t1) + "; "
              + String.format(INSERT, t2));
        }
        case MULTI_WITH_COMMIT: {
          String t2 = tag();
          return new Call(kind, List.of(t1, t2), List.of(), (autoCommit ? "BEGIN; " : "")
              + String.format(INSERT, t1) + "; COMMIT; " + String.format(INSERT, t2));
        }
        case PROCEDURE:
          return new Call(kind, List.of(t1), List.of(), "CALL fs_commit('" + t1 + "')");
        case DO_BLOCK:
          return new Call(kind, List.of(t1), List.of(), "DO $$ BEGIN " + String.format(INSERT, t1)
              + "; COMMIT; END $$");
        case SAVEPOINT_UNDONE:
          return new Call(kind, List.of(), List.of(t1), "SAVEPOINT s1; " + String.format(INSERT, t1)
              + "; ROLLBACK TO SAVEPOINT s1");
        case BATCH: {
          String t2 = tag();
          return new Call(kind, List.of(t1, t2), List.of(), String.format(INSERT, t1) + "\n"
              + String.format(INSERT, t2));
        }
        default:
          return new Call(kind, List.of(), List.of(), "SELECT count(*) FROM fs_write WHERE tag LIKE 't" + prefix
              + "%'");
      }
    }

    /** Runs the sequence; returns what the application was told of each write. */
    Map<String, Expect> run(Connection c, FaultProxy proxy) throws SQLException {
      Map<String, Expect> told = new LinkedHashMap<>();
      c.setAutoCommit(autoCommit);
      List<String> pending = new ArrayList<>(); // written in the open transaction, acknowledged so far
      for (int i = 0; i < calls.size(); i++) {
        Call call = calls.get(i);
        call.undone.forEach(t -> told.put(t, Expect.NEVER));
        if (i == faultCall && fault == Fault.CUT_BEFORE_SEND) {
          proxy.cutInsteadOfSending(faultTag);
        } else if (i == faultCall && fault == Fault.CUT_AFTER_SEND) {
          proxy.cutAfterClientSends(faultTag);
        }
        try {
          make(c, call);
        } catch (SQLException e) {
          boolean unknown = "08007".equals(e.getSQLState());
          List<String> lost = new ArrayList<>(pending);
          lost.addAll(call.tags);
          if (call.hasBoundary(autoCommit)) {
            lost.forEach(t -> told.put(t, Expect.MAYBE)); // its committed part is final, once
          } else if (autoCommit && unknown) {
            call.tags.forEach(t -> told.put(t, Expect.MAYBE));
          } else {
            lost.forEach(t -> told.put(t, Expect.NEVER));
          }
          pending.clear();
          if (!autoCommit) {
            rollbackQuietly(c);
          }
          proxy.cutAfterClientSends(null);
          proxy.cutInsteadOfSending(null);
          return told;
        }
        if (autoCommit) {
          call.tags.forEach(t -> told.put(t, Expect.ONCE));
        } else if (call.kind == Kind.MULTI_WITH_COMMIT) {
          // the COMMIT ends the transaction; the INSERT after it runs in the implicit block of the
          // rest of the string, which the server commits at its end
          pending.addAll(call.tags);
          pending.forEach(t -> told.put(t, Expect.ONCE));
          pending.clear();
        } else {
          pending.addAll(call.tags);
        }
      }
      if (!autoCommit) {
        if (fault == Fault.CUT_COMMIT) {
          proxy.cutAfterClientSends("COMMIT");
        }
        try {
          end(c);
          Expect e = end.equalsIgnoreCase("commit") ? Expect.ONCE : Expect.NEVER;
          pending.forEach(t -> told.put(t, e));
        } catch (SQLException e) {
          Expect outcome = "08007".equals(e.getSQLState()) ? Expect.MAYBE : Expect.NEVER;
          pending.forEach(t -> told.put(t, outcome));
          rollbackQuietly(c);
        }
      }
      return told;
    }

    private void make(Connection c, Call call) throws SQLException {
      switch (call.kind) {
        case PREPARED:
          try (PreparedStatement ps = c.prepareStatement("INSERT INTO fs_write(tag) VALUES (?)")) {
            ps.setString(1, call.tags.get(0));
            ps.executeUpdate();
          }
          return;
        case BATCH:
          try (Statement s = c.createStatement()) {
            for (String sql : call.sql.split("\n")) {
              s.addBatch(sql);
            }
            s.executeBatch();
          }
          return;
        case READ:
          try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(call.sql)) {
            rs.next();
          }
          return;
        default:
          try (Statement s = c.createStatement()) {
            s.execute(call.sql);
          }
      }
    }

    private void end(Connection c) throws SQLException {
      switch (end) {
        case "commit":
          c.commit();
          break;
        case "rollback":
          c.rollback();
          break;
        default:
          try (Statement s = c.createStatement()) {
            s.execute(end);
          }
      }
    }

    private static void rollbackQuietly(Connection c) {
      try {
        c.rollback();
      } catch (SQLException ignored) {
        // the connection may be gone: nothing was open on it then
      }
    }

    @Override
    public String toString() {
      List<String> sqls = new ArrayList<>();
      calls.forEach(call -> sqls.add(call.kind + ": " + call.sql.replace('\n', '|')));
      return "autocommit " + autoCommit + ", fault " + fault + " at call " + (faultCall + 1) + " on " + faultTag
          + ", end " + end + ", calls " + sqls;
    }
  }
}
