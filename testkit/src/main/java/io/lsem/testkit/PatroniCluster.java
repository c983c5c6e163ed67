package io.lsem.testkit;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

/**
 * A Patroni-managed PostgreSQL cluster on 127.0.0.1 for failover tests: one etcd (the DCS) and
 * two or more Patroni nodes, each running a PostgreSQL 15 server of the machine, with
 * {@code synchronous_mode} on by default. The controls a test needs: who the leader is, a
 * switchover through Patroni's REST API, {@code kill -9} of the leader's postmaster, stopping or
 * killing the leader's Patroni, waiting for a new leader.
 *
 * <pre>{@code
 * try (PatroniCluster cluster = PatroniCluster.start(PatroniCluster.Options.defaults())) {
 *   String url = cluster.multiHostUrl("lsem:", "postgres"); // jdbc:lsem:postgresql://127.0.0.1:p0,127.0.0.1:p1/postgres
 *   PatroniCluster.Member old = cluster.killLeaderPostgres(); // Patroni fails over (primary_start_timeout 0)
 *   PatroniCluster.Member now = cluster.awaitNewLeader(old, Duration.ofSeconds(60));
 *   cluster.awaitHealthy();                                  // old leader back as a streaming sync standby
 * }
 * }</pre>
 *
 * <p><b>Programs.</b> {@code patroni} and {@code etcd} are looked up in {@code $LSEM_PATRONI} and
 * {@code $LSEM_ETCD} when set, else on the {@code PATH} (Debian: {@code apt-get install patroni
 * etcd-server}); the PostgreSQL server programs as for {@link ReplicationCluster}
 * ({@code $LSEM_PG_BIN}, else {@code /usr/lib/postgresql/15/bin}). {@link #unavailableReason()}
 * says what is missing, for a test to skip itself. When this JVM is root, etcd, Patroni and so
 * PostgreSQL run as the {@code postgres} operating-system user ({@code runuser}). Linux only.
 *
 * <p><b>Layout.</b> Everything lives in one temporary directory (in {@code /dev/shm} when
 * possible): etcd's data, each node's YAML configuration, data directory and log (Patroni's and
 * PostgreSQL's output together). Every port (etcd client and peer, each node's PostgreSQL and
 * REST API) is a free port of 127.0.0.1; PostgreSQL listens on 127.0.0.1 only with trust
 * authentication from there. Nodes are called {@code node0}, {@code node1}, ...; which one
 * becomes the first leader is up to Patroni.
 *
 * <p><b>Timing.</b> The DCS settings default to {@code ttl} 10 s, {@code loop_wait} 1 s,
 * {@code retry_timeout} 5 s and {@code primary_start_timeout} 0 (a crashed leader's postmaster is
 * not restarted in place: Patroni fails over to the synchronous standby at once). A node whose
 * Patroni dies is replaced once its leader key expires (up to {@code ttl}).
 *
 * <p><b>Cleanup.</b> {@link #close} kills every Patroni first (so none restarts its server), then
 * every process still working in the cluster's directory (PostgreSQL, etcd), removes shared
 * memory left behind and deletes the directory. It is also a JVM shutdown hook, and a new
 * cluster first removes what clusters of dead JVMs left behind.
 */
public final class PatroniCluster implements AutoCloseable {
  private static final String DIR_PREFIX = "lsem-patroni-";
  private static final String HOST = "127.0.0.1";
  private static final String USER = "postgres";
  private static final String SCOPE = "lsem-patroni";
  private static final AtomicBoolean SWEPT = new AtomicBoolean();

  /** How to build the cluster. */
  public static final class Options {
    private int nodes = 2;
    private int ttl = 10;
    private int loopWait = 1;
    private int retryTimeout = 5;
    private int primaryStartTimeout = 0;
    private boolean synchronousMode = true;
    private boolean synchronousModeStrict;
    private Path binDirectory;
    private Path parentDirectory;
    private Duration timeout = Duration.ofSeconds(90);
    private final Map<String, String> settings = new LinkedHashMap<>();

    private Options() {}

    /** Two nodes, synchronous mode (not strict), ttl 10 s, loop_wait 1 s, retry_timeout 5 s. */
    public static Options defaults() {
      return new Options();
    }

    /** Number of Patroni nodes (at least 1; default 2). */
    public Options nodes(int count) {
      if (count < 1) {
        throw new IllegalArgumentException("nodes: " + count);
      }
      this.nodes = count;
      return this;
    }

    /** Patroni's {@code ttl}, {@code loop_wait} and {@code retry_timeout}, in seconds. */
    public Options timing(int ttl, int loopWait, int retryTimeout) {
      this.ttl = ttl;
      this.loopWait = loopWait;
      this.retryTimeout = retryTimeout;
      return this;
    }

    /** Patroni's {@code primary_start_timeout} (default 0: fail over rather than restart a crashed leader). */
    public Options primaryStartTimeout(int seconds) {
      this.primaryStartTimeout = seconds;
      return this;
    }

    /** {@code synchronous_mode} (default true) and {@code synchronous_mode_strict} (default false). */
    public Options synchronousMode(boolean on, boolean strict) {
      this.synchronousMode = on;
      this.synchronousModeStrict = strict;
      return this;
    }

    /** A PostgreSQL setting for every node (in the DCS configuration). */
    public Options setting(String name, String value) {
      settings.put(PgTools.settingName(name), value);
      return this;
    }

    /** The directory of the PostgreSQL server programs. */
    public Options binDirectory(Path dir) {
      this.binDirectory = dir;
      return this;
    }

    /** Where the cluster's directory is made (default {@code /dev/shm} when usable, else {@code java.io.tmpdir}). */
    public Options parentDirectory(Path dir) {
      this.parentDirectory = dir;
      return this;
    }

    /** The deadline of each wait: etcd answering, the cluster becoming healthy, a REST call (default 90 s). */
    public Options timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    @Override
    public String toString() {
      return nodes + " node(s), " + (synchronousMode ? synchronousModeStrict ? "synchronous_mode_strict" : "synchronous_mode"
          : "asynchronous") + ", ttl " + ttl + " s, loop_wait " + loopWait + " s, retry_timeout " + retryTimeout + " s";
    }
  }

  /** One Patroni node and its PostgreSQL server. */
  public static final class Member {
    private final String name;
    private final int port;
    private final int apiPort;
    private final Path dataDirectory;
    private final Path configFile;
    private final Path logFile;
    private volatile Process launcher;

    private Member(String name, int port, int apiPort, Path base) {
      this.name = name;
      this.port = port;
      this.apiPort = apiPort;
      this.dataDirectory = base.resolve(name);
      this.configFile = base.resolve(name + ".yml");
      this.logFile = base.resolve(name + ".log");
    }

    /** {@code node0}, {@code node1}, ...: Patroni's member name and the replication application name. */
    public String name() {
      return name;
    }

    /** Always {@code 127.0.0.1}. */
    public String host() {
      return HOST;
    }

    /** PostgreSQL's port. */
    public int port() {
      return port;
    }

    /** Port of Patroni's REST API. */
    public int apiPort() {
      return apiPort;
    }

    /** {@code http://127.0.0.1:apiPort}. */
    public String apiUrl() {
      return "http://" + HOST + ":" + apiPort;
    }

    /** {@code jdbc:postgresql://127.0.0.1:port/postgres}. */
    public String url() {
      return "jdbc:postgresql://" + HOST + ":" + port + "/postgres";
    }

    public Path dataDirectory() {
      return dataDirectory;
    }

    /** Patroni's output and PostgreSQL's, appended across restarts. */
    public Path logFile() {
      return logFile;
    }

    public String logTail(int lines) {
      return PgTools.tail(logFile, lines);
    }

    /** The last {@code lines} lines Patroni itself wrote to the log (PostgreSQL's left out). */
    public String patroniLogTail(int lines) {
      try {
        List<String> own = Files.readAllLines(logFile, StandardCharsets.UTF_8).stream()
            .filter(l -> l.matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d,\\d{3} .*")).collect(Collectors.toList());
        return String.join("\n", own.subList(Math.max(0, own.size() - lines), own.size()));
      } catch (IOException | UncheckedIOException e) {
        return "(cannot read " + logFile + ": " + e + ")";
      }
    }

    /** A plain pgjdbc connection as {@code postgres} to database {@code postgres}. */
    public Connection connect() throws SQLException {
      return PgTools.connect(url(), 2, 30);
    }

    /** PID of the running postmaster (from {@code postmaster.pid}), or 0. */
    public long postmasterPid() {
      try {
        Path pidFile = dataDirectory.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
          return 0;
        }
        List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
        if (lines.isEmpty() || !lines.get(0).trim().matches("\\d+")) {
          return 0;
        }
        long pid = Long.parseLong(lines.get(0).trim());
        return PgTools.isAlive(pid) && PgTools.commandLine(pid).contains("postgres") ? pid : 0;
      } catch (IOException | UncheckedIOException e) {
        return 0;
      }
    }

    /** PID of this node's Patroni process, or 0 when it does not run. */
    public long patroniPid() {
      Process l = launcher;
      if (l == null) {
        return 0;
      }
      if (isPatroni(l.pid(), configFile)) {
        return l.pid();
      }
      return l.descendants().filter(p -> isPatroni(p.pid(), configFile)).mapToLong(ProcessHandle::pid).findFirst()
          .orElse(0);
    }

    private static boolean isPatroni(long pid, Path config) {
      String cmd = PgTools.commandLine(pid);
      return PgTools.isAlive(pid) && !cmd.startsWith("runuser") && cmd.contains("patroni") && cmd.endsWith(config.toString());
    }

    @Override
    public String toString() {
      return name + "(" + HOST + ":" + port + ", api " + apiPort + ")";
    }
  }

  private final Options options;
  private final PgTools tools;
  private final Path patroni;
  private final Path etcd;
  private final Path base;
  private final List<Member> members = new ArrayList<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private final Thread shutdownHook;
  private int etcdPort;
  private Process etcdProcess;
  private volatile boolean closed;
  private Duration startDuration = Duration.ZERO;

  private PatroniCluster(Options options, PgTools tools, Path patroni, Path etcd) {
    this.options = options;
    this.tools = tools;
    this.patroni = patroni;
    this.etcd = etcd;
    try {
      Path parent = options.parentDirectory != null ? options.parentDirectory : PgTools.defaultParent();
      this.base = Files.createTempDirectory(parent, DIR_PREFIX + ProcessHandle.current().pid() + "-").toRealPath();
      PgTools.writeOwner(base);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a directory for the cluster", e);
    }
    tools.handOver(base);
    this.shutdownHook = new Thread(() -> shutdown(true), "lsem-patroni-cluster-stop");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /**
   * Why a cluster cannot be started on this machine (missing Patroni, etcd or PostgreSQL programs,
   * no {@code postgres} user when root, not Linux), or null when it can.
   */
  public static String unavailableReason() {
    return unavailableReason(null);
  }

  /** Like {@link #unavailableReason()}, with the PostgreSQL programs in {@code binDirectory}. */
  public static String unavailableReason(Path binDirectory) {
    List<String> reasons = new ArrayList<>();
    if (!Files.isDirectory(Path.of("/proc/self"))) {
      reasons.add("not Linux (/proc is needed)");
    }
    if (program("patroni", "LSEM_PATRONI") == null) {
      reasons.add("no patroni program (apt-get install patroni, or set LSEM_PATRONI)");
    }
    if (program("etcd", "LSEM_ETCD") == null) {
      reasons.add("no etcd program (apt-get install etcd-server, or set LSEM_ETCD)");
    }
    try {
      PgTools.locate(binDirectory);
    } catch (IllegalStateException e) {
      reasons.add(e.getMessage());
    }
    return reasons.isEmpty() ? null : String.join("; ", reasons);
  }

  /** Starts etcd and the Patroni nodes; returns once there is a leader and every other node streams from it. */
  public static PatroniCluster start(Options options) {
    String missing = unavailableReason(options.binDirectory);
    if (missing != null) {
      throw new IllegalStateException("cannot start a Patroni cluster: " + missing);
    }
    PgTools tools = PgTools.locate(options.binDirectory);
    if (SWEPT.compareAndSet(false, true)) {
      PgTools.sweepAbandonedEverywhere(DIR_PREFIX, options.parentDirectory);
    }
    PatroniCluster cluster = new PatroniCluster(options, tools, program("patroni", "LSEM_PATRONI"),
        program("etcd", "LSEM_ETCD"));
    try {
      cluster.boot();
      return cluster;
    } catch (RuntimeException | Error e) {
      try {
        cluster.close();
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  private void boot() {
    long t0 = System.nanoTime();
    int[] ports = PgTools.freePorts(2 + 2 * options.nodes);
    etcdPort = ports[0];
    startEtcd(ports[0], ports[1]);
    for (int i = 0; i < options.nodes; i++) {
      Member m = new Member("node" + i, ports[2 + 2 * i], ports[3 + 2 * i], base);
      members.add(m);
      writeConfiguration(m);
    }
    for (Member m : members) {
      launch(m);
    }
    awaitHealthy();
    startDuration = Duration.ofNanos(System.nanoTime() - t0);
  }

  private void startEtcd(int clientPort, int peerPort) {
    String client = "http://" + HOST + ":" + clientPort;
    String peer = "http://" + HOST + ":" + peerPort;
    Path log = base.resolve("etcd.log");
    etcdProcess = tools.launch(base, log, etcd.toString(), "--name", "etcd0", "--data-dir", base.resolve("etcd").toString(),
        "--listen-client-urls", client, "--advertise-client-urls", client, "--listen-peer-urls", peer,
        "--initial-advertise-peer-urls", peer, "--initial-cluster", "etcd0=" + peer, "--initial-cluster-state", "new",
        "--initial-cluster-token", base.getFileName().toString());
    long deadline = System.nanoTime() + options.timeout.toNanos();
    String last = "";
    while (true) {
      try {
        HttpResponse<String> r = get(client + "/health");
        last = r.statusCode() + " " + r.body();
        if (r.statusCode() == 200 && r.body().contains("\"true\"")) {
          return;
        }
      } catch (IOException e) {
        last = e.toString();
      }
      if (!etcdProcess.isAlive() || System.nanoTime() > deadline) {
        throw new IllegalStateException("etcd did not become healthy on " + client + " (last answer: " + last + ")"
            + "\n---- last lines of " + log + " ----\n" + PgTools.tail(log, 30));
      }
      PgTools.pause(20);
    }
  }

  private void writeConfiguration(Member m) {
    StringBuilder y = new StringBuilder();
    y.append("# written by io.lsem.testkit.PatroniCluster\n");
    y.append("scope: ").append(SCOPE).append('\n');
    y.append("name: ").append(m.name).append('\n');
    y.append("log: {level: INFO}\n");
    y.append("restapi:\n");
    y.append("  listen: ").append(HOST).append(':').append(m.apiPort).append('\n');
    y.append("  connect_address: ").append(HOST).append(':').append(m.apiPort).append('\n');
    y.append("etcd3:\n");
    y.append("  hosts: ").append(HOST).append(':').append(etcdPort).append('\n');
    y.append("bootstrap:\n");
    y.append("  dcs:\n");
    y.append("    ttl: ").append(options.ttl).append('\n');
    y.append("    loop_wait: ").append(options.loopWait).append('\n');
    y.append("    retry_timeout: ").append(options.retryTimeout).append('\n');
    y.append("    primary_start_timeout: ").append(options.primaryStartTimeout).append('\n');
    y.append("    synchronous_mode: ").append(options.synchronousMode).append('\n');
    y.append("    synchronous_mode_strict: ").append(options.synchronousModeStrict).append('\n');
    y.append("    postgresql:\n");
    y.append("      use_pg_rewind: true\n");
    y.append("      use_slots: true\n");
    y.append("      parameters:\n");
    Map<String, String> dcs = new LinkedHashMap<>();
    dcs.put("max_connections", "200");
    dcs.put("max_prepared_transactions", "20");
    dcs.put("wal_keep_size", "128MB");
    dcs.put("hot_standby_feedback", "on");
    dcs.putAll(options.settings);
    dcs.forEach((k, v) -> y.append("        ").append(k).append(": ").append(quote(v)).append('\n'));
    y.append("  initdb:\n");
    y.append("  - encoding: UTF8\n");
    y.append("  - locale: C\n");
    y.append("postgresql:\n");
    y.append("  listen: ").append(HOST).append(':').append(m.port).append('\n');
    y.append("  connect_address: ").append(HOST).append(':').append(m.port).append('\n');
    y.append("  data_dir: ").append(quote(m.dataDirectory.toString())).append('\n');
    y.append("  bin_dir: ").append(quote(tools.bin().toString())).append('\n');
    y.append("  pgpass: ").append(quote(base.resolve(m.name + ".pgpass").toString())).append('\n');
    y.append("  authentication:\n");
    for (String role : List.of("superuser", "replication", "rewind")) {
      y.append("    ").append(role).append(": {username: ").append(USER).append(", password: unused}\n");
    }
    y.append("  pg_hba:\n");
    for (String line : List.of("local all all trust", "local replication all trust", "host all all 127.0.0.1/32 trust",
        "host replication all 127.0.0.1/32 trust")) {
      y.append("  - ").append(quote(line)).append('\n');
    }
    y.append("  parameters:\n");
    Map<String, String> local = new LinkedHashMap<>();
    local.put("unix_socket_directories", base.toString());
    local.put("shared_buffers", "16MB");
    local.put("dynamic_shared_memory_type", "mmap");
    local.put("fsync", "off");
    local.put("jit", "off");
    local.put("wal_receiver_status_interval", "1s");
    local.put("wal_retrieve_retry_interval", "50ms");
    local.put("logging_collector", "off");
    local.put("log_line_prefix", "%m [%p] %q%a ");
    local.forEach((k, v) -> y.append("    ").append(k).append(": ").append(quote(v)).append('\n'));
    try {
      Files.writeString(m.configFile, y.toString(), StandardCharsets.UTF_8);
      tools.handOver(m.configFile);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + m.configFile, e);
    }
  }

  private void launch(Member m) {
    m.launcher = tools.launch(base, m.logFile, patroni.toString(), m.configFile.toString());
  }

  // ---- accessors --------------------------------------------------------------------------------

  /** Every node, {@code node0} first. */
  public List<Member> members() {
    return List.copyOf(members);
  }

  /** The node called {@code name}. */
  public Member member(String name) {
    return members.stream().filter(m -> m.name.equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no member " + name + " in " + members));
  }

  /** {@code jdbc:<prefix>postgresql://127.0.0.1:p0,127.0.0.1:p1,.../<database>}, e.g. prefix {@code "lsem:"}. */
  public String multiHostUrl(String prefix, String database) {
    return "jdbc:" + prefix + "postgresql://"
        + members.stream().map(m -> HOST + ":" + m.port).collect(Collectors.joining(",")) + "/" + database;
  }

  /** How long {@link #start} took, from etcd's start to a healthy cluster. */
  public Duration startDuration() {
    return startDuration;
  }

  public Path directory() {
    return base;
  }

  public Options options() {
    return options;
  }

  /** Patroni's view of the cluster ({@code GET /cluster} of the first node that answers), as JSON text. */
  public String clusterJson() {
    IOException last = null;
    for (Member m : members) {
      try {
        HttpResponse<String> r = get(m.apiUrl() + "/cluster");
        if (r.statusCode() == 200) {
          return r.body();
        }
      } catch (IOException e) {
        last = e;
      }
    }
    throw new IllegalStateException("no Patroni REST API answers" + (last == null ? "" : ": " + last));
  }

  /** The member whose role is {@code role} ({@code leader}, {@code sync_standby}, {@code replica}), or null. */
  private Member withRole(Map<String, Object> cluster, String role, boolean running) {
    for (Object o : membersOf(cluster)) {
      @SuppressWarnings("unchecked")
      Map<String, Object> m = (Map<String, Object>) o;
      if (role.equals(m.get("role")) && (!running || "running".equals(m.get("state")))) {
        String name = String.valueOf(m.get("name"));
        return members.stream().filter(x -> x.name.equals(name)).findFirst().orElse(null);
      }
    }
    return null;
  }

  private static List<?> membersOf(Map<String, Object> cluster) {
    Object list = cluster.get("members");
    return list instanceof List ? (List<?>) list : List.of();
  }

  /** The leader Patroni reports now (holding the leader key), or an exception when there is none. */
  public Member leader() {
    Member l = withRole(MiniJson.object(clusterJson()), "leader", false);
    if (l == null) {
      throw new IllegalStateException("no leader now: " + clusterJson());
    }
    return l;
  }

  /** The synchronous standby Patroni reports now, or null. */
  public Member syncStandby() {
    return withRole(MiniJson.object(clusterJson()), "sync_standby", false);
  }

  // ---- faults and control -------------------------------------------------------------------------

  /**
   * A switchover from the current leader to the synchronous standby (or, without synchronous mode,
   * the first other running node) through {@code POST /switchover}; returns the candidate once
   * Patroni reported success (the candidate is then the leader).
   */
  public Member switchover() {
    ensureOpen();
    Map<String, Object> cluster = MiniJson.object(clusterJson());
    Member leader = withRole(cluster, "leader", true);
    if (leader == null) {
      throw new IllegalStateException("no running leader to switch over from: " + cluster);
    }
    Member candidate = withRole(cluster, options.synchronousMode ? "sync_standby" : "replica", true);
    if (candidate == null) {
      throw new IllegalStateException("no candidate to switch over to: " + cluster);
    }
    String body = "{\"leader\": \"" + leader.name + "\", \"candidate\": \"" + candidate.name + "\"}";
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(leader.apiUrl() + "/switchover"))
          .timeout(options.timeout).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IllegalStateException("switchover " + leader.name + " -> " + candidate.name + " refused: "
            + r.statusCode() + " " + r.body());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("switchover " + leader.name + " -> " + candidate.name + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during the switchover", e);
    }
    return candidate;
  }

  /**
   * {@code kill -9} of the leader's postmaster (its backends exit by themselves); returns the
   * leader it was. With {@code primary_start_timeout} 0 Patroni then fails over to the
   * synchronous standby; otherwise it restarts the server in place.
   */
  public synchronized Member killLeaderPostgres() {
    ensureOpen();
    Member leader = leader();
    long pid = leader.postmasterPid();
    if (pid == 0) {
      throw new IllegalStateException("the postmaster of the leader " + leader + " does not run");
    }
    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    if (!PgTools.awaitDeath(pid, Duration.ofSeconds(10))) {
      throw new IllegalStateException("postmaster " + pid + " of " + leader + " survived SIGKILL for 10 s");
    }
    return leader;
  }

  /**
   * SIGTERM to the leader's Patroni, as when its machine shuts down: Patroni stops PostgreSQL
   * (fast) and gives up the leader key, so another node takes over at once. Returns once that
   * Patroni exited; {@link #restart} brings the node back.
   */
  public synchronized Member stopLeaderPatroni() {
    ensureOpen();
    Member leader = leader();
    long pid = leader.patroniPid();
    if (pid == 0) {
      throw new IllegalStateException("Patroni of the leader " + leader + " does not run");
    }
    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
    if (!PgTools.awaitDeath(pid, options.timeout)) {
      throw new IllegalStateException("Patroni " + pid + " of " + leader + " did not stop within " + options.timeout);
    }
    return leader;
  }

  /**
   * {@code kill -9} of the leader's Patroni and then of its postmaster, as when its machine dies:
   * nobody gives up the leader key, so another node takes over only when it expires (up to
   * {@code ttl}). Returns the leader it was; {@link #restart} brings the node back.
   */
  public synchronized Member crashLeader() {
    ensureOpen();
    Member leader = leader();
    long patroniPid = leader.patroniPid();
    long postmaster = leader.postmasterPid();
    for (long pid : new long[] {patroniPid, postmaster}) {
      if (pid != 0) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        if (!PgTools.awaitDeath(pid, Duration.ofSeconds(10))) {
          throw new IllegalStateException("process " + pid + " of " + leader + " survived SIGKILL for 10 s");
        }
      }
    }
    return leader;
  }

  /** Starts the Patroni of a node whose Patroni was stopped or killed; it rejoins as a replica. */
  public synchronized void restart(Member m) {
    ensureOpen();
    if (m.patroniPid() != 0) {
      throw new IllegalStateException("Patroni of " + m + " is running");
    }
    Process old = m.launcher;
    if (old != null) {
      try {
        old.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
    launch(m);
  }

  /**
   * Waits until a member other than {@code old} holds the leader key, reports itself running,
   * and its server answers that it is out of recovery; returns it.
   */
  public Member awaitNewLeader(Member old, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "";
    while (true) {
      try {
        Member l = withRole(MiniJson.object(clusterJson()), "leader", true);
        if (l != null && l != old && !inRecovery(l)) {
          return l;
        }
        last = l == null ? "no running leader" : l == old ? "still " + old.name : l.name + " still in recovery";
      } catch (SQLException | RuntimeException e) {
        last = e.getMessage();
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no new leader (other than " + old + ") within " + timeout + " (" + last + ")"
            + diagnostics());
      }
      PgTools.pause(10);
    }
  }

  /**
   * Waits until Patroni reports a running leader whose server takes writes and, with more than
   * one node, every other node streams from it and (in synchronous mode) one of them is its
   * synchronous standby.
   */
  public void awaitHealthy() {
    long deadline = System.nanoTime() + options.timeout.toNanos();
    String last = "";
    while (true) {
      try {
        Map<String, Object> cluster = MiniJson.object(clusterJson());
        Member l = withRole(cluster, "leader", true);
        if (l == null) {
          last = "no running leader";
        } else if (inRecovery(l)) {
          last = l.name + " in recovery";
        } else {
          // only the members' own walreceivers count (application_name = member name): a replica
          // still being cloned shows up here too, as pg_basebackup's WAL stream
          String names = members.stream().map(m -> "'" + m.name + "'").collect(Collectors.joining(", "));
          try (Connection c = l.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
              "SELECT count(*) FILTER (WHERE state = 'streaming'), count(*) FILTER (WHERE state = 'streaming' AND sync_state = 'sync')"
                  + " FROM pg_stat_replication WHERE application_name IN (" + names + ")")) {
            rs.next();
            int streaming = rs.getInt(1);
            int sync = rs.getInt(2);
            boolean syncOk = !options.synchronousMode || members.size() == 1
                || (sync >= 1 && withRole(cluster, "sync_standby", true) != null);
            if (streaming >= members.size() - 1 && syncOk) {
              return;
            }
            last = "leader " + l.name + ": " + streaming + " streaming, " + sync + " synchronous";
          }
        }
      } catch (SQLException | RuntimeException e) {
        last = e.getMessage();
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the Patroni cluster did not become healthy within " + options.timeout + " ("
            + last + ")" + diagnostics());
      }
      PgTools.pause(20);
    }
  }

  /**
   * Waits until every other running member has replayed the leader's WAL up to where it is now
   * (with asynchronous replication, what a failover right after this call cannot lose).
   */
  public void awaitReplicated() {
    Member l = leader();
    String lsn;
    try (Connection c = l.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_current_wal_lsn()")) {
      rs.next();
      lsn = rs.getString(1);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the WAL position of the leader " + l + ": " + e.getMessage(), e);
    }
    long deadline = System.nanoTime() + options.timeout.toNanos();
    for (Member m : members) {
      if (m == l || m.postmasterPid() == 0) {
        continue;
      }
      String last = "";
      while (true) {
        try (Connection c = m.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
            "SELECT pg_last_wal_replay_lsn() >= '" + lsn + "'::pg_lsn")) {
          rs.next();
          if (rs.getBoolean(1)) {
            break;
          }
          last = "replay behind " + lsn;
        } catch (SQLException e) {
          last = e.getMessage();
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(m + " did not replay the leader's WAL up to " + lsn + " within " + options.timeout
              + " (" + last + ")" + diagnostics());
        }
        PgTools.pause(10);
      }
    }
  }

  private static boolean inRecovery(Member m) throws SQLException {
    try (Connection c = m.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_is_in_recovery()")) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  private String diagnostics() {
    StringBuilder sb = new StringBuilder();
    try {
      sb.append("\n---- GET /cluster ----\n").append(clusterJson());
    } catch (RuntimeException e) {
      sb.append("\n---- GET /cluster failed: ").append(e.getMessage());
    }
    for (Member m : members) {
      sb.append("\n---- last lines of Patroni in ").append(m.logFile).append(" ----\n").append(m.patroniLogTail(25));
    }
    return sb.toString();
  }

  private HttpResponse<String> get(String url) throws IOException {
    try {
      return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while asking " + url, e);
    }
  }

  // ---- close ----------------------------------------------------------------------------------------

  /** Kills every Patroni, then PostgreSQL and etcd, removes leftovers and the directory. Idempotent. */
  @Override
  public void close() {
    shutdown(false);
  }

  private synchronized void shutdown(boolean fromHook) {
    if (closed) {
      return;
    }
    closed = true;
    RuntimeException failure = null;
    try {
      // Patroni first: a Patroni that outlived its server would start it again
      List<ProcessHandle> patronis = PgTools.processesIn(base).stream()
          .filter(p -> !PgTools.commandLine(p.pid()).startsWith("runuser") && PgTools.commandLine(p.pid()).contains("patroni"))
          .collect(Collectors.toList());
      patronis.forEach(ProcessHandle::destroyForcibly);
      for (ProcessHandle p : patronis) {
        PgTools.awaitDeath(p.pid(), Duration.ofSeconds(10));
      }
      PgTools.reap(base, Duration.ZERO);
      for (Member m : members) {
        if (m.launcher != null) {
          m.launcher.waitFor(5, TimeUnit.SECONDS);
        }
      }
      if (etcdProcess != null) {
        etcdProcess.waitFor(5, TimeUnit.SECONDS);
      }
      for (Member m : members) {
        PgTools.removeLeftoverSharedMemory(m.dataDirectory);
      }
    } catch (RuntimeException e) {
      failure = e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failure = new IllegalStateException("interrupted while stopping the cluster in " + base, e);
    }
    PgTools.finishClose(base, failure, shutdownHook, fromHook);
  }

  // ---- internals ------------------------------------------------------------------------------------

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("the cluster is closed");
    }
  }

  /** {@code $env} when set, else {@code name} on the PATH; null when not found or not executable. */
  private static Path program(String name, String env) {
    String set = System.getenv(env);
    if (set != null && !set.isBlank()) {
      Path p = Path.of(set);
      return Files.isExecutable(p) ? p.toAbsolutePath() : null;
    }
    String path = System.getenv("PATH");
    for (String dir : (path == null ? "/usr/local/bin:/usr/bin:/bin" : path).split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path p = Path.of(dir, name);
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return p.toAbsolutePath();
      }
    }
    return null;
  }

  /** A YAML single-quoted scalar. */
  private static String quote(String value) {
    return "'" + value.replace("'", "''") + "'";
  }
}
