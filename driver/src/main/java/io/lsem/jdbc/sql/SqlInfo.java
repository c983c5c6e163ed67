package io.lsem.jdbc.sql;

import java.util.List;

/**
 * A classified SQL text: the statements pgjdbc will send for it, in order. Immutable and
 * shared through the classification cache.
 */
public final class SqlInfo {
  private final List<SqlStatement> statements;
  private final boolean transactionControl;
  private final boolean readOnly;
  private final boolean sequenceOnly;
  private final boolean changesSession;
  private final boolean writes;
  private final String text;
  private final SessionEffects effects;

  SqlInfo(List<SqlStatement> statements, String text, SessionEffects effects) {
    this.text = text;
    this.effects = effects;
    this.statements = List.copyOf(statements);
    this.transactionControl = statements.stream().anyMatch(s -> s.kind().isTransactionControl()
        || s.kind() == StatementKind.SET_TRANSACTION || s.kind() == StatementKind.SET_SESSION_CHARACTERISTICS);
    this.readOnly = !statements.isEmpty() && statements.stream().allMatch(s -> s.kind() == StatementKind.READ);
    this.sequenceOnly = !statements.isEmpty() && statements.stream().allMatch(SqlStatement::sequenceOnly);
    this.writes = statements.stream().anyMatch(s -> s.kind() == StatementKind.WRITE);
    this.changesSession = statements.stream().anyMatch(s -> s.kind() == StatementKind.SET_VARIABLE
        || s.kind() == StatementKind.RESET_VARIABLE || s.kind() == StatementKind.SET_SESSION_CHARACTERISTICS);
  }

  /** Functions that read the server's clock. */
  private static final java.util.Set<String> LOCAL_CLOCK = java.util.Set.of("now", "current_timestamp",
      "clock_timestamp", "localtimestamp", "statement_timestamp", "transaction_timestamp", "current_time",
      "localtime", "timeofday");
  /** Memo of {@link #localClockInWrite()}: "" for none, {@code null} before the first question (a benign race). */
  private String localClock;

  /** Whether a statement writes data (INSERT, UPDATE, DELETE, MERGE, a writing CTE ...). */
  public boolean writes() {
    return writes;
  }

  /**
   * Whether a statement that changes rows (INSERT, UPDATE, DELETE, MERGE, a writing CTE: not DDL)
   * runs outside a transaction block: the text starts outside one ({@code startsOutside}: autocommit
   * and none open) or ends it with COMMIT or ROLLBACK and then writes without a new BEGIN
   * ({@code COMMIT; INSERT ...}, which pgjdbc sends as one query even with autocommit off).
   */
  public boolean writesRowsOutsideTransaction(boolean startsOutside) {
    if (!writes) {
      return false;
    }
    if (text == null) {
      return startsOutside; // a batch: its entries were classified together, none controls the transaction
    }
    boolean outside = startsOutside;
    for (SqlStatement st : statements) {
      switch (st.kind()) {
        case BEGIN -> outside = false;
        case COMMIT, ROLLBACK, PREPARE_TRANSACTION -> outside = !st.chain();
        case WRITE -> {
          if (outside && startsWithRowVerb(st.start())) {
            return true;
          }
        }
        default -> {
          // reads, savepoints and settings do not change where the next statement runs
        }
      }
    }
    return false;
  }

  private boolean startsWithRowVerb(int at) {
    int end = at;
    while (end < text.length() && Character.isLetter(text.charAt(end))) {
      end++;
    }
    switch (text.substring(at, end).toLowerCase(java.util.Locale.ROOT)) {
      case "insert", "update", "delete", "merge", "with":
        return true;
      default:
        return false;
    }
  }

  /**
   * The server-clock function a writing statement of this text calls ({@code now}, say), or
   * {@code null}: time made on the spot rather than the transaction's global timestamp. Found by
   * the lexer, so strings, comments and quoted identifiers do not count.
   */
  public String localClockInWrite() {
    String memo = localClock;
    if (memo == null) {
      memo = "";
      if (text != null && writes()) {
        for (Token t : SqlLexer.tokenize(text, true)) {
          if (t.type() == Token.Type.WORD && LOCAL_CLOCK.contains(t.text())) {
            memo = t.text();
            break;
          }
        }
      }
      localClock = memo;
    }
    return memo.isEmpty() ? null : memo;
  }

  /** Whether any statement sets or resets a session variable or the session's transaction defaults. */
  public boolean changesSession() {
    return changesSession;
  }

  /**
   * Whether every statement only allocates sequence values ({@code select nextval('s')}): the
   * values it returns are new on every run, and the ones the application already holds stay valid.
   */
  public boolean isSequenceOnly() {
    return sequenceOnly;
  }

  /** The statements of a batch (or any sequence) as one unit. */
  public static SqlInfo of(List<SqlStatement> statements) {
    return new SqlInfo(statements, null, SessionEffects.NONE);
  }

  /** The entries of a {@code Statement} batch as one unit, with what their texts were found to do. */
  public static SqlInfo of(List<SqlStatement> statements, SessionEffects effects) {
    return new SqlInfo(statements, null, effects);
  }

  /** What the text does that a replay or a new session cannot reproduce (found in the text: it only forbids). */
  public SessionEffects effects() {
    return effects;
  }

  /** The classified text ({@link SqlStatement} offsets point into it); {@code null} for a batch. */
  public String text() {
    return text;
  }

  /**
   * The text with its literal values replaced by {@code ?} and its comments dropped, at most 200
   * characters: what a log may show of a statement without showing data. {@code "batch"} for a batch.
   */
  public String shape() {
    if (text == null) {
      return "batch";
    }
    StringBuilder out = new StringBuilder(Math.min(text.length(), 220));
    int last = -1;
    boolean inNumber = false;
    for (Token t : SqlLexer.tokenize(text, true)) {
      boolean digit = t.type() == Token.Type.SYMBOL && (Character.isDigit(t.text().charAt(0))
          || (inNumber && t.text().charAt(0) == '.' && t.start() == last));
      if (digit && inNumber && t.start() == last) {
        last = t.end();
        continue; // the rest of a number already shown as ?
      }
      if (last >= 0 && t.start() > last) {
        out.append(' ');
      }
      inNumber = digit;
      if (t.type() == Token.Type.STRING || digit) {
        out.append('?');
      } else {
        out.append(text, t.start(), t.end());
      }
      last = t.end();
      if (out.length() > 200) {
        out.setLength(200);
        return out.append("...").toString();
      }
    }
    return out.toString();
  }

  public List<SqlStatement> statements() {
    return statements;
  }

  /**
   * Whether any statement begins, ends or shapes a transaction (including {@code SET TRANSACTION}
   * and session characteristics). When false the text cannot change the transaction state
   * except by failing.
   */
  public boolean hasTransactionControl() {
    return transactionControl;
  }

  /** Whether every statement only reads (see {@link StatementKind#READ}). */
  public boolean isReadOnly() {
    return readOnly;
  }

  @Override
  public String toString() {
    return statements.toString();
  }
}
