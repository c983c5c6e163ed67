package io.lsem.jdbc.wrap;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * The statements a lease created and the application has not closed. JDBC lets any thread close
 * a statement (pgjdbc survives statements closed from other threads while their owner prepares
 * and closes others), so this set is safe for concurrent use, and cheap where it is hot: opening
 * is one compare-and-set (a push on a lock-free stack linked through the statements themselves);
 * closing is a mark, plus one compare-and-set that pops the statement when it is the newest.
 * Other closed statements are unlinked every few opens by whichever thread opens, behind the
 * head, where pushes never write (unlinking only ever skips closed statements, so no open one is
 * lost to a race); the lease's end takes the whole stack at once and turns further pushes away.
 */
final class OpenStatements {
  /** The head once the lease ended: pushes fail. */
  private static final Object ENDED = new Object();
  /** Unlink closed statements every this many opens. */
  private static final int PURGE_EVERY = 8;
  private static final VarHandle HEAD;
  private static final VarHandle PURGING;
  private static final VarHandle CLOSED;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      HEAD = l.findVarHandle(OpenStatements.class, "head", Object.class);
      PURGING = l.findVarHandle(OpenStatements.class, "purging", boolean.class);
      CLOSED = l.findVarHandle(StatementWrapper.class, "closedMark", boolean.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** The newest statement (linked to older ones through {@code openNext}), {@code null}, or {@link #ENDED}. */
  @SuppressWarnings("unused") // through HEAD
  private volatile Object head;
  /** One thread unlinks (or takes everything) at a time. */
  @SuppressWarnings("unused") // through PURGING
  private volatile boolean purging;
  /** Opens since the last unlinking; racy on purpose (a heuristic). */
  private int opens;

  /** Adds {@code s}; returns false when the lease already ended (the caller closes it). */
  boolean add(StatementWrapper s) {
    for (;;) {
      Object h = head;
      if (h == ENDED) {
        return false;
      }
      s.openNext = (StatementWrapper) h; // published by the CAS
      if (HEAD.compareAndSet(this, h, s)) {
        break;
      }
    }
    if (++opens >= PURGE_EVERY) {
      opens = 0;
      purge();
    }
    return true;
  }

  /**
   * Marks {@code s} closed. The newest statement (the usual one to close: open, use, close) is
   * popped at once, so that a closed statement and what it holds (pgjdbc's statement and its
   * parameters) are not kept; any other is unlinked by a later open.
   */
  void remove(StatementWrapper s) {
    CLOSED.setRelease(s, true);
    if (head == s) {
      HEAD.compareAndSet(this, s, s.openNext); // fails harmlessly if a statement was opened meanwhile
    }
  }

  private static boolean closed(StatementWrapper s) {
    return (boolean) CLOSED.getAcquire(s);
  }

  /** Unlinks closed statements behind the head (pushes only ever write the head). */
  private void purge() {
    if (!PURGING.compareAndSet(this, false, true)) {
      return; // another thread is at it
    }
    try {
      Object h = head;
      if (!(h instanceof StatementWrapper)) {
        return;
      }
      StatementWrapper prev = (StatementWrapper) h;
      for (StatementWrapper cur = prev.openNext; cur != null; cur = cur.openNext) {
        if (closed(cur)) {
          prev.openNext = cur.openNext;
        } else {
          prev = cur;
        }
      }
    } finally {
      purging = false;
    }
  }

  /** The statements not closed, newest first. */
  private List<StatementWrapper> open(Object h) {
    List<StatementWrapper> open = new ArrayList<>();
    for (StatementWrapper s = h instanceof StatementWrapper ? (StatementWrapper) h : null; s != null; s = s.openNext) {
      if (!closed(s)) {
        open.add(s);
      }
    }
    return open;
  }

  /** How many statements are open (for pools and leak reports). */
  int size() {
    while (!PURGING.compareAndSet(this, false, true)) {
      Thread.onSpinWait(); // an unlinking pass is a few stores
    }
    try {
      return open(head).size();
    } finally {
      purging = false;
    }
  }

  /** Ends the set: returns what was open, newest first, and turns further statements away. */
  StatementWrapper[] takeAll() {
    Object h = HEAD.getAndSet(this, ENDED);
    while (!PURGING.compareAndSet(this, false, true)) {
      Thread.onSpinWait();
    }
    try {
      return open(h).toArray(new StatementWrapper[0]);
    } finally {
      purging = false;
    }
  }
}
