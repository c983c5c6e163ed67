package io.lsem.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real etcd cluster of 1 or more members on 127.0.0.1 (Debian's {@code etcd-server}, found at
 * {@code /usr/bin/etcd} or in {@code LSEM_ETCD}), each with free ports and a data directory in a
 * temporary directory. {@link #kill(int)} ends one member with SIGKILL, {@link #restart(int)}
 * starts it again on its data; {@link #close()} kills every member and deletes the directory.
 */
public final class EtcdCluster implements AutoCloseable {
  /**
   * Whether members sync their log to disk: not by default, like the test PostgreSQL server
   * ({@code fsync=off}; a killed member loses nothing, the page cache survives it);
   * {@code -Dlsem.etcd.fsync=true} for etcd's production setting.
   */
  static final boolean SYNC_TO_DISK = Boolean.getBoolean("lsem.etcd.fsync");
  private final Path dir;
  private final int[] clientPorts;
  private final int[] peerPorts;
  private final Process[] members;
  private final String initialCluster;

  private EtcdCluster(Path dir, int size) throws IOException {
    this.dir = dir;
    this.clientPorts = new int[size];
    this.peerPorts = new int[size];
    this.members = new Process[size];
    StringBuilder cluster = new StringBuilder();
    for (int i = 0; i < size; i++) {
      clientPorts[i] = freePort();
      peerPorts[i] = freePort();
      cluster.append(i == 0 ? "" : ",").append(name(i)).append("=http://127.0.0.1:").append(peerPorts[i]);
    }
    this.initialCluster = cluster.toString();
  }

  /** The etcd server program, or {@code null} when this machine has none. */
  public static Path binary() {
    String configured = System.getenv("LSEM_ETCD");
    Path p = Path.of(configured != null && !configured.isBlank() ? configured : "/usr/bin/etcd");
    return Files.isExecutable(p) ? p : null;
  }

  /**
   * Starts {@code size} members and waits until each reports itself healthy. The ports are chosen
   * free but another process may take one before etcd binds it; a cluster whose member then exits
   * is started again on new ports, up to three times.
   */
  public static EtcdCluster start(int size) {
    if (binary() == null) {
      throw new IllegalStateException("no etcd server program at /usr/bin/etcd (Debian's etcd-server) or LSEM_ETCD");
    }
    for (int attempt = 1; ; attempt++) {
      try {
        return startOnce(size);
      } catch (MemberExited e) {
        if (attempt == 3) {
          throw e;
        }
      }
    }
  }

  /** A member's process ended before it became healthy (a port taken meanwhile, say). */
  private static final class MemberExited extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    MemberExited(String message) {
      super(message);
    }
  }

  private static EtcdCluster startOnce(int size) {
    try {
      EtcdCluster cluster = new EtcdCluster(Files.createTempDirectory("lsem-etcd-"), size);
      try {
        for (int i = 0; i < size; i++) {
          cluster.launch(i);
        }
        for (int i = 0; i < size; i++) {
          cluster.awaitHealthy(i);
        }
        return cluster;
      } catch (RuntimeException | IOException e) {
        cluster.close();
        throw e;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start etcd", e);
    }
  }

  /** {@code etcd://127.0.0.1:p1,127.0.0.1:p2,.../prefix}: the driver's {@code coordinator} value. */
  public String coordinator(String prefix) {
    StringBuilder s = new StringBuilder("etcd://");
    for (int i = 0; i < clientPorts.length; i++) {
      s.append(i == 0 ? "" : ",").append("127.0.0.1:").append(clientPorts[i]);
    }
    return s.append(prefix).toString();
  }

  public int size() {
    return members.length;
  }

  /** Ends member {@code i} at once (SIGKILL) and waits until its process is gone. */
  public void kill(int i) {
    Process p = members[i];
    if (p != null) {
      p.destroyForcibly();
      try {
        p.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      members[i] = null;
    }
  }

  /** Pauses member {@code i} (SIGSTOP): it keeps its sockets but answers nothing until {@link #resume}. */
  public void pause(int i) throws IOException, InterruptedException {
    signal(i, "STOP");
  }

  /** Resumes a paused member (SIGCONT). */
  public void resume(int i) throws IOException, InterruptedException {
    signal(i, "CONT");
  }

  private void signal(int i, String name) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(members[i].pid())).inheritIO().start();
    if (kill.waitFor() != 0) {
      throw new IllegalStateException("kill -" + name + " of etcd member " + i + " failed");
    }
  }

  /** Starts member {@code i} again on its data directory and waits until it is healthy. */
  public void restart(int i) throws IOException {
    launch(i);
    awaitHealthy(i);
  }

  /** Deletes {@code key} (as an operator might by hand), through the first member that is running. */
  public void delete(String key) throws IOException {
    String encoded = java.util.Base64.getEncoder().encodeToString(key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    for (int i = 0; i < members.length; i++) {
      if (members[i] != null) {
        post(i, "/v3/kv/deleterange", "{\"key\":\"" + encoded + "\"}");
        return;
      }
    }
    throw new IllegalStateException("no member is running");
  }

  /** The index of the member that is the cluster's leader now, from each member's own status. */
  public int leader() throws IOException {
    for (int i = 0; i < members.length; i++) {
      if (members[i] == null) {
        continue;
      }
      String status = post(i, "/v3/maintenance/status", "{}");
      String id = field(status, "member_id");
      String leader = field(status, "leader");
      if (id != null && id.equals(leader)) {
        return i;
      }
    }
    throw new IllegalStateException("no member says it is the leader");
  }

  private void launch(int i) throws IOException {
    String state = Files.isDirectory(dir.resolve(name(i))) ? "existing" : "new";
    List<String> command = new ArrayList<>(List.of(binary().toString(),
        "--name", name(i),
        "--data-dir", dir.resolve(name(i)).toString(),
        "--listen-client-urls", "http://127.0.0.1:" + clientPorts[i],
        "--advertise-client-urls", "http://127.0.0.1:" + clientPorts[i],
        "--listen-peer-urls", "http://127.0.0.1:" + peerPorts[i],
        "--initial-advertise-peer-urls", "http://127.0.0.1:" + peerPorts[i],
        "--initial-cluster", initialCluster,
        "--initial-cluster-state", state,
        "--initial-cluster-token", dir.getFileName().toString(),
        "--heartbeat-interval", "50", "--election-timeout", "500",
        // every batch of timestamps is a write: keep the history short, as docs/coordinator.md advises
        "--auto-compaction-mode", "revision", "--auto-compaction-retention", "10000"));
    if (!SYNC_TO_DISK) {
      command.add("--unsafe-no-fsync");
    }
    ProcessBuilder b = new ProcessBuilder(command);
    b.redirectErrorStream(true);
    b.redirectOutput(dir.resolve(name(i) + ".log").toFile());
    members[i] = b.start();
  }

  /** Polls member {@code i}'s /health until it answers {"health":"true"}, for at most 30 s. */
  private void awaitHealthy(int i) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    for (;;) {
      try {
        HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + clientPorts[i] + "/health")
            .toURL().openConnection();
        c.setConnectTimeout(500);
        c.setReadTimeout(1000);
        if (c.getResponseCode() == 200 && new String(c.getInputStream().readAllBytes()).contains("true")) {
          return;
        }
      } catch (IOException notYet) {
        // starting: the next poll asks again
      }
      if (members[i] == null || !members[i].isAlive()) {
        throw new MemberExited("etcd member " + i + " exited before it became healthy; log: "
            + dir.resolve(name(i) + ".log"));
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("etcd member " + i + " did not become healthy; log: "
            + dir.resolve(name(i) + ".log"));
      }
      Thread.onSpinWait();
    }
  }

  private String post(int i, String path, String body) throws IOException {
    HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + clientPorts[i] + path).toURL()
        .openConnection();
    c.setRequestMethod("POST");
    c.setDoOutput(true);
    c.setConnectTimeout(1000);
    c.setReadTimeout(2000);
    c.getOutputStream().write(body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return new String(c.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
  }

  private static String field(String json, String name) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"" + name + "\"\\s*:\\s*\"?([0-9]+)").matcher(json);
    return m.find() ? m.group(1) : null;
  }

  private static String name(int i) {
    return "m" + i;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() {
    List<RuntimeException> ignored = new ArrayList<>();
    for (int i = 0; i < members.length; i++) {
      try {
        kill(i);
      } catch (RuntimeException e) {
        ignored.add(e);
      }
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort: a temporary directory
    }
  }
}
