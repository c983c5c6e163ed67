package io.lsem.jdbc.tx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lsem.jdbc.LsemConnection;
import io.lsem.jdbc.TransactionStatus;
import io.lsem.testkit.PostgresExtension;
import io.lsem.testkit.TestDatabase;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.PGConnection;

/** COPY through pgjdbc's CopyManager bypasses the statements; the transaction it opens is still seen. */
@ExtendWith(PostgresExtension.class)
class CopyBoundaryTest {

  @Test
  void copyWithAutocommitOffOpensATransactionTheStatusShows(TestDatabase db) throws Exception {
    try (Connection c = db.lsem()) {
      try (Statement s = c.createStatement()) {
        s.execute("CREATE TABLE copied(v text)");
      }
      c.setAutoCommit(false);
      LsemConnection lsem = c.unwrap(LsemConnection.class);
      assertEquals(TransactionStatus.State.IDLE, lsem.transactionStatus().state());
      long rows = c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY copied FROM STDIN", new StringReader("a\nb\n"));
      assertEquals(2, rows);
      assertEquals(TransactionStatus.State.ACTIVE, lsem.transactionStatus().state(), "pgjdbc sent BEGIN before COPY");
      c.rollback();
      assertEquals(TransactionStatus.State.IDLE, lsem.transactionStatus().state());
      try (Statement s = c.createStatement(); java.sql.ResultSet rs = s.executeQuery("SELECT count(*) FROM copied")) {
        rs.next();
        assertEquals(0, rs.getInt(1), "the rollback undid the COPY");
      }
      c.rollback();
    }
  }
}
