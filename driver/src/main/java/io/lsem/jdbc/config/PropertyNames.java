package io.lsem.jdbc.config;

import io.lsem.jdbc.LsemProperty;
import java.util.Locale;
import org.postgresql.PGProperty;

/**
 * Spots property names that are almost, but not exactly, a name the driver or pgjdbc knows —
 * a misspelling or a wrong case that would otherwise be ignored without a word.
 */
final class PropertyNames {
  private PropertyNames() {}

  /** The driver's property {@code name} is a near miss of, or {@code null} when it is known or not near any. */
  static String nearOwn(String name) {
    if (LsemProperty.forName(name) != null || PGProperty.forName(name) != null) {
      return null;
    }
    for (LsemProperty p : LsemProperty.values()) {
      if (isNear(name, p.propertyName(), 2)) {
        return p.propertyName();
      }
    }
    return null;
  }

  /** The pgjdbc property {@code name} is a near miss of, or {@code null} when it is known or not near any. */
  static String nearPgjdbc(String name) {
    if (LsemProperty.forName(name) != null || PGProperty.forName(name) != null) {
      return null;
    }
    for (PGProperty p : PGProperty.values()) {
      if (isNear(name, p.getName(), 1)) {
        return p.getName();
      }
    }
    return null;
  }

  private static boolean isNear(String candidate, String known, int maxDistance) {
    String a = candidate.toLowerCase(Locale.ROOT);
    String b = known.toLowerCase(Locale.ROOT);
    if (a.equals(b)) {
      return true;
    }
    if (b.length() < 6) {
      return false;
    }
    int allowed = b.length() >= 10 ? maxDistance : 1;
    return Math.abs(a.length() - b.length()) <= allowed && distance(a, b) <= allowed;
  }

  /** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
