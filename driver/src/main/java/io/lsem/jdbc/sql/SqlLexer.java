package io.lsem.jdbc.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Splits SQL text into tokens the way PostgreSQL's scanner (and pgjdbc's parser) sees it:
 * {@code --} and nested {@code /* *}{@code /} comments are skipped; single-quoted strings
 * (with {@code ''} doubling, and backslash escapes in {@code E''} strings or when
 * {@code standard_conforming_strings} is off), quoted identifiers and dollar-quoted strings
 * are single tokens, so nothing inside them is mistaken for a keyword or separator.
 * Semicolons inside parentheses are not separators, nor are those inside the SQL-standard body
 * of {@code CREATE [OR REPLACE] FUNCTION|PROCEDURE … BEGIN ATOMIC … END}: the server ends that
 * statement at the body's END (tracked as psql does: BEGIN, and CASE within it, open a level,
 * END closes one), so a {@code COMMIT} after it is a statement of its own. Unterminated quotes or
 * comments run to the end of the text, as in pgjdbc.
 */
final class SqlLexer {
  private final String sql;
  private final boolean standardConformingStrings;
  private final List<Token> tokens = new ArrayList<>();
  private int pos;
  private int parenDepth;
  /** Words of the current statement so far (only the first four matter). */
  private int words;
  /** The current statement is {@code CREATE [OR REPLACE] FUNCTION|PROCEDURE}. */
  private boolean createsRoutine;
  private boolean routinePrefix;
  /** Open {@code BEGIN}/{@code CASE} levels of a routine body: semicolons there do not end the statement. */
  private int beginDepth;

  private SqlLexer(String sql, boolean standardConformingStrings) {
    this.sql = sql;
    this.standardConformingStrings = standardConformingStrings;
  }

  static List<Token> tokenize(String sql, boolean standardConformingStrings) {
    SqlLexer lexer = new SqlLexer(sql, standardConformingStrings);
    lexer.run();
    return lexer.tokens;
  }

  private void run() {
    int n = sql.length();
    while (pos < n) {
      char c = sql.charAt(pos);
      if (Character.isWhitespace(c)) {
        pos++;
      } else if (c == '-' && peek(1) == '-') {
        skipLineComment();
      } else if (c == '/' && peek(1) == '*') {
        skipBlockComment();
      } else if (c == '\'') {
        stringLiteral(pos, escapesAt(pos));
      } else if (c == '"') {
        quotedIdentifier();
      } else if (c == '$' && !(pos > 0 && isIdentifierPart(sql.charAt(pos - 1))) && dollarTagEnd(pos) > 0) {
        dollarQuoted();
      } else if (c == '$' && Character.isDigit(peek(1))) {
        int start = pos++;
        while (pos < n && Character.isDigit(sql.charAt(pos))) {
          pos++;
        }
        add(Token.Type.PARAMETER, sql.substring(start, pos), start);
      } else if (isIdentifierStart(c)) {
        word();
      } else {
        symbol(c);
      }
    }
  }

  private char peek(int ahead) {
    int i = pos + ahead;
    return i < sql.length() ? sql.charAt(i) : '\0';
  }

  private void add(Token.Type type, String text, int start) {
    tokens.add(new Token(type, text, start, pos));
  }

  private void skipLineComment() {
    while (pos < sql.length() && sql.charAt(pos) != '\n' && sql.charAt(pos) != '\r') {
      pos++;
    }
  }

  private void skipBlockComment() {
    int depth = 0;
    int n = sql.length();
    while (pos < n) {
      if (sql.charAt(pos) == '/' && peek(1) == '*') {
        depth++;
        pos += 2;
      } else if (sql.charAt(pos) == '*' && peek(1) == '/') {
        depth--;
        pos += 2;
        if (depth == 0) {
          return;
        }
      } else {
        pos++;
      }
    }
  }

  /** Whether the quote at {@code quote} opens a string in which backslash escapes. */
  private boolean escapesAt(int quote) {
    if (!standardConformingStrings) {
      return true;
    }
    if (quote >= 1 && (sql.charAt(quote - 1) == 'E' || sql.charAt(quote - 1) == 'e')) {
      return quote == 1 || !isIdentifierPart(sql.charAt(quote - 2));
    }
    return false;
  }

  private void stringLiteral(int start, boolean backslashEscapes) {
    StringBuilder content = new StringBuilder();
    int n = sql.length();
    pos++;
    while (pos < n) {
      char c = sql.charAt(pos);
      if (backslashEscapes && c == '\\' && pos + 1 < n) {
        content.append(sql.charAt(pos + 1));
        pos += 2;
      } else if (c == '\'') {
        if (peek(1) == '\'') {
          content.append('\'');
          pos += 2;
        } else {
          pos++;
          break;
        }
      } else {
        content.append(c);
        pos++;
      }
    }
    // An E prefix was scanned as a one-letter word just before; it belongs to the literal.
    int last = tokens.size() - 1;
    if (backslashEscapes && last >= 0 && tokens.get(last).end() == start && tokens.get(last).isWord("e")) {
      tokens.remove(last);
    }
    add(Token.Type.STRING, content.toString(), start);
  }

  private void quotedIdentifier() {
    int start = pos++;
    StringBuilder content = new StringBuilder();
    int n = sql.length();
    while (pos < n) {
      char c = sql.charAt(pos);
      if (c == '"') {
        if (peek(1) == '"') {
          content.append('"');
          pos += 2;
          continue;
        }
        pos++;
        break;
      }
      content.append(c);
      pos++;
    }
    add(Token.Type.QUOTED_IDENTIFIER, content.toString(), start);
  }

  /** End index (the closing {@code $}) of a dollar-quote tag starting at {@code at}, or -1. */
  private int dollarTagEnd(int at) {
    int n = sql.length();
    if (at + 1 >= n) {
      return -1;
    }
    if (sql.charAt(at + 1) == '$') {
      return at + 1;
    }
    if (!isIdentifierStart(sql.charAt(at + 1))) {
      return -1;
    }
    for (int i = at + 2; i < n; i++) {
      char c = sql.charAt(i);
      if (c == '$') {
        return i;
      }
      if (!isIdentifierPart(c)) {
        return -1;
      }
    }
    return -1;
  }

  private void dollarQuoted() {
    int start = pos;
    int tagEnd = dollarTagEnd(pos);
    String tag = sql.substring(pos, tagEnd + 1);
    int close = sql.indexOf(tag, tagEnd + 1);
    int contentEnd = close < 0 ? sql.length() : close;
    String content = sql.substring(tagEnd + 1, contentEnd);
    pos = close < 0 ? sql.length() : close + tag.length();
    add(Token.Type.STRING, content, start);
  }

  private void word() {
    int start = pos++;
    while (pos < sql.length() && isIdentifierPart(sql.charAt(pos))) {
      pos++;
    }
    String word = sql.substring(start, pos).toLowerCase(Locale.ROOT);
    add(Token.Type.WORD, word, start);
    trackRoutineBody(word);
  }

  private void trackRoutineBody(String word) {
    int index = words++;
    if (index == 0) {
      createsRoutine = false;
      routinePrefix = word.equals("create");
      return;
    }
    if (index <= 3 && !createsRoutine && routinePrefix) {
      boolean routine = word.equals("function") || word.equals("procedure");
      if (routine && (index == 1 || index == 3)) {
        createsRoutine = true;
      } else if (!(index == 1 && word.equals("or") || index == 2 && word.equals("replace"))) {
        routinePrefix = false; // not CREATE [OR REPLACE] FUNCTION|PROCEDURE
      }
      return;
    }
    if (!createsRoutine || parenDepth != 0) {
      return;
    }
    if (word.equals("begin")) {
      beginDepth++;
    } else if (word.equals("case") && beginDepth > 0) {
      beginDepth++;
    } else if (word.equals("end") && beginDepth > 0) {
      beginDepth--;
    }
  }

  private void symbol(char c) {
    int start = pos++;
    if (c == '(') {
      parenDepth++;
    } else if (c == ')') {
      parenDepth--; // like pgjdbc: an unbalanced ')' stops splitting at ';'
    } else if (c == ';' && parenDepth == 0 && beginDepth == 0) {
      add(Token.Type.SEMICOLON, ";", start);
      words = 0;
      createsRoutine = false;
      return;
    } else if (c == '?') {
      add(Token.Type.PARAMETER, "?", start);
      return;
    }
    add(Token.Type.SYMBOL, String.valueOf(c), start);
  }

  static boolean isIdentifierStart(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c > 127;
  }

  static boolean isIdentifierPart(char c) {
    return isIdentifierStart(c) || (c >= '0' && c <= '9') || c == '$';
  }
}
