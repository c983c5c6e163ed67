package io.lsem.jdbc.tx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The journal's packed storage: every recorded call comes back on replay with the same target,
 * operation, int argument and other arguments, in order, and results are compared by kind. (An
 * in-memory structure; the replays against a real server are in {@link RetryTest}.)
 */
class JournalTest {
  /** A replayable that answers each call from a script and remembers what it was asked. */
  private static final class Scripted implements Replayable {
    final String name;
    final List<Object> answers = new ArrayList<>();
    final List<String> asked = new ArrayList<>();

    Scripted(String name) {
      this.name = name;
    }

    @Override
    public Object replay(int op, int intArg, Object otherArgs) {
      asked.add(op + "/" + intArg + "/" + otherArgs);
      return answers.remove(0);
    }

    @Override
    public String describe() {
      return name;
    }

    @Override
    public String callName(int op) {
      return "op" + op;
    }
  }

  private static final int[] INT_ARGS = {-1, 0, 5, (1 << 23) - 1, -(1 << 23), 1 << 23, -(1 << 23) - 1,
      Integer.MAX_VALUE, Integer.MIN_VALUE};
  private static final int[] OPS = {-6, -1, 0, 170, 2047, -2048};

  /** The packed entry holds 12 bits of operation number: one beyond is refused loudly, with or without -ea. */
  @Test
  void anOperationNumberBeyondTwelveBitsIsRefused() {
    Journal journal = new Journal(1 << 20);
    journal.start();
    Scripted a = new Scripted("a");
    for (int op : new int[] {2048, -2049, 1 << 20}) {
      IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
          () -> journal.record(a, op, 0, null));
      org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains(String.valueOf(op)), e.getMessage());
    }
  }

  @Test
  void callsComeBackOnReplayExactlyAsRecorded() throws Exception {
    Journal journal = new Journal(1 << 20);
    journal.start();
    Scripted a = new Scripted("a");
    Scripted b = new Scripted("b");
    List<String> expectedA = new ArrayList<>();
    List<String> expectedB = new ArrayList<>();
    int n = 0;
    for (int op : OPS) {
      for (int arg : INT_ARGS) {
        Scripted target = n % 3 == 0 ? b : a;
        String other = n % 2 == 0 ? null : "label" + n;
        switch (n % 5) {
          case 0 -> {
            journal.record(target, op, arg, other, (long) n * 1_000_000_007L);
            target.answers.add((long) n * 1_000_000_007L);
          }
          case 1 -> {
            journal.record(target, op, arg, other, n / 7.0);
            target.answers.add(n / 7.0);
          }
          case 2 -> {
            journal.record(target, op, arg, other, n % 4 == 0);
            target.answers.add(n % 4 == 0);
          }
          case 3 -> {
            journal.record(target, op, arg, other, "value " + n);
            target.answers.add("value " + n);
          }
          default -> {
            journal.record(target, op, arg, other);
            target.answers.add("anything");
          }
        }
        (target == a ? expectedA : expectedB).add(op + "/" + arg + "/" + other);
        n++;
      }
    }
    assertEquals(n, journal.size());
    assertNull(journal.replay());
    assertEquals(expectedA, a.asked);
    assertEquals(expectedB, b.asked);
  }

  @Test
  void aDifferentBooleanLongDoubleOrObjectIsAMismatchNamingTheCall() throws Exception {
    Object[][] cases = {{true, false}, {false, true}, {7L, 8L}, {1.5, 1.25}, {"x", "y"}, {null, "y"}};
    for (Object[] c : cases) {
      Journal journal = new Journal(1 << 20);
      journal.start();
      Scripted s = new Scripted("s");
      journal.record(s, 3, 1, null, 1L);
      s.answers.add(1);
      if (c[0] instanceof Boolean v) {
        journal.record(s, 4, 2, null, v.booleanValue());
      } else if (c[0] instanceof Long v) {
        journal.record(s, 4, 2, null, v.longValue());
      } else if (c[0] instanceof Double v) {
        journal.record(s, 4, 2, null, v.doubleValue());
      } else {
        journal.record(s, 4, 2, null, c[0]);
      }
      s.answers.add(c[1]);
      Journal.Mismatch m = journal.replay();
      assertNotNull(m, "recorded " + c[0] + ", replayed " + c[1]);
      assertEquals(1, m.index());
      assertEquals("s.op4", m.call());
      assertEquals(c[0], m.recorded());
      assertEquals(c[1], m.replayed());
    }
  }

  @Test
  void aRecordingOverItsBoundIsMarkedNotReplayable() {
    Journal journal = new Journal(1000);
    journal.start();
    Scripted s = new Scripted("s");
    for (int i = 0; i < 100 && journal.isRecording(); i++) {
      journal.record(s, 1, i, null, (long) i);
    }
    assertFalse(journal.isRecording());
    assertTrue(journal.notReplayableReason().contains("retryMaxRecordedBytes=1000"), journal.notReplayableReason());
    assertEquals(0, journal.size());
  }
}
