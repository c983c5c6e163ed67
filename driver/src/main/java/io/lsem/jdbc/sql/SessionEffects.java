package io.lsem.jdbc.sql;

import java.util.List;
import java.util.Set;

/**
 * What a SQL text does that a replay, or a new session, cannot reproduce — found in the text.
 * The text is used here only to make the driver more careful, never to allow anything: a finding
 * forbids a replay or a reconnection, and missing one falls back to the proof rules. See
 * {@code docs/non-replayable.md}.
 *
 * @param notReplayable why a transaction that ran this text cannot be replayed (an effect that a
 *     rollback does not undo, so a replay would apply it twice), or {@code null}
 * @param sessionBound why a connection that ran this text cannot be replaced by a new session
 *     (state the new session would lack), or {@code null}
 * @param sessionSet the text sets session state ({@code SET} without {@code LOCAL}, {@code RESET},
 *     {@code set_config}): inside a transaction it makes the transaction not replayable
 * @param forcesDisconnect the text changes {@code client_encoding} or {@code DateStyle} (or calls
 *     {@code set_config}), which pgjdbc answers by closing the connection on purpose
 */
public record SessionEffects(String notReplayable, String sessionBound, boolean sessionSet,
    boolean forcesDisconnect) {
  /** Nothing found. */
  public static final SessionEffects NONE = new SessionEffects(null, null, false, false);

  private static final Set<String> SESSION_LOCKS = Set.of("pg_advisory_lock", "pg_advisory_lock_shared",
      "pg_try_advisory_lock", "pg_try_advisory_lock_shared", "pg_advisory_unlock", "pg_advisory_unlock_shared",
      "pg_advisory_unlock_all");
  private static final Set<String> OTHER_SESSIONS = Set.of("pg_terminate_backend", "pg_cancel_backend");

  /** What this and {@code other} found together (the first reason of each kind kept): for batches. */
  public SessionEffects and(SessionEffects other) {
    if (other == NONE || other == this) {
      return this;
    }
    if (this == NONE) {
      return other;
    }
    return new SessionEffects(first(notReplayable, other.notReplayable), first(sessionBound, other.sessionBound),
        sessionSet || other.sessionSet, forcesDisconnect || other.forcesDisconnect);
  }

  /** Whether anything was found. */
  public boolean any() {
    return notReplayable != null || sessionBound != null || sessionSet || forcesDisconnect;
  }

  /** Scans the tokens of a whole text. */
  static SessionEffects scan(List<Token> ts) {
    String notReplayable = null;
    String bound = null;
    boolean sessionSet = false;
    boolean disconnect = false;
    boolean statementStart = true;
    String firstWord = null;
    for (int i = 0; i < ts.size(); i++) {
      Token t = ts.get(i);
      if (t.type() == Token.Type.SEMICOLON) {
        statementStart = true;
        continue;
      }
      boolean first = statementStart;
      statementStart = false;
      if (t.type() != Token.Type.WORD) {
        if (first) {
          firstWord = null;
        }
        continue;
      }
      String w = t.text();
      if (first) {
        firstWord = w;
      }
      boolean call = i + 1 < ts.size() && ts.get(i + 1).isSymbol('(');
      if (call) {
        if (SESSION_LOCKS.contains(w)) {
          notReplayable = first(notReplayable, "it took or released a session-level advisory lock (" + w
              + "), which a rollback does not undo");
          bound = first(bound, "it holds session-level advisory locks");
        } else if (w.equals("setval")) {
          notReplayable = first(notReplayable, "it called setval, which a rollback does not undo");
        } else if (w.startsWith("dblink")) {
          notReplayable = first(notReplayable, "it called " + w + ": work on another connection is not rolled back");
          if (w.equals("dblink_connect") || w.equals("dblink_connect_u")) {
            bound = first(bound, "it opened a named dblink connection");
          }
        } else if (OTHER_SESSIONS.contains(w)) {
          notReplayable = first(notReplayable, "it called " + w + ", which acts on another session at once");
        } else if (w.equals("set_config") && !localSetConfig(ts, i + 1)) {
          sessionSet = true;
          disconnect = true;
        }
        continue;
      }
      if (!first) {
        if ((w.equals("temp") || w.equals("temporary")) && "select".equals(firstWord) && word(ts, i - 1, "into")) {
          bound = first(bound, "it created a temporary object");
        }
        continue;
      }
      switch (w) {
        case "create":
          if (createsTemp(ts, i + 1)) {
            bound = first(bound, "it created a temporary object");
          }
          break;
        case "listen":
          bound = first(bound, "it listens for notifications (LISTEN)");
          break;
        case "prepare":
          if (!word(ts, i + 1, "transaction")) {
            notReplayable = first(notReplayable, "it ran PREPARE, which a rollback does not undo");
            bound = first(bound, "it has statements made with PREPARE");
          }
          break;
        case "declare":
          if (withHold(ts, i + 1)) {
            bound = first(bound, "it has a cursor declared WITH HOLD");
          }
          break;
        case "set":
        case "reset": {
          int k = i + 1;
          if (word(ts, k, "local") || word(ts, k, "transaction")) {
            break;
          }
          if (word(ts, k, "session")) {
            k++;
          }
          if (word(ts, k, "characteristics")) {
            break; // transaction defaults: tracked and restored by the driver
          }
          sessionSet = true;
          if (word(ts, k, "role") || word(ts, k, "authorization")) {
            bound = first(bound, "it changed the session's role (SET ROLE / SESSION AUTHORIZATION)");
          }
          if (word(ts, k, "client_encoding") || word(ts, k, "datestyle") || word(ts, k, "names")) {
            disconnect = true;
          }
          break;
        }
        default:
          break;
      }
    }
    if (notReplayable == null && bound == null && !sessionSet && !disconnect) {
      return NONE;
    }
    return new SessionEffects(notReplayable, bound, sessionSet, disconnect);
  }

  /** {@code CREATE [GLOBAL|LOCAL] TEMP|TEMPORARY …}, or a {@code CREATE … pg_temp.name}. */
  private static boolean createsTemp(List<Token> ts, int k) {
    if (word(ts, k, "or") && word(ts, k + 1, "replace")) {
      k += 2;
    }
    if (word(ts, k, "global") || word(ts, k, "local")) {
      k++;
    }
    if (word(ts, k, "temp") || word(ts, k, "temporary")) {
      return true;
    }
    for (int j = k; j < ts.size() && j < k + 8 && ts.get(j).type() != Token.Type.SEMICOLON; j++) {
      if (word(ts, j, "pg_temp")) {
        return true;
      }
    }
    return false;
  }

  /** {@code set_config(…, true)} (is_local written as the literal {@code true}): a {@code SET LOCAL}. */
  private static boolean localSetConfig(List<Token> ts, int open) {
    int depth = 0;
    for (int j = open; j < ts.size(); j++) {
      Token t = ts.get(j);
      if (t.isSymbol('(')) {
        depth++;
      } else if (t.isSymbol(')') && --depth == 0) {
        return word(ts, j - 1, "true");
      }
    }
    return false;
  }

  private static boolean withHold(List<Token> ts, int k) {
    for (int j = k; j < ts.size() && ts.get(j).type() != Token.Type.SEMICOLON; j++) {
      if (word(ts, j, "for")) {
        return false;
      }
      if (word(ts, j, "with") && word(ts, j + 1, "hold")) {
        return true;
      }
    }
    return false;
  }

  private static boolean word(List<Token> ts, int k, String w) {
    return k >= 0 && k < ts.size() && ts.get(k).isWord(w);
  }

  private static String first(String had, String reason) {
    return had != null ? had : reason;
  }
}
