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
 * <p>One transaction per call, calls of one JVM serialized: about one etcd round trip per
 * timestamp. Talks to etcd's JSON gateway with the JDK's HTTP client: no dependency.
 */
public final class EtcdTimestampOracle implements TimestampOracle {
  private static final Pattern VALUE = Pattern.compile("\"value\"\\s*:\\s*\"([A-Za-z0-9+/=]*)\"");
  private static final Pattern SUCCEEDED = Pattern.compile("\"succeeded\"\\s*:\\s*true");

  private final CoordinatorAddress address;
  private final long timeoutNanos;
  private final long maxOffsetMillis;
  private final HttpClient http;
  private final String key;
  /** The greatest timestamp issued or observed here. Guarded by {@code this}. */
  private long last;
  /** The value last read from etcd (the compare's expectation), or {@code null} if none yet. Guarded by {@code this}. */
  private String stored;
  /** The member that answered last: asked first next time. Guarded by {@code this}. */
  private int preferred;

  public EtcdTimestampOracle(CoordinatorAddress address, Duration timeout, long maxOffsetMillis) {
    this.address = address;
    this.timeoutNanos = timeout.toNanos();
    this.maxOffsetMillis = maxOffsetMillis;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
    this.key = base64(address.prefix() + "/ts");
  }

  @Override
  public synchronized long next() {
    long deadline = System.nanoTime() + timeoutNanos;
    for (;;) {
      long current = stored == null ? 0 : Long.parseLong(decode(stored));
      long proposal = Math.max(Math.max(last, current) + 1, Hlc.of(System.currentTimeMillis(), 0));
      String value = base64(Long.toString(proposal));
      String compare = stored == null
          ? "{\"key\":\"" + key + "\",\"target\":\"CREATE\",\"result\":\"EQUAL\",\"create_revision\":\"0\"}"
          : "{\"key\":\"" + key + "\",\"target\":\"VALUE\",\"result\":\"EQUAL\",\"value\":\"" + stored + "\"}";
      String body = "{\"compare\":[" + compare + "],\"success\":[{\"request_put\":{\"key\":\"" + key
          + "\",\"value\":\"" + value + "\"}}],\"failure\":[{\"request_range\":{\"key\":\"" + key + "\"}}]}";
      String answer = post("/v3/kv/txn", body, deadline);
      if (SUCCEEDED.matcher(answer).find()) {
        stored = value;
        last = proposal;
        return proposal;
      }
      Matcher m = VALUE.matcher(answer);
      stored = m.find() ? m.group(1) : null; // moved by another client (or absent): compare with what is there
    }
  }

  @Override
  public synchronized long current() {
    return last;
  }

  @Override
  public synchronized void observe(long remote) {
    long lead = Hlc.millis(remote) - System.currentTimeMillis();
    if (lead > maxOffsetMillis) {
      throw new IllegalArgumentException("observed timestamp " + remote + " is " + lead
          + " ms ahead of this JVM's clock (clockMaxOffset " + maxOffsetMillis + " ms)");
    }
    last = Math.max(last, remote);
  }

  @Override
  public synchronized void advanceTo(long ts) {
    last = Math.max(last, ts);
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
