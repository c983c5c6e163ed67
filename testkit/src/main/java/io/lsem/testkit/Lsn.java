package io.lsem.testkit;

/**
 * A PostgreSQL write-ahead log position ({@code pg_lsn}), comparable and printable in the
 * server's own {@code X/Y} form.
 */
public record Lsn(long value) implements Comparable<Lsn> {
  /** Parses the server's text form, e.g. {@code 0/3000148}. */
  public static Lsn parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("no LSN (the server answered NULL)");
    }
    int slash = text.indexOf('/');
    if (slash <= 0 || slash == text.length() - 1) {
      throw new IllegalArgumentException("not an LSN: " + text);
    }
    long hi = Long.parseLong(text.substring(0, slash), 16);
    long lo = Long.parseLong(text.substring(slash + 1), 16);
    return new Lsn((hi << 32) | lo);
  }

  /** Whether this position is at or past {@code other}. */
  public boolean reached(Lsn other) {
    return compareTo(other) >= 0;
  }

  /** Bytes of WAL from {@code earlier} to this position (negative when this one is earlier). */
  public long minus(Lsn earlier) {
    return value - earlier.value;
  }

  @Override
  public int compareTo(Lsn o) {
    return Long.compareUnsigned(value, o.value);
  }

  @Override
  public String toString() {
    return Long.toHexString(value >>> 32).toUpperCase() + "/" + Long.toHexString(value & 0xFFFFFFFFL).toUpperCase();
  }
}
