package io.lsem.jdbc.tx;

import java.sql.SQLException;
import java.util.Arrays;

/**
 * The recording of one transaction: every call the application made on the connection's
 * statements and result sets since BEGIN, in their global order, with the result it saw.
 * Stored column-wise in growing arrays, so that recording a primitive read allocates nothing;
 * mutable values are copied. When the recording would exceed its memory bound, or a call that
 * cannot be replayed happens, the journal drops what it holds and marks the transaction
 * not replayable, with the reason.
 */
public final class Journal {
  private static final byte VOID = 0;
  private static final byte LONG = 1;
  private static final byte DOUBLE = 2;
  private static final byte BOOLEAN = 3;
  private static final byte OBJECT = 4;
  private static final int ENTRY_BYTES = 48;

  private final long maxBytes;
  /**
   * Which object each entry's call was made on, as an index into {@link #targetTable}: a store into
   * an int array, where a reference store into this long-lived array would cost a GC write
   * barrier on every value read.
   */
  private int[] targets = new int[32];
  /** The distinct objects of the transaction's calls, in order of first use. */
  private Replayable[] targetTable = new Replayable[8];
  private int targetCount;
  private Replayable lastTarget;
  private int lastTargetIndex;
  private int[] ops = new int[32];
  private int[] intArgs = new int[32];
  private Object[] others = new Object[32];
  private long[] prims = new long[32];
  private Object[] objects = new Object[32];
  private byte[] kinds = new byte[32];
  private int size;
  private long bytes;
  private boolean active;
  private String notReplayable;
  private int generation;

  Journal(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  /** Whether calls are being recorded (a transaction is open and replayable). */
  public boolean isRecording() {
    return active && notReplayable == null;
  }

  /** Whether a transaction is open (whether or not it can be replayed). */
  public boolean isActive() {
    return active;
  }

  /** Starts recording a new transaction. */
  void start() {
    clearEntries();
    generation++;
    active = true;
    notReplayable = null;
  }

  /** Stops recording and forgets everything: the transaction ended. */
  void stop() {
    clearEntries();
    active = false;
    notReplayable = null;
  }

  /** The transaction cannot be replayed; {@code reason} is what the application will be told. */
  public void markNotReplayable(String reason) {
    if (notReplayable == null) {
      notReplayable = reason;
      clearEntries();
    }
  }

  /** Why the transaction cannot be replayed, or {@code null}. */
  String notReplayableReason() {
    return notReplayable;
  }

  int size() {
    return size;
  }

  long bytes() {
    return bytes;
  }

  public void record(Replayable target, int op, int intArg, Object other) {
    if (add(target, op, intArg, other, 0)) {
      kinds[size++] = VOID;
    }
  }

  public void record(Replayable target, int op, int intArg, Object other, long value) {
    if (add(target, op, intArg, other, 0)) {
      prims[size] = value;
      kinds[size++] = LONG;
    }
  }

  public void record(Replayable target, int op, int intArg, Object other, double value) {
    if (add(target, op, intArg, other, 0)) {
      prims[size] = Double.doubleToLongBits(value);
      kinds[size++] = DOUBLE;
    }
  }

  public void record(Replayable target, int op, int intArg, Object other, boolean value) {
    if (add(target, op, intArg, other, 0)) {
      prims[size] = value ? 1 : 0;
      kinds[size++] = BOOLEAN;
    }
  }

  public void record(Replayable target, int op, int intArg, Object other, Object value) {
    if (Values.notReplayable(value)) {
      markNotReplayable(target.describe() + "." + target.callName(op) + " returned a "
          + value.getClass().getSimpleName() + ", which cannot be compared on a replay");
      return;
    }
    Object frozen = Values.freeze(value);
    if (add(target, op, intArg, other, Values.estimateBytes(frozen))) {
      objects[size] = frozen;
      kinds[size++] = OBJECT;
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

  private boolean add(Replayable target, int op, int intArg, Object other, long valueBytes) {
    if (!isRecording()) {
      return false;
    }
    bytes += ENTRY_BYTES + valueBytes + (other == null || other instanceof Replayable ? 0 : Values.estimateBytes(other));
    if (bytes > maxBytes) {
      markNotReplayable("its recording grew beyond retryMaxRecordedBytes=" + maxBytes);
      return false;
    }
    if (size == ops.length) {
      grow();
    }
    targets[size] = indexOf(target);
    ops[size] = op;
    intArgs[size] = intArg;
    others[size] = other;
    return true;
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
    targets = Arrays.copyOf(targets, n);
    ops = Arrays.copyOf(ops, n);
    intArgs = Arrays.copyOf(intArgs, n);
    others = Arrays.copyOf(others, n);
    prims = Arrays.copyOf(prims, n);
    objects = Arrays.copyOf(objects, n);
    kinds = Arrays.copyOf(kinds, n);
  }

  private void clearEntries() {
    Arrays.fill(targetTable, 0, targetCount, null);
    targetCount = 0;
    lastTarget = null;
    Arrays.fill(others, 0, size, null);
    Arrays.fill(objects, 0, size, null);
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
      Replayable target = targetTable[targets[i]];
      Object replayed = target.replay(ops[i], intArgs[i], others[i]);
      if (!matches(i, target, replayed)) {
        return new Mismatch(i, target.describe() + "." + target.callName(ops[i]), recorded(i), replayed);
      }
    }
    return null;
  }

  private boolean matches(int i, Replayable target, Object replayed) throws SQLException {
    switch (kinds[i]) {
      case VOID:
        return true;
      case BOOLEAN:
        return replayed instanceof Boolean && ((Boolean) replayed) == (prims[i] != 0);
      case LONG:
        return !target.comparesValues()
            || replayed instanceof Number && ((Number) replayed).longValue() == prims[i]
            || replayed instanceof Character && (long) (Character) replayed == prims[i];
      case DOUBLE:
        return !target.comparesValues()
            || replayed instanceof Number && Double.doubleToLongBits(((Number) replayed).doubleValue()) == prims[i];
      default:
        return !target.comparesValues() || Values.same(objects[i], replayed);
    }
  }

  private Object recorded(int i) {
    switch (kinds[i]) {
      case LONG: return prims[i];
      case DOUBLE: return Double.longBitsToDouble(prims[i]);
      case BOOLEAN: return prims[i] != 0;
      case OBJECT: return objects[i];
      default: return null;
    }
  }
}
