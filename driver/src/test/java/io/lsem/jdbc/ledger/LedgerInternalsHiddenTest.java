package io.lsem.jdbc.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.lsem.jdbc.error.LockNotAvailableException;
import io.lsem.jdbc.error.PostgresError;
import io.lsem.testkit.PostgresExtension;
import io.lsem.testkit.TestDatabase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A COMMIT that fails while the driver writes its ledger row reports the failure as the
 * application's own, without the ledger's internals (issue 18 item 7: the message showed "SQL
 * statement INSERT INTO lsem.commit_log … PL/pgSQL function lsem.record_commit …"). The failure
 * here is real: another session holds the ledger's clock lock, so the ledger call times out.
 */
@ExtendWith(PostgresExtension.class)
class LedgerInternalsHiddenTest {

  @Test
  void aCommitFailingInTheLedgerShowsNoLedgerInternals(TestDatabase db) throws SQLException {
    try (Connection admin = db.plain(); Statement a = admin.createStatement()) {
      a.execute("CREATE TABLE hidden(a int)");
    }
    for (String typed : new String[] {"true", "false"}) {
      Properties p = new Properties();
      p.setProperty("timestamps", "on");
      p.setProperty("typedExceptions", typed);
      try (Connection squatter = db.plain(); Statement q = squatter.createStatement();
           Connection c = db.lsem(p); Statement s = c.createStatement()) {
        try (ResultSet rs = q.executeQuery("SELECT pg_advisory_lock(1819501997)")) { // the ledger's clock lock
          rs.next();
        }
        c.setAutoCommit(false);
        s.execute("INSERT INTO hidden VALUES (1)");
        SQLException e = assertThrows(SQLException.class, c::commit);
        assertEquals("55P03", e.getSQLState(), e.toString());
        StringWriter trace = new StringWriter();
        e.printStackTrace(new PrintWriter(trace));
        for (String internal : new String[] {"record_commit", "commit_log", "Where:"}) {
          assertFalse(trace.toString().contains(internal), internal + " shown to the application:\n" + trace);
        }
        if (typed.equals("true")) {
          assertInstanceOf(LockNotAvailableException.class, e);
          assertNull(((PostgresError) e).details().where(), "no ledger context in the details");
        }
        c.rollback();
      }
      try (Connection admin = db.plain(); Statement a = admin.createStatement();
           ResultSet rs = a.executeQuery("SELECT count(*) FROM hidden")) {
        rs.next();
        assertEquals(0, rs.getInt(1), "the transaction did not commit");
      }
    }
  }
}
