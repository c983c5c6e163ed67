package io.lsem.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Runs every example as its command does ({@code main}, its own embedded PostgreSQL) and checks
 * what it shows: the examples also stop with an exception when money appears or vanishes or
 * {@code lsem verify} finds a violation.
 */
class ExamplesTest {

  @FunctionalInterface
  interface Main {
    void run(String[] args) throws Exception;
  }

  private static String output(Main main) throws Exception {
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      main.run(new String[0]);
    } finally {
      System.setOut(original);
    }
    String text = captured.toString(StandardCharsets.UTF_8);
    original.print(text);
    return text;
  }

  private static void shows(String output, String... phrases) {
    for (String phrase : phrases) {
      assertTrue(output.contains(phrase), "missing '" + phrase + "' in:\n" + output);
    }
  }

  @Test
  void theDemoShowsBoundariesTimestampsAndHiddenRetries() throws Exception {
    shows(output(MoneyTransferDemo::main), "lsem.commit_log: txn_id", "serialization conflicts replayed out of sight");
  }

  @Test
  void typedErrors() throws Exception {
    shows(output(TypedErrorsExample::main), "duplicate key: UniqueViolationException (SQLSTATE 23505)",
        "a SQLIntegrityConstraintViolationException: true, constraint account_pk",
        "SerializationFailureException (SQLSTATE 40001)", "a SQLTransactionRollbackException: true",
        "conflict, replay refused: ReplayMismatchException");
  }

  @Test
  void thePoolAndLsemVerify() throws Exception {
    shows(output(PooledVerifiedExample::main), "1600 transfers through", "money in the accounts: 10000",
        "ledger rows checked: 1600", "verified: no violation");
  }

  @Test
  void springBoot() throws Exception {
    shows(output(SpringBootExample::main), "Spring's DataSource: io.lsem.jdbc.pool.LsemDataSource",
        "money in the accounts: 10000", "DuplicateKeyException caused by UniqueViolationException");
  }

  @Test
  void hibernate() throws Exception {
    shows(output(HibernateExample::main), "400 transfers; money in the accounts: 10000");
  }
}
