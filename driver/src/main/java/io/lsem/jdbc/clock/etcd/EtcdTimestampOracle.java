package io.lsem.jdbc.clock.etcd;

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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A timestamp oracle shared by every JVM that names the same etcd cluster: the key
 * {@code <prefix>/ts} holds the greatest timestamp handed out, and each {@link #next()} moves it
 * forward with one compare-and-swap transaction (etcd's {@code /v3/kv/txn}, linearizable, a quorum
 * write) before returning. A timestamp returned anywhere was therefore written to etcd first, so
 * any later {@code next()}, in any JVM, reads a greater value: timestamps are unique and follow
 * real-time order across the cluster's clients. A failed compare returns the current value in the
 * same transaction; the retry needs no extra read. The physical part follows this JVM's clock
 * ({@code max(last + 1, now << 18)}), so skewed clocks change how fast the value moves, never its
 * order. A member that does not answer is skipped; when none answers within the timeout,
 * {@link CoordinatorUnavailable} — never a local timestamp.
 *
 * <p>One transaction per batch of concurrent calls of this JVM (see {@link #next()}): a lone
 * caller pays one etcd round trip. Talks to etcd's JSON gateway with the JDK's HTTP client: no
 * dependency.
 */
public final class EtcdTimestampOracle implements TimestampOracle {
  private static final Pattern VALUE = Pattern.compile("\"value\"\\s*:\\s*\"([A-Za-z0-9+/=]*)\"");
  private static final Pattern SUCCEEDED = Pattern.compile("\"succeeded\"\\s*:\\s*true");

  private final CoordinatorAddress address;
  private final long timeoutNanos;
  private final long maxOffsetMillis;
  private final HttpClient http;
  private final String key;
  /** The greatest timestamp issued or observed here. */
  private final java.util.concurrent.atomic.AtomicLong last = new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.locks.ReentrantLock lock = new java.util.concurrent.locks.ReentrantLock();
  private final java.util.concurrent.locks.Condition done = lock.newCondition();
  /** The batch callers join while another is in flight, or {@code null}. Guarded by {@code lock}. */
  private Batch forming;
  /** A batch's compare-and-swap is in flight. Guarded by {@code lock}. */
  private boolean inFlight;
  /** The value last read from etcd (the compare's expectation), or {@code null} if none yet. Only the batch leader touches it. */
  private String stored;
  /** The member that answered last: asked first next time. Only the batch leader touches it. */
  private int preferred;

  public EtcdTimestampOracle(CoordinatorAddress address, Duration timeout, long maxOffsetMillis) {
    this.address = address;
    this.timeoutNanos = timeout.toNanos();
    this.maxOffsetMillis = maxOffsetMillis;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
    this.key = base64(address.prefix() + "/ts");
  }

  /**
   * A timestamp from the shared oracle. Concurrent callers of this JVM are served in batches: while
   * one compare-and-swap is in flight the next callers gather, and the first of them to see it
   * done reserves as many timestamps as there are callers in its batch with one more
   * compare-and-swap. Every caller of a batch was waiting while it was reserved, so any order among
   * them respects real time; a caller that starts after another returned is in a later batch.
   */
  @Override
  public long next() {
    lock.lock();
    try {
      Batch mine = forming != null ? forming : (forming = new Batch());
      int position = mine.size++;
      while (!mine.complete) {
        if (!inFlight) {
          inFlight = true; // this caller leads its batch: it closes and reserves it
          forming = null;
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
          inFlight = false;
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

  /** Callers of {@link #next()} served by one compare-and-swap. Guarded by {@code lock}. */
  private static final class Batch {
    int size;
    boolean complete;
    long first;
    RuntimeException failure;
  }

  /** Moves the stored value forward by {@code n} timestamps; returns the first. Only one caller at a time. */
  private long reserve(int n) {
    long deadline = System.nanoTime() + timeoutNanos;
    for (;;) {
      long current = stored == null ? 0 : Long.parseLong(decode(stored));
      long first = Math.max(Math.max(last.get(), current) + 1, Hlc.of(System.currentTimeMillis(), 0));
      long top = first + n - 1;
      String value = base64(Long.toString(top));
      String compare = stored == null
          ? "{\"key\":\"" + key + "\",\"target\":\"CREATE\",\"result\":\"EQUAL\",\"create_revision\":\"0\"}"
          : "{\"key\":\"" + key + "\",\"target\":\"VALUE\",\"result\":\"EQUAL\",\"value\":\"" + stored + "\"}";
      String body = "{\"compare\":[" + compare + "],\"success\":[{\"request_put\":{\"key\":\"" + key
          + "\",\"value\":\"" + value + "\"}}],\"failure\":[{\"request_range\":{\"key\":\"" + key + "\"}}]}";
      String answer = post("/v3/kv/txn", body, deadline);
      if (SUCCEEDED.matcher(answer).find()) {
        stored = value;
        last.accumulateAndGet(top, Math::max);
        return first;
      }
      Matcher m = VALUE.matcher(answer);
      stored = m.find() ? m.group(1) : null; // moved by another client (or absent): compare with what is there
    }
  }

  @Override
  public long current() {
    return last.get();
  }

  @Override
  public void observe(long remote) {
    long lead = Hlc.millis(remote) - System.currentTimeMillis();
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
    for (int round = 0; ; round++) {
      for (int i = 0; i < members; i++) {
        int member = (preferred + i) % members;
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
