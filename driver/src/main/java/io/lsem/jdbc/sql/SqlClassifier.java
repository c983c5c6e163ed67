package io.lsem.jdbc.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Classifies SQL text statement by statement: transaction control (with savepoint names,
 * isolation and access modes, {@code AND CHAIN}), reads, writes, COPY and session commands.
 * Splits multi-statement strings where the server splits them — a {@code BEGIN ATOMIC … END}
 * routine body is one statement, and what follows its END is not (pgjdbc in extended mode sends
 * such a text as one query, which the server then refuses whole: nothing of it runs). Stateless; see
 * {@link SqlClassifierCache} for the cached entry point.
 */
public final class SqlClassifier {
  private static final Set<String> DATA_MODIFYING = Set.of("insert", "update", "delete", "merge");
  private static final Set<String> SESSION_COMMANDS =
      Set.of("listen", "unlisten", "deallocate", "load");

  private SqlClassifier() {}

  /** Classifies {@code sql}; {@code standardConformingStrings} is the session's setting. */
  public static SqlInfo classify(String sql, boolean standardConformingStrings) {
    List<Token> tokens = SqlLexer.tokenize(sql, standardConformingStrings);
    List<SqlStatement> statements = new ArrayList<>();
    int from = 0;
    for (int i = 0; i < tokens.size(); i++) {
      if (tokens.get(i).type() == Token.Type.SEMICOLON) {
        addStatement(statements, tokens.subList(from, i));
        from = i + 1;
      }
    }
    addStatement(statements, tokens.subList(from, tokens.size()));
    return new SqlInfo(statements, sql, SessionEffects.scan(tokens));
  }

  private static void addStatement(List<SqlStatement> out, List<Token> ts) {
    if (!ts.isEmpty()) {
      out.add(new StatementParser(ts).parse());
    }
  }

  /** Parses the tokens of one statement. */
  private static final class StatementParser {
    private final List<Token> ts;
    private int i;
    private Isolation isolation;
    private Boolean readOnly;

    StatementParser(List<Token> ts) {
      this.ts = ts;
    }

    SqlStatement parse() {
      while (i < ts.size() && ts.get(i).isSymbol('(')) {
        i++;
      }
      Token first = at(i);
      if (first == null || first.type() != Token.Type.WORD) {
        return make(StatementKind.WRITE, null, false);
      }
      i++;
      switch (first.text()) {
        case "begin":
          skipWorkOrTransaction();
          modes();
          return make(StatementKind.BEGIN, null, false);
        case "start":
          if (!accept("transaction")) {
            return make(StatementKind.WRITE, null, false);
          }
          modes();
          return make(StatementKind.BEGIN, null, false);
        case "commit":
          if (accept("prepared")) {
            return make(StatementKind.COMMIT_PREPARED, stringAt(i), false);
          }
          skipWorkOrTransaction();
          return make(StatementKind.COMMIT, null, chain());
        case "end":
          skipWorkOrTransaction();
          return make(StatementKind.COMMIT, null, chain());
        case "abort":
          skipWorkOrTransaction();
          return make(StatementKind.ROLLBACK, null, chain());
        case "rollback":
          return rollback();
        case "savepoint":
          return make(StatementKind.SAVEPOINT, nameAt(i), false);
        case "release":
          accept("savepoint");
          return make(StatementKind.RELEASE_SAVEPOINT, nameAt(i), false);
        case "prepare":
          if (accept("transaction")) {
            return make(StatementKind.PREPARE_TRANSACTION, stringAt(i), false);
          }
          return make(StatementKind.SESSION, null, false);
        case "set":
          return set();
        case "reset":
        case "discard":
          return reset(first.text());
        case "select":
          if (sequenceOnly()) {
            return new SqlStatement(StatementKind.READ, null, null, null, false, true, ts.get(0).start(),
                ts.get(ts.size() - 1).end());
          }
          return make(locksOrCreates() ? StatementKind.WRITE : StatementKind.READ, null, false);
        case "with":
          return make(modifiesData() || locksOrCreates() ? StatementKind.WRITE : StatementKind.READ, null, false);
        case "values":
        case "table":
        case "show":
          return make(StatementKind.READ, null, false);
        case "explain":
          return make(anyWord("analyze", "analyse") ? StatementKind.WRITE : StatementKind.READ, null, false);
        case "copy":
          return make(StatementKind.COPY, null, false);
        case "call":
        case "do":
          return make(StatementKind.ROUTINE, null, false);
        default:
          return make(SESSION_COMMANDS.contains(first.text()) ? StatementKind.SESSION : StatementKind.WRITE,
              null, false);
      }
    }

    private SqlStatement rollback() {
      if (accept("prepared")) {
        return make(StatementKind.ROLLBACK_PREPARED, stringAt(i), false);
      }
      skipWorkOrTransaction();
      if (accept("to")) {
        accept("savepoint");
        return make(StatementKind.ROLLBACK_TO_SAVEPOINT, nameAt(i), false);
      }
      return make(StatementKind.ROLLBACK, null, chain());
    }

    private SqlStatement set() {
      boolean local = false;
      if (accept("session")) {
        if (accept("characteristics")) {
          accept("as");
          accept("transaction");
          modes();
          return make(StatementKind.SET_SESSION_CHARACTERISTICS, null, false);
        }
      } else if (accept("local")) {
        local = true;
      }
      if (accept("transaction")) {
        modes();
        return make(StatementKind.SET_TRANSACTION, null, false);
      }
      Token variable = at(i++);
      String name = dotted(variable == null ? null : variable.asName());
      // the special forms PostgreSQL documents: SET TIME ZONE v, SET SCHEMA v, SET NAMES v
      String special = "time".equals(name) && accept("zone") ? "timezone"
          : "schema".equals(name) ? "search_path" : "names".equals(name) ? "client_encoding" : null;
      if (special != null) {
        name = special;
      } else if (!accept("to") && !acceptSymbol('=')) {
        return make(StatementKind.SESSION, null, false);
      }
      Token value = at(i);
      String text = value == null ? "" : value.text();
      if ("transaction_isolation".equals(name)) {
        isolation = Isolation.ofSql(text);
        return make(StatementKind.SET_TRANSACTION, null, false);
      }
      if ("transaction_read_only".equals(name)) {
        readOnly = booleanValue(text);
        return make(StatementKind.SET_TRANSACTION, null, false);
      }
      boolean toDefault = value != null && value.isWord("default");
      if (!local && "default_transaction_isolation".equals(name)) {
        isolation = Isolation.ofSql(text);
        return make(StatementKind.SET_SESSION_CHARACTERISTICS, toDefault ? name : null, false);
      }
      if (!local && "default_transaction_read_only".equals(name)) {
        readOnly = booleanValue(text);
        return make(StatementKind.SET_SESSION_CHARACTERISTICS, toDefault ? name : null, false);
      }
      return local || name == null ? make(StatementKind.SESSION, null, false)
          : make(StatementKind.SET_VARIABLE, name, false);
    }

    /** {@code RESET name}, {@code RESET ALL}, {@code DISCARD ALL}: may reset the session's transaction defaults. */
    private SqlStatement reset(String first) {
      Token what = at(i++);
      String name = dotted(what == null ? null : what.asName());
      if ("time".equals(name) && accept("zone")) {
        name = "timezone";
      }
      boolean resets = "all".equals(name) || first.equals("reset")
          && ("default_transaction_isolation".equals(name) || "default_transaction_read_only".equals(name));
      if (resets) {
        return make(StatementKind.SET_SESSION_CHARACTERISTICS, name, false);
      }
      return first.equals("reset") && name != null ? make(StatementKind.RESET_VARIABLE, name, false)
          : make(StatementKind.SESSION, null, false);
    }

    /** {@code first} followed by {@code .part}s: a custom variable's qualified name ({@code app.tenant_id}). */
    private String dotted(String first) {
      if (first == null) {
        return null;
      }
      StringBuilder name = new StringBuilder(first);
      while (acceptSymbol('.')) {
        Token part = at(i++);
        if (part == null || part.asName() == null) {
          return null;
        }
        name.append('.').append(part.asName());
      }
      return name.toString();
    }

    private static Boolean booleanValue(String text) {
      switch (text.toLowerCase(java.util.Locale.ROOT)) {
        case "on": case "true": case "yes": case "1": case "t": case "y":
          return Boolean.TRUE;
        case "off": case "false": case "no": case "0": case "f": case "n":
          return Boolean.FALSE;
        default:
          return null;
      }
    }

    /** Transaction modes: ISOLATION LEVEL …, READ ONLY/WRITE, [NOT] DEFERRABLE, comma separated. */
    private void modes() {
      while (i < ts.size()) {
        if (acceptSymbol(',') || accept("deferrable")) {
          continue;
        }
        if (accept("not")) {
          accept("deferrable");
        } else if (accept("isolation")) {
          accept("level");
          isolation = isolationLevel();
        } else if (accept("read")) {
          if (accept("only")) {
            readOnly = Boolean.TRUE;
          } else if (accept("write")) {
            readOnly = Boolean.FALSE;
          }
        } else {
          return;
        }
      }
    }

    private Isolation isolationLevel() {
      if (accept("serializable")) {
        return Isolation.SERIALIZABLE;
      }
      if (accept("repeatable")) {
        accept("read");
        return Isolation.REPEATABLE_READ;
      }
      if (accept("read")) {
        if (accept("committed")) {
          return Isolation.READ_COMMITTED;
        }
        if (accept("uncommitted")) {
          return Isolation.READ_UNCOMMITTED;
        }
      }
      return null;
    }

    private boolean chain() {
      if (!accept("and")) {
        return false;
      }
      boolean no = accept("no");
      return accept("chain") && !no;
    }

    private void skipWorkOrTransaction() {
      if (!accept("work")) {
        accept("transaction");
      }
    }

    /**
     * {@code nextval('s') [[AS] alias] [, …] [FROM generate_series(…) [[AS] alias]]} after
     * SELECT, and nothing else.
     */
    private boolean sequenceOnly() {
      int k = i;
      do {
        if (!(word(k, "nextval") && symbol(k + 1, '(') && at(k + 2) != null
            && at(k + 2).type() == Token.Type.STRING)) {
          return false;
        }
        k += 3;
        if (symbol(k, ':') && symbol(k + 1, ':') && word(k + 2, "regclass")) {
          k += 3;
        }
        if (!symbol(k, ')')) {
          return false;
        }
        k = skipAlias(k + 1);
      } while (symbol(k, ',') && ++k > 0);
      if (word(k, "from") && word(k + 1, "generate_series") && symbol(k + 2, '(')) {
        k += 3;
        while (k < ts.size() && !symbol(k, ')')) {
          k++;
        }
        k = skipAlias(k + 1);
      }
      return k >= ts.size();
    }

    private int skipAlias(int k) {
      if (word(k, "as")) {
        k++;
      }
      Token t = at(k);
      if (t != null && (t.type() == Token.Type.QUOTED_IDENTIFIER
          || t.type() == Token.Type.WORD && !t.isWord("from"))) {
        k++;
      }
      return k;
    }

    private boolean word(int k, String w) {
      Token t = at(k);
      return t != null && t.isWord(w);
    }

    private boolean symbol(int k, char c) {
      Token t = at(k);
      return t != null && t.isSymbol(c);
    }

    /** {@code SELECT … INTO} creates a table; {@code FOR UPDATE/SHARE/NO KEY UPDATE/KEY SHARE} takes row locks. */
    private boolean locksOrCreates() {
      for (int k = 0; k < ts.size(); k++) {
        Token t = ts.get(k);
        if (t.isWord("into")) {
          return true;
        }
        if (t.isWord("for") && k + 1 < ts.size()) {
          Token next = ts.get(k + 1);
          if (next.isWord("update") || next.isWord("share") || next.isWord("no") || next.isWord("key")) {
            return true;
          }
        }
      }
      return false;
    }

    private boolean modifiesData() {
      return ts.stream().anyMatch(t -> t.type() == Token.Type.WORD && DATA_MODIFYING.contains(t.text()));
    }

    private boolean anyWord(String a, String b) {
      return ts.stream().anyMatch(t -> t.isWord(a) || t.isWord(b));
    }

    private Token at(int k) {
      return k < ts.size() ? ts.get(k) : null;
    }

    private boolean accept(String word) {
      Token t = at(i);
      if (t != null && t.isWord(word)) {
        i++;
        return true;
      }
      return false;
    }

    private boolean acceptSymbol(char c) {
      Token t = at(i);
      if (t != null && t.isSymbol(c)) {
        i++;
        return true;
      }
      return false;
    }

    private String nameAt(int k) {
      Token t = at(k);
      return t == null ? null : t.asName();
    }

    private String stringAt(int k) {
      Token t = at(k);
      return t != null && t.type() == Token.Type.STRING ? t.text() : null;
    }

    private SqlStatement make(StatementKind kind, String name, boolean chain) {
      return new SqlStatement(kind, name, isolation, readOnly, chain, false,
          ts.get(0).start(), ts.get(ts.size() - 1).end());
    }
  }
}
