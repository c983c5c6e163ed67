package io.lsem.jdbc.sql;

/**
 * One lexical token of a SQL text. Words are lower-cased (SQL keywords and unquoted
 * identifiers fold to lower case in PostgreSQL); quoted identifiers and string literals carry
 * their unescaped content.
 */
record Token(Type type, String text, int start, int end) {

  /** What kind of token this is. */
  enum Type {
    /** A keyword or unquoted identifier, lower-cased. */
    WORD,
    /** A {@code "quoted identifier"}, content unescaped, case kept. */
    QUOTED_IDENTIFIER,
    /** A string literal ({@code '…'}, {@code E'…'}, dollar-quoted), content as written. */
    STRING,
    /** A positional parameter {@code $n} or JDBC placeholder {@code ?}. */
    PARAMETER,
    /** A statement separator at parenthesis depth zero. */
    SEMICOLON,
    /** Any other single character: punctuation, operators, digits. */
    SYMBOL
  }

  boolean isWord(String word) {
    return type == Type.WORD && text.equals(word);
  }

  boolean isSymbol(char c) {
    return type == Type.SYMBOL && text.length() == 1 && text.charAt(0) == c;
  }

  /** The token as a name: a word or a quoted identifier, or {@code null}. */
  String asName() {
    return type == Type.WORD || type == Type.QUOTED_IDENTIFIER ? text : null;
  }
}
