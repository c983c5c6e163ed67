package io.lsem.jdbc.clock.etcd;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;

/**
 * Timestamp calls recorded as (start, end, value), with {@code System.nanoTime()} for start and end
 * (CLOCK_MONOTONIC: comparable across the processes of one machine), and the check that they are
 * linearizable: unique, and a call that began after another returned got a greater value.
 */
final class TimestampCalls {
  private long[] starts;
  private long[] ends;
  private long[] values;
  private int size;

  TimestampCalls(int capacity) {
    starts = new long[capacity];
    ends = new long[capacity];
    values = new long[capacity];
  }

  void add(long start, long end, long value) {
    if (size == values.length) {
      int grown = Math.max(16, size * 2);
      starts = Arrays.copyOf(starts, grown);
      ends = Arrays.copyOf(ends, grown);
      values = Arrays.copyOf(values, grown);
    }
    starts[size] = start;
    ends[size] = end;
    values[size] = value;
    size++;
  }

  int size() {
    return size;
  }

  void addAll(TimestampCalls other) {
    for (int i = 0; i < other.size; i++) {
      add(other.starts[i], other.ends[i], other.values[i]);
    }
  }

  void writeTo(DataOutputStream out) throws IOException {
    out.writeInt(size);
    for (int i = 0; i < size; i++) {
      out.writeLong(starts[i]);
      out.writeLong(ends[i]);
      out.writeLong(values[i]);
    }
  }

  static TimestampCalls readFrom(DataInputStream in) throws IOException {
    int n = in.readInt();
    TimestampCalls calls = new TimestampCalls(n);
    for (int i = 0; i < n; i++) {
      calls.add(in.readLong(), in.readLong(), in.readLong());
    }
    return calls;
  }

  /** Fails unless every value is unique and every call that began after another returned got a greater value. */
  void assertLinearizable() {
    long[] sorted = Arrays.copyOf(values, size);
    Arrays.sort(sorted);
    for (int i = 1; i < size; i++) {
      if (sorted[i] == sorted[i - 1]) {
        fail("timestamp " + sorted[i] + " issued twice among " + size);
      }
    }
    Integer[] byStart = order(starts);
    Integer[] byEnd = order(ends);
    long maxEnded = Long.MIN_VALUE;
    int ended = 0;
    for (int b : byStart) {
      while (ended < size && ends[byEnd[ended]] < starts[b]) {
        maxEnded = Math.max(maxEnded, values[byEnd[ended++]]);
      }
      if (values[b] <= maxEnded) {
        fail("a call that began after others had returned got " + values[b] + ", not above " + maxEnded);
      }
    }
  }

  private Integer[] order(long[] keys) {
    Integer[] index = new Integer[size];
    for (int i = 0; i < size; i++) {
      index[i] = i;
    }
    Arrays.sort(index, (a, b) -> Long.compare(keys[a], keys[b]));
    return index;
  }
}
