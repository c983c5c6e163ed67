package io.lsem.jdbc.clock.etcd;

import io.lsem.jdbc.value.CoordinatorAddress;
import io.lsem.jdbc.clock.CoordinatorUnavailable;
import io.lsem.jdbc.clock.Hlc;
import io.lsem.jdbc.clock.TimestampOracle;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A timestamp oracle shared by every JVM that names the same etcd cluster. It rests on etcd's
 * revision: one counter for the whole cluster, raised by every write, linearizable. Each batch of
 * timestamps is one etcd transaction that writes the key {@code <prefix>/tick} (a write never fails,
 * so clients never compete or retry) and, in the same atomic step, reads the key
 * {@code <prefix>/epoch}: a millisecond time E and the revision R_E that set it. The transaction's
 * own revision R gives the timestamps {@code E << 18 | (R - R_E) << 8 | i}, {@code i < 256}: the
 * 46|18 layout, with the revision's distance from the epoch in the logical part.
 *
 * <p>Why that is linearizable: if one call returned before another began, the second's transaction
 * has the higher revision. In the same epoch that makes its timestamps greater; in a later epoch
 * too, because an epoch is always at least 1 ms above the one before ({@code max(E + 1, now)}), and
 * a transaction whose revision is 1,024 or more past its epoch's gives no timestamps (it moves the
 * epoch and tries again). The epoch moves by a conditional write (compare its revision) carried in
 * the same transaction as a tick, when it is 50 ms behind this JVM's clock, half of its 1,024
 * revisions are used, or a timestamp must exceed one observed from elsewhere; a client that loses
 * that race simply reads the epoch another client set, and its tick still counts. Skewed clocks
 * change when the epoch moves, never the order; no client can starve another. A member that does
 * not answer is skipped; when none answers within the timeout, {@link CoordinatorUnavailable} —
 * never a local timestamp.
 *
 * <p>Concurrent calls of this JVM share transactions (see {@link #next()}), up to
 * {@value #IN_FLIGHT} at once. Talks to etcd's JSON gateway with the JDK's HTTP client: no
 * dependency. Every tick is an etcd write: run etcd with {@code --auto-compaction-retention} so
 * that its history does not grow without bound.
 */
public final class EtcdTimestampOracle implements TimestampOracle {
  private static final Pattern VALUE = Pattern.compile("\"value\"\\s*:\\s*\"([A-Za-z0-9+/=]*)\"");
  private static final Pattern REVISION = Pattern.compile("\"revision\"\\s*:\\s*\"(\\d+)\"");
  private static final Pattern MOD_REVISION = Pattern.compile("\"mod_revision\"\\s*:\\s*\"(\\d+)\"");
  /** Bits of the logical part for the callers of one transaction: up to 256 timestamps each. */
  static final int SLOT_BITS = 8;
  /** Revisions one epoch can number: the rest of the 18 logical bits. */
  static final long EPOCH_REVISIONS = 1L << (Hlc.LOGICAL_BITS - SLOT_BITS);
  /** Callers one transaction serves. */
  static final int BATCH = 1 << SLOT_BITS;
  /** Transactions one JVM keeps in flight at once. */
  static final int IN_FLIGHT = 4;
  /** The epoch is moved once it is this far behind this JVM's clock. */
  static final long EPOCH_REFRESH_MILLIS = 50;

  private final CoordinatorAddress address;
  private final LongSupplier wallClock;
  private final long timeoutNanos;
  private final long maxOffsetMillis;
  private final HttpClient http;
  private final String epochKey;
  /** The operations of every transaction: read the epoch, write the tick (JSON, constant per coordinator). */
  private final String readAndTick;
  /** The greatest timestamp issued or observed here. */
  private final java.util.concurrent.atomic.AtomicLong last = new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.locks.ReentrantLock lock = new java.util.concurrent.locks.ReentrantLock();
  private final java.util.concurrent.locks.Condition done = lock.newCondition();
  /** The batch callers join, or {@code null}. Guarded by {@code lock}. */
  private Batch forming;
  /** Transactions in flight. Guarded by {@code lock}. */
  private int inFlight;
  /** The newest epoch seen: its time (ms) and the revision that set it (0: none seen yet). Guarded by {@code this}. */
  private long epochMillis;
  private long epochRevision;
  /** Half of the epoch's revisions are used: the next transaction moves it. Guarded by {@code this}. */
  private boolean epochWorn;
  /** The member that answered last: asked first next time. */
  private volatile int preferred;

  public EtcdTimestampOracle(CoordinatorAddress address, Duration timeout, long maxOffsetMillis) {
    this(address, timeout, maxOffsetMillis, System::currentTimeMillis);
  }

  /** With {@code wallClock} for this JVM's clock (milliseconds since the epoch): tests skew it. */
  EtcdTimestampOracle(CoordinatorAddress address, Duration timeout, long maxOffsetMillis, LongSupplier wallClock) {
    this.wallClock = wallClock;
    this.address = address;
    this.timeoutNanos = timeout.toNanos();
    this.maxOffsetMillis = maxOffsetMillis;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
    this.epochKey = base64(address.prefix() + "/epoch");
    this.readAndTick = "{\"request_range\":{\"key\":\"" + epochKey + "\"}},{\"request_put\":{\"key\":\""
        + base64(address.prefix() + "/tick") + "\",\"value\":\"\"}}";
  }

  /**
   * A timestamp from the shared oracle. Concurrent callers of this JVM are served in batches of up
   * to {@value #BATCH}: a caller joins the batch that is forming, and while fewer than
   * {@value #IN_FLIGHT} transactions are in flight the first caller of a batch closes it and sends
   * its transaction. Every caller of a batch was waiting while its transaction ran, so any order
   * among them respects real time; a caller that starts after another returned is served by a
   * later transaction, which etcd numbers higher.
   */
  @Override
  public long next() {
    lock.lock();
    try {
      if (forming == null || forming.size == BATCH) {
        forming = new Batch();
      }
      Batch mine = forming;
      int position = mine.size++;
      while (!mine.complete) {
        if (!mine.sent && inFlight < IN_FLIGHT) {
          mine.sent = true; // this caller leads its batch: it closes and reserves it
          inFlight++;
          if (forming == mine) {
            forming = null;
          }
          int n = mine.size;
          lock.unlock();
          long first = 0;
          RuntimeException failure = null;
          try {
            first = reserve(n);
          } catch (RuntimeException e) {
            failure = e;
          } finally {
            lock.lock();
          }
          mine.first = first;
          mine.failure = failure;
          mine.complete = true;
          inFlight--;
          done.signalAll();
        } else {
          done.awaitUninterruptibly();
        }
      }
      if (mine.failure != null) {
        throw mine.failure;
      }
      return mine.first + position;
    } finally {
      lock.unlock();
    }
  }

  /** Callers of {@link #next()} served by one transaction. Guarded by {@code lock}. */
  private static final class Batch {
    int size;
    boolean sent;
    boolean complete;
    long first;
    RuntimeException failure;
  }

  /**
   * Reserves {@code n <= 256} consecutive timestamps, each above every one issued before anywhere;
   * returns the first. One etcd transaction, or a few when the epoch must move first.
   */
  private long reserve(int n) {
    long deadline = System.nanoTime() + timeoutNanos;
    // Timestamps issued or observed before this reservation began: the new ones must be above them.
    // (Those issued by transactions in flight beside this one may come back higher or lower: their
    // callers overlap with this one's, so no order is owed among them.)
    long floor = last.get();
    boolean mustMove = false;
    for (;;) {
      long knownMillis;
      long knownRevision;
      boolean worn;
      synchronized (this) {
        knownMillis = epochMillis;
        knownRevision = epochRevision;
        worn = epochWorn;
      }
      long now = wallClock.getAsLong();
      boolean move = mustMove || worn || knownRevision == 0 || now - knownMillis >= EPOCH_REFRESH_MILLIS;
      String body;
      if (move) {
        long next = Math.max(Math.max(knownMillis + 1, now), Hlc.millis(floor) + 1);
        String compare = knownRevision == 0
            ? "{\"key\":\"" + epochKey + "\",\"target\":\"CREATE\",\"result\":\"EQUAL\",\"create_revision\":\"0\"}"
            : "{\"key\":\"" + epochKey + "\",\"target\":\"MOD\",\"result\":\"EQUAL\",\"mod_revision\":\"" + knownRevision + "\"}";
        String put = "{\"request_put\":{\"key\":\"" + epochKey + "\",\"value\":\"" + base64(Long.toString(next)) + "\"}}";
        body = "{\"compare\":[" + compare + "],\"success\":[" + put + "," + readAndTick + "],\"failure\":["
            + readAndTick + "]}";
      } else {
        body = "{\"success\":[" + readAndTick + "]}";
      }
      String answer = post("/v3/kv/txn", body, deadline);
      long revision = number(REVISION, answer);
      Matcher value = VALUE.matcher(answer);
      long setAt = number(MOD_REVISION, answer);
      if (revision < 0) {
        throw new CoordinatorUnavailable("the timestamp coordinator " + address + " answered without a revision: "
            + firstLine(answer));
      }
      if (setAt < 0 || !value.find()) { // no epoch (deleted by hand, say): make one, above what this JVM saw
        synchronized (this) {
          epochRevision = 0;
        }
        mustMove = true;
        continue;
      }
      long millis = Long.parseLong(decode(value.group(1)));
      synchronized (this) {
        if (setAt > epochRevision) {
          epochMillis = millis;
          epochRevision = setAt;
          epochWorn = false;
        }
      }
      long distance = revision - setAt;
      long first = Hlc.of(millis, distance << SLOT_BITS);
      if (distance >= EPOCH_REVISIONS || first <= floor) {
        mustMove = true; // past its epoch's numbers, or not above a timestamp seen from elsewhere
        continue;
      }
      last.accumulateAndGet(first + n - 1, Math::max);
      if (distance >= EPOCH_REVISIONS / 2) {
        synchronized (this) {
          if (epochRevision == setAt) {
            epochWorn = true; // the next transaction moves the epoch
          }
        }
      }
      return first;
    }
  }

  private static long number(Pattern p, String answer) {
    Matcher m = p.matcher(answer);
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }

  /** Each timestamp comes from an etcd write numbered above every write before it, by any client. */
  @Override
  public boolean linearizable() {
    return true;
  }

  @Override
  public long current() {
    return last.get();
  }

  @Override
  public void observe(long remote) {
    long lead = Hlc.millis(remote) - wallClock.getAsLong();
    if (lead > maxOffsetMillis) {
      throw new IllegalArgumentException("observed timestamp " + remote + " is " + lead
          + " ms ahead of this JVM's clock (clockMaxOffset " + maxOffsetMillis + " ms)");
    }
    last.accumulateAndGet(remote, Math::max);
  }

  @Override
  public void advanceTo(long ts) {
    last.accumulateAndGet(ts, Math::max);
  }

  /** Posts {@code body} to the members in turn, starting with the one that answered last, until one answers. */
  private String post(String path, String body, long deadline) {
    Map<URI, String> failures = new LinkedHashMap<>();
    int members = address.endpoints().size();
    int start = preferred;
    for (int round = 0; ; round++) {
      for (int i = 0; i < members; i++) {
        int member = (start + i) % members;
        URI endpoint = address.endpoints().get(member);
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw unavailable(failures);
        }
        try {
          HttpRequest request = HttpRequest.newBuilder(endpoint.resolve(path))
              .timeout(Duration.ofNanos(Math.min(left, TimeUnit.SECONDS.toNanos(1))))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(body)).build();
          HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
          if (response.statusCode() == 200) {
            preferred = member;
            return response.body();
          }
          if (response.statusCode() >= 400 && response.statusCode() < 500) {
            throw refused(endpoint, response.statusCode(), response.body()); // an answer, not an outage
          }
          failures.put(endpoint, "HTTP " + response.statusCode() + " " + firstLine(response.body()));
        } catch (IOException e) {
          failures.put(endpoint, e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          failures.put(endpoint, "interrupted");
          throw unavailable(failures);
        }
      }
      if (round > 0) {
        Thread.onSpinWait(); // every member failed at once (an election, say): the next round asks again
      }
    }
  }

  /** A member answered and refused the request (etcd's authentication, say): no other member will differ. */
  private CoordinatorUnavailable refused(URI endpoint, int status, String body) {
    Matcher m = Pattern.compile("\"message\"\\s*:\\s*\"([^\"]*)\"").matcher(body);
    String why = m.find() ? m.group(1) : firstLine(body);
    String hint = why.contains("user name") || why.contains("token") || why.contains("permission")
        ? "; etcd authentication is on, and the driver does not authenticate to etcd: give the driver an etcd"
            + " cluster (or a prefix behind a proxy) without authentication"
        : "";
    return new CoordinatorUnavailable("the timestamp coordinator " + address + " refused the request: "
        + endpoint.getHost() + ":" + endpoint.getPort() + " answered HTTP " + status + " " + why + hint);
  }

  private CoordinatorUnavailable unavailable(Map<URI, String> failures) {
    StringBuilder s = new StringBuilder("no member of the timestamp coordinator " + address + " answered within "
        + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms (coordinatorTimeout)");
    failures.forEach((endpoint, why) -> s.append("; ").append(endpoint.getHost()).append(':')
        .append(endpoint.getPort()).append(": ").append(why));
    return new CoordinatorUnavailable(s.toString());
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return (nl < 0 ? s : s.substring(0, nl)).strip();
  }

  private static String base64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private static String decode(String b64) {
    return new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "EtcdTimestampOracle[" + address + "]";
  }
}
