package io.lsem.jdbc.tx;

import java.sql.SQLException;
import java.util.Arrays;
import io.lsem.jdbc.observe.OnceLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The recording of one transaction: every call the application made on the connection's
 * statements and result sets since BEGIN, in their global order, with the result it saw.
 * Stored column-wise in growing arrays, so that recording a primitive read allocates nothing;
 * mutable values are copied. When the recording would exceed its memory bound, or a call that
 * cannot be replayed happens, the journal drops what it holds and marks the transaction
 * not replayable, with the reason.
 */
public final class Journal {
  private static final Logger LOG = LoggerFactory.getLogger(Journal.class);
  private static final int VOID = 0;
  private static final int LONG = 1;
  private static final int DOUBLE = 2;
  private static final int FALSE = 3;
  private static final int TRUE = 4;
  private static final int OBJECT = 5;
  /** Flag on the kind: the int argument did not fit in {@code meta} and is in {@link #wideArgs}. */
  private static final int WIDE_ARG = 8;
  private static final int MAX_TARGETS = 1 << 24;
  /** Memory of one entry: its {@code meta} and {@code prims} slots and two references. */
  private static final int ENTRY_BYTES = 24;

  private final long maxBytes;
  /**
   * Per entry, packed in one long so that recording a read is one or two array stores: the index
   * into {@link #targetTable} of the object the call was made on (bits 40–63), the call's
   * operation number (bits 28–39, signed), the kind of its result (bits 24–27; a boolean result is
   * its kind) and the call's int argument (bits 0–23, signed; a column index, usually). An int
   * index rather than a reference, because a reference store into this long-lived array would
   * cost a GC write barrier on every value read.
   */
  private long[] meta = new long[32];
  /** The distinct objects of the transaction's calls, in order of first use. */
  private Replayable[] targetTable = new Replayable[8];
  private int targetCount;
  private Replayable lastTarget;
  private int lastTargetIndex;
  /** Int arguments too wide for {@code meta}, by entry; allocated when first needed. */
  private int[] wideArgs;
  /** The calls' other arguments; stored only when there are any, so unused slots stay null. */
  private Object[] others = new Object[32];
  /** Primitive results (doubles as their bits); for an object result, its index in {@link #objects}. */
  private long[] prims = new long[32];
  /** One past the last entry with other arguments: what must be cleared. */
  private int othersEnd;
  /** Object results, densely, in order. */
  private Object[] objects = new Object[16];
  private int objectCount;
  private int size;
  private long bytes;
  private boolean active;
  private String notReplayable;
  /** {@code active && notReplayable == null}, kept in one field for the per-value check. */
  private boolean recording;
  /** A replay is running: the wrappers' calls are the replay's, not the application's. */
  private boolean replaying;
  private int generation;
  /** The open transaction's recording grew past {@link #maxBytes}: nothing more is kept for it. */
  private boolean overBound;
  /** The thread that started the recording: the journal is its own, never written by another. */
  private volatile Thread owner;
  /** Set by another thread's call on the transaction's objects (a close): it cannot be replayed. */
  private volatile String foreignCall;

  Journal(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  /** Whether calls are being recorded (a transaction is open and replayable). */
  public boolean isRecording() {
    return recording;
  }

  /**
   * Whether a call the application makes now on an object created in recording {@code generation}
   * is to be recorded: that recording is the current one, it is recording, and no replay is running.
   */
  public boolean accepts(int generation) {
    return recording && !replaying && generation == this.generation;
  }

  /** Whether a replay is running (set by the retry controller). */
  public boolean isReplaying() {
    return replaying;
  }

  void replaying(boolean on) {
    replaying = on;
  }

  /** Whether a transaction is open (whether or not it can be replayed). */
  public boolean isActive() {
    return active;
  }

  /** Starts recording a new transaction. */
  void start() {
    overBound = false;
    owner = Thread.currentThread();
    foreignCall = null;
    clearEntries();
    generation++;
    active = true;
    notReplayable = null;
    recording = true;
  }

  /** Stops recording and forgets everything: the transaction ended. */
  void stop() {
    overBound = false;
    owner = null;
    foreignCall = null;
    clearEntries();
    active = false;
    notReplayable = null;
    recording = false;
  }

  /** The transaction cannot be replayed; {@code reason} is what the application will be told. */
  public void markNotReplayable(String reason) {
    if (notReplayable == null) {
      notReplayable = reason;
      recording = false;
      clearEntries();
    }
  }

  /**
   * The recording is past {@code retryMaxRecordedBytes} ({@code what}, if given, was too large to
   * keep; it goes into the reason the application is told, never into the log): the transaction cannot be replayed and, until it ends, no parameter value is copied for
   * it. Logged once per JVM and bound at INFO, as it changes what a conflict does.
   */
  public void markTooLarge(String what) {
    overBound = active;
    if (notReplayable == null) {
      // never the SQL text or a value: only the bound
      OnceLog.info(LOG, "recording-bound:" + maxBytes, "A transaction's recording went past retryMaxRecordedBytes={}:"
          + " it is not replayed on a conflict (the application gets the error) and no parameter values are kept"
          + " for it (logged once)", maxBytes);
    }
    markNotReplayable(what == null ? "its recording grew beyond retryMaxRecordedBytes=" + maxBytes
        : "its recording grew beyond retryMaxRecordedBytes=" + maxBytes + " (" + what + ")");
  }

  /**
   * Whether a parameter value of about {@code valueBytes} is to be copied for a replay: not when
   * it alone is past the bound, nor while the open transaction's recording is past it.
   */
  public boolean keepsValue(long valueBytes) {
    return valueBytes <= maxBytes && !overBound;
  }

  /** Why the transaction cannot be replayed, or {@code null}. */
  String notReplayableReason() {
    return notReplayable != null ? notReplayable : foreignCall;
  }

  /** Whether the calling thread is the one recording (only it may write the journal). */
  public boolean ownedByCurrentThread() {
    return owner == Thread.currentThread();
  }

  /**
   * Another thread made {@code call} on one of the transaction's objects (JDBC lets any thread
   * close a statement): it is not written into the journal, which is the recording thread's, and
   * the transaction is not replayed — its recorded order no longer says what happened.
   */
  public void calledFromOtherThread(String call) {
    foreignCall = call + " was called from another thread while the transaction was recorded";
  }

  int size() {
    return size;
  }

  long bytes() {
    return bytes;
  }

  public void record(Replayable target, int op, int intArg, Object other) {
    if (add(target, op, intArg, other, 0, VOID)) {
      size++;
    }
  }

  public void record(Replayable target, int op, int intArg, Object other, long value) {
    if (add(target, op, intArg, other, 0, LONG)) {
      prims[size++] = value;
    }
  }

  public void record(Replayable target, int op, int intArg, Object other, double value) {
    if (add(target, op, intArg, other, 0, DOUBLE)) {
      prims[size++] = Double.doubleToLongBits(value);
    }
  }

  public void record(Replayable target, int op, int intArg, Object other, boolean value) {
    if (add(target, op, intArg, other, 0, value ? TRUE : FALSE)) {
      size++;
    }
  }

  public void record(Replayable target, int op, int intArg, Object other, Object value) {
    Object frozen = value;
    if (!Values.isPlainValue(value)) {
      if (Values.notReplayable(value)) {
        markNotReplayable(target.describe() + "." + target.callName(op) + " returned a "
            + value.getClass().getSimpleName() + ", which cannot be compared on a replay");
        return;
      }
      frozen = Values.freeze(value);
    }
    if (add(target, op, intArg, other, Values.estimateBytes(frozen), OBJECT)) {
      if (objectCount == objects.length) {
        objects = Arrays.copyOf(objects, objectCount * 2);
      }
      prims[size++] = objectCount;
      objects[objectCount++] = frozen;
    }
  }

  /** Records a boxed result as its primitive kind where it has one (results of resumed calls). */
  public void recordBoxed(Replayable target, int op, int intArg, Object other, Object result) {
    if (result instanceof Integer || result instanceof Long || result instanceof Short || result instanceof Byte) {
      record(target, op, intArg, other, ((Number) result).longValue());
    } else if (result instanceof Double || result instanceof Float) {
      record(target, op, intArg, other, ((Number) result).doubleValue());
    } else if (result instanceof Boolean) {
      record(target, op, intArg, other, ((Boolean) result).booleanValue());
    } else if (result == null) {
      record(target, op, intArg, other);
    } else {
      record(target, op, intArg, other, result);
    }
  }

  /**
   * Whether {@code value} is null, a string, a boxed primitive, a {@code BigDecimal}, a UUID or one
   * of the common {@code java.time} values: told by its class alone, with no interface check.
   */
  public static boolean isPlainValue(Object value) {
    return Values.isPlainValue(value);
  }

  /** A copy of {@code value} that later changes by the application cannot affect. */
  public static Object copyOf(Object value) {
    return Values.freeze(value);
  }

  /** Whether {@code value} (a stream, a LOB, a cursor) cannot be recorded and used again. */
  public static boolean cannotReplay(Object value) {
    return Values.notReplayable(value);
  }

  /** A rough size of {@code value} in bytes. */
  public static long estimateBytes(Object value) {
    return Values.estimateBytes(value);
  }

  /** Bumped by every {@link #start()}: objects made during a recording belong to it. */
  public int generation() {
    return generation;
  }

  private boolean add(Replayable target, int op, int intArg, Object other, long valueBytes, int kind) {
    if (!recording) {
      return false;
    }
    bytes += ENTRY_BYTES + valueBytes;
    if (other != null && (Values.isPlainValue(other) || !(other instanceof Replayable))) {
      bytes += Values.estimateBytes(other);
    }
    if (bytes > maxBytes) {
      markTooLarge(null);
      return false;
    }
    if (size == meta.length) {
      grow();
    }
    int index = indexOf(target);
    if (index >= MAX_TARGETS) {
      markNotReplayable("it used more than " + MAX_TARGETS + " statements and results");
      return false;
    }
    if (op << 20 >> 20 != op) { // a generated operation number beyond the 12 bits packed below: a build defect, never silent
      throw new IllegalStateException("operation number " + op + " does not fit in the journal's 12 bits");
    }
    long packed = (long) index << 40 | (op & 0xFFFL) << 28;
    if (intArg << 8 >> 8 == intArg) {
      packed |= (long) kind << 24 | (intArg & 0xFFFFFF);
    } else {
      packed |= (long) (kind | WIDE_ARG) << 24;
      if (wideArgs == null) {
        wideArgs = new int[meta.length];
      }
      wideArgs[size] = intArg;
    }
    meta[size] = packed;
    if (other != null) {
      others[size] = other;
      othersEnd = size + 1;
    }
    return true;
  }

  private Replayable target(int i) {
    return targetTable[(int) (meta[i] >>> 40)];
  }

  private int op(int i) {
    return (int) (meta[i] << 24 >> 52);
  }

  private int kind(int i) {
    return (int) (meta[i] >>> 24) & 7;
  }

  private int intArg(int i) {
    return ((meta[i] >>> 24) & WIDE_ARG) != 0 ? wideArgs[i] : (int) (meta[i] << 40 >> 40);
  }

  private int indexOf(Replayable target) {
    if (target == lastTarget) {
      return lastTargetIndex;
    }
    // Only the most recent few are searched (a transaction may touch thousands of statements); an
    // object found nowhere near is simply added again, which replays the same.
    int i = targetCount - 1;
    while (i >= 0 && i >= targetCount - 8 && targetTable[i] != target) {
      i--;
    }
    if (i < 0 || targetTable[i] != target) {
      i = targetCount;
      if (targetCount == targetTable.length) {
        targetTable = Arrays.copyOf(targetTable, targetCount * 2);
      }
      targetTable[targetCount++] = target;
    }
    lastTarget = target;
    lastTargetIndex = i;
    return i;
  }

  private void grow() {
    int n = size * 2;
    meta = Arrays.copyOf(meta, n);
    if (wideArgs != null) {
      wideArgs = Arrays.copyOf(wideArgs, n);
    }
    others = Arrays.copyOf(others, n);
    prims = Arrays.copyOf(prims, n);
  }

  private void clearEntries() {
    Arrays.fill(targetTable, 0, targetCount, null);
    targetCount = 0;
    lastTarget = null;
    Arrays.fill(others, 0, othersEnd, null);
    othersEnd = 0;
    Arrays.fill(objects, 0, objectCount, null);
    objectCount = 0;
    size = 0;
    bytes = 0;
  }

  /** A difference found on replay. */
  record Mismatch(int index, String call, Object recorded, Object replayed) {}

  /**
   * Makes every recorded call again, in order, and compares each result with the recorded one.
   * Returns the first difference, or {@code null} when everything matched.
   */
  Mismatch replay() throws SQLException {
    for (int i = 0; i < size; i++) {
      Replayable target = target(i);
      Object replayed = target.replay(op(i), intArg(i), others[i]);
      if (!matches(i, target, replayed)) {
        return new Mismatch(i, target.describe() + "." + target.callName(op(i)), recorded(i), replayed);
      }
    }
    return null;
  }

  private boolean matches(int i, Replayable target, Object replayed) throws SQLException {
    switch (kind(i)) {
      case VOID:
        return true;
      case FALSE:
      case TRUE:
        return replayed instanceof Boolean && ((Boolean) replayed) == (kind(i) == TRUE);
      case LONG:
        return !target.comparesValues()
            || replayed instanceof Number && ((Number) replayed).longValue() == prims[i]
            || replayed instanceof Character && (long) (Character) replayed == prims[i];
      case DOUBLE:
        return !target.comparesValues()
            || replayed instanceof Number && Double.doubleToLongBits(((Number) replayed).doubleValue()) == prims[i];
      default:
        return !target.comparesValues() || Values.same(objects[(int) prims[i]], replayed);
    }
  }

  private Object recorded(int i) {
    switch (kind(i)) {
      case LONG: return prims[i];
      case DOUBLE: return Double.longBitsToDouble(prims[i]);
      case FALSE: return false;
      case TRUE: return true;
      case OBJECT: return objects[(int) prims[i]];
      default: return null;
    }
  }
}
