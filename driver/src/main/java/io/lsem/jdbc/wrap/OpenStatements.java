package io.lsem.jdbc.wrap;

import java.util.Arrays;

/**
 * The statements a lease created and the application has not closed. JDBC lets any thread close
 * a statement (pgjdbc survives a statement closed from another thread while its owner prepares
 * and closes others), so this set is safe for concurrent use: each change holds its monitor for
 * a few array stores, never during I/O, and the lease's end takes the whole set at once. An open
 * and a close uncontended are two monitor enters — nanoseconds beside a statement's round trip.
 */
final class OpenStatements {
  /** Made at the first statement: many leases make none. */
  private StatementWrapper[] items;
  private int size;
  /** Set by {@link #takeAll()}: statements opened afterwards are not kept. */
  private boolean ended;

  /** Adds {@code s}; returns false when the lease already ended (the caller closes it). */
  synchronized boolean add(StatementWrapper s) {
    if (ended) {
      return false;
    }
    if (items == null) {
      items = new StatementWrapper[4];
    } else if (size == items.length) {
      items = Arrays.copyOf(items, size * 2);
    }
    items[size++] = s;
    return true;
  }

  /** Removes {@code s} if present (the most recently opened are searched first). */
  synchronized void remove(StatementWrapper s) {
    for (int i = size - 1; i >= 0; i--) {
      if (items[i] == s) {
        System.arraycopy(items, i + 1, items, i, size - i - 1);
        items[--size] = null;
        return;
      }
    }
  }

  synchronized int size() {
    return size;
  }

  /** Ends the set: returns what was open, newest first, and keeps nothing more. */
  synchronized StatementWrapper[] takeAll() {
    ended = true;
    StatementWrapper[] open = new StatementWrapper[size];
    for (int i = 0; i < size; i++) {
      open[i] = items[size - 1 - i];
    }
    if (items != null) {
      Arrays.fill(items, 0, size, null);
    }
    size = 0;
    return open;
  }
}
