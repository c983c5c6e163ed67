package io.lsem.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
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
 * Real PostgreSQL servers with streaming replication, on 127.0.0.1, for failover tests: a
 * primary and N standbys made with {@code pg_basebackup -R}, synchronous or asynchronous, and the
 * controls a test needs to break them — {@code kill -9} of the primary postmaster,
 * {@code pg_ctl stop/start}, {@code pg_ctl promote}, pausing WAL replay on a standby, LSNs, and
 * bringing a deposed primary back as a standby with {@code pg_rewind}.
 *
 * <pre>{@code
 * try (ReplicationCluster cluster = ReplicationCluster.start(ReplicationCluster.Options.defaults())) {
 *   String url = cluster.multiHostUrl();          // jdbc:postgresql://127.0.0.1:p0,127.0.0.1:p1/postgres
 *   ReplicationCluster.Node standby = cluster.standbys().get(0);
 *   cluster.killPrimary();                        // SIGKILL of the postmaster
 *   Duration took = cluster.promote(standby);     // pg_ctl promote, until pg_is_in_recovery() is false
 *   cluster.rejoin(cluster.node("node0"));        // old primary: pg_rewind, then a standby of node1
 * }
 * }</pre>
 *
 * <p><b>Servers.</b> The PostgreSQL 15 server programs of the machine are used: those in the
 * directory named by the environment variable {@code LSEM_PG_BIN} when set, otherwise {@code /usr/lib/postgresql/15/bin} (Debian's
 * {@code postgresql-15}); a clear error says so when they are missing. initdb and postgres
 * refuse to run as root, so when this JVM is root they run as the {@code postgres} operating
 * system user ({@code runuser -u postgres --}), in a temporary directory handed to that user.
 * Nodes are named {@code node0} (the first primary), {@code node1}, ...; each listens on a free
 * port of 127.0.0.1 only (and a Unix socket in the cluster's directory), with trust
 * authentication from 127.0.0.1 for every role, replication included. Settings are tuned for
 * tests (fsync off, 16MB shared buffers, no JIT, a standby retries its primary every 50 ms and
 * reports every second); {@link Options#setting} adds or overrides any. Each postmaster is a
 * child of this JVM ({@code postgres -D}, through {@code runuser} when root), so its death is
 * seen at once. Linux only ({@code /proc} is read to tell the processes of a data directory).
 * The cluster's directory is made in {@code /dev/shm} when possible ({@link Options#parentDirectory}).
 *
 * <p><b>Replication.</b> With {@link Options#synchronous(int) k} synchronous standbys (default 1)
 * the primary runs {@code synchronous_standby_names = 'FIRST k (node1, ...)'} and
 * {@code synchronous_commit = on}: a commit returns once k standbys flushed it, so the first
 * standby ({@code node1}) has every acknowledged commit. With {@link Options#asynchronous()} no
 * commit waits. {@link #start} returns once every standby streams from the primary (and, when
 * synchronous, the primary counts k synchronous standbys), polling the servers with a deadline.
 * A node's own settings (port, {@code cluster_name}, {@code primary_conninfo},
 * {@code synchronous_standby_names}) live in {@code lsem-node.conf} in its data directory,
 * which the harness rewrites and reloads on promotion and rejoin.
 *
 * <p><b>Failover.</b> {@link #promote} first gives the standby the synchronous setting it will
 * need as a primary — the remaining standbys, or none (then it commits without waiting, as
 * Patroni's non-strict synchronous mode does, so a two-node cluster can take writes after a
 * failover) — then promotes it and points every other standby at it (they follow the new
 * timeline by themselves). Promoting while the old primary still runs makes two primaries: the
 * harness allows it, tests that want it can have it. A deposed primary keeps role
 * {@link Role#FORMER_PRIMARY}; {@link #start(Node)} would bring it back as a second primary, so
 * use {@link #rejoin} ({@code pg_rewind}) or {@link #reclone} (a fresh base backup) to make it a
 * standby of the current primary.
 *
 * <p><b>Cleanup.</b> {@link #close} stops every server (immediate mode), kills anything still
 * working in the cluster's directory, removes shared memory a crashed server left, and deletes
 * the directory. It is also a JVM shutdown hook, and each new cluster first removes what
 * clusters of dead JVMs left behind (a JVM killed with SIGKILL runs no hook). After a
 * {@code kill -9} of a postmaster its children are orphans of init: they exit by themselves and
 * may show as {@code <defunct>} until init reaps them, holding no port, memory or file.
 */
public final class ReplicationCluster implements AutoCloseable {
  private static final String DIR_PREFIX = "lsem-repl-";
  private static final String NODE_CONF = "lsem-node.conf";
  private static final String HOST = "127.0.0.1";
  private static final String USER = "postgres";
  private static final AtomicBoolean SWEPT = new AtomicBoolean();

  /** What a node is in the cluster, as the harness made it. */
  public enum Role {
    /** The one taking writes. */
    PRIMARY,
    /** Streaming (or meant to stream) from the primary. */
    STANDBY,
    /** A primary that was replaced by a promotion and not yet made a standby. */
    FORMER_PRIMARY
  }

  /** How to build a cluster: number of standbys, synchronous or not, extra settings, timeouts. */
  public static final class Options {
    private int standbys = 1;
    private int synchronous = 1;
    private Path binDirectory;
    private Path parentDirectory;
    private Duration timeout = Duration.ofSeconds(60);
    private final Map<String, String> settings = new LinkedHashMap<>();

    private Options() {}

    /** One standby, synchronous. */
    public static Options defaults() {
      return new Options();
    }

    /** Number of standbys (0 or more; default 1). */
    public Options standbys(int count) {
      if (count < 0) {
        throw new IllegalArgumentException("standbys: " + count);
      }
      this.standbys = count;
      return this;
    }

    /** One synchronous standby (the default). */
    public Options synchronous() {
      return synchronous(1);
    }

    /** {@code count} standbys must flush a commit before it returns (at most the number of standbys). */
    public Options synchronous(int count) {
      if (count < 0) {
        throw new IllegalArgumentException("synchronous: " + count);
      }
      this.synchronous = count;
      return this;
    }

    /** No commit waits for a standby. */
    public Options asynchronous() {
      return synchronous(0);
    }

    /** A server setting for every node, e.g. {@code setting("max_connections", "300")}. */
    public Options setting(String name, String value) {
      settings.put(PgTools.settingName(name), value);
      return this;
    }

    /** The directory of the server programs (default: {@code $LSEM_PG_BIN}, else Debian's PostgreSQL 15). */
    public Options binDirectory(Path dir) {
      this.binDirectory = dir;
      return this;
    }

    /**
     * Where the cluster's directory is made (default: {@code /dev/shm} when it is a writable
     * directory with 1 GiB free — a memory file system makes initdb and base backups twice as
     * fast — otherwise {@code java.io.tmpdir}).
     */
    public Options parentDirectory(Path dir) {
      this.parentDirectory = dir;
      return this;
    }

    /** The deadline of each wait: a server starting, a standby streaming, a promotion (default 60 s). */
    public Options timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    @Override
    public String toString() {
      return standbys + " standby(s), " + (synchronous == 0 ? "asynchronous" : synchronous + " synchronous")
          + (settings.isEmpty() ? "" : ", " + settings);
    }
  }

  /** One server of the cluster: its address, data directory, log and postmaster process. */
  public static final class Node {
    private final String name;
    private volatile int port;
    private final Path dataDirectory;
    private final Path logFile;
    private volatile long pid;
    private volatile Role role;
    /** The process this JVM started for the postmaster (runuser, or postgres itself): a child, so reaped at once. */
    private Process launcher;

    private Node(String name, int port, Path dataDirectory, Path logFile, Role role) {
      this.name = name;
      this.port = port;
      this.dataDirectory = dataDirectory;
      this.logFile = logFile;
      this.role = role;
    }

    /** {@code node0}, {@code node1}, ...: also its {@code cluster_name} and replication application name. */
    public String name() {
      return name;
    }

    /** Always {@code 127.0.0.1}. */
    public String host() {
      return HOST;
    }

    public int port() {
      return port;
    }

    /** {@code jdbc:postgresql://127.0.0.1:port/postgres}. */
    public String url() {
      return url("postgres");
    }

    /** {@code jdbc:postgresql://127.0.0.1:port/database}. */
    public String url(String database) {
      return "jdbc:postgresql://" + HOST + ":" + port + "/" + database;
    }

    public Path dataDirectory() {
      return dataDirectory;
    }

    /** The server's log (stderr of the postmaster, appended across restarts). */
    public Path logFile() {
      return logFile;
    }

    /** The last {@code lines} lines of the server log. */
    public String logTail(int lines) {
      return PgTools.tail(logFile, lines);
    }

    /** PID of the postmaster, or 0 when the harness has not started it or saw it stop or die. */
    public long pid() {
      return pid;
    }

    /** Whether the postmaster process is alive. */
    public boolean isRunning() {
      return PgTools.isAlive(pid);
    }

    public Role role() {
      return role;
    }

    /** A plain pgjdbc connection as {@code postgres} to database {@code postgres}. */
    public Connection connect() throws SQLException {
      return connect("postgres");
    }

    /** A plain pgjdbc connection as {@code postgres} to {@code database}. */
    public Connection connect(String database) throws SQLException {
      return PgTools.connect(url(database), 5, 120);
    }

    @Override
    public String toString() {
      return name + "(" + role.name().toLowerCase() + ", " + HOST + ":" + port + ")";
    }
  }

  private final Options options;
  private final PgTools tools;
  private final Path base;
  private final List<Node> nodes = new ArrayList<>();
  private final Thread shutdownHook;
  private volatile Node primary;
  private volatile boolean closed;
  private Duration startDuration = Duration.ZERO;
  private boolean booting = true;

  private ReplicationCluster(Options options, PgTools tools) {
    this.options = options;
    this.tools = tools;
    try {
      Path parent = options.parentDirectory != null ? options.parentDirectory : PgTools.defaultParent();
      this.base = Files.createTempDirectory(parent, DIR_PREFIX + ProcessHandle.current().pid() + "-").toRealPath();
      PgTools.writeOwner(base);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a directory for the cluster", e);
    }
    tools.handOver(base);
    this.shutdownHook = new Thread(() -> shutdown(true), "lsem-replication-cluster-stop");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /** A primary and one synchronous standby. */
  public static ReplicationCluster start() {
    return start(Options.defaults());
  }

  /**
   * Creates and starts the cluster: initdb of the primary, a base backup per standby, and returns
   * once every standby streams. On failure everything started so far is stopped and deleted.
   */
  public static ReplicationCluster start(Options options) {
    if (options.synchronous > options.standbys) {
      throw new IllegalArgumentException("cannot have " + options.synchronous + " synchronous standbys out of "
          + options.standbys + " (use asynchronous() for none)");
    }
    PgTools tools = PgTools.locate(options.binDirectory);
    if (SWEPT.compareAndSet(false, true)) {
      PgTools.sweepAbandonedEverywhere(DIR_PREFIX, options.parentDirectory);
    }
    ReplicationCluster cluster = new ReplicationCluster(options, tools);
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
    int[] ports = freePorts(options.standbys + 1);
    Node first = new Node("node0", ports[0], base.resolve("node0"), base.resolve("node0.log"), Role.PRIMARY);
    nodes.add(first);
    primary = first;
    tools.runOrFail(base, options.timeout, "initdb", "-D", first.dataDirectory.toString(), "-U", USER, "-A", "trust",
        "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions");
    writeBaseConfiguration(first.dataDirectory);
    for (int i = 1; i <= options.standbys; i++) {
      nodes.add(new Node("node" + i, ports[i], base.resolve("node" + i), base.resolve("node" + i + ".log"), Role.STANDBY));
    }
    writeNodeConfiguration(first);
    startFresh(first);
    for (Node standby : standbys()) {
      baseBackup(standby);
      startFresh(standby);
    }
    for (Node standby : standbys()) {
      awaitStreaming(standby);
    }
    booting = false;
    awaitSynchronous();
    // once the synchronous standbys are streaming (the install's commit waits for them)
    try (Connection c = first.connect()) {
      LedgerScript.installInto(c); // as an operator would: the driver never installs it unasked
    } catch (SQLException e) {
      throw new IllegalStateException("cannot install the commit ledger on " + first, e);
    }
    startDuration = Duration.ofNanos(System.nanoTime() - t0);
  }

  // ---- accessors --------------------------------------------------------------------------------

  /** How long {@link #start} took, from initdb to the last standby streaming. */
  public Duration startDuration() {
    return startDuration;
  }

  /** The current primary (after {@link #promote}, the promoted node). */
  public Node primary() {
    return primary;
  }

  /** Nodes whose role is {@link Role#STANDBY}, in creation order. */
  public List<Node> standbys() {
    return nodes.stream().filter(n -> n.role == Role.STANDBY).collect(Collectors.toUnmodifiableList());
  }

  /** Every node, in creation order ({@code node0} first). */
  public List<Node> nodes() {
    return List.copyOf(nodes);
  }

  /** The node called {@code name} ({@code node0}, {@code node1}, ...). */
  public Node node(String name) {
    return nodes.stream().filter(n -> n.name.equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no node " + name + " in " + nodes));
  }

  /** {@code jdbc:postgresql://127.0.0.1:p0,127.0.0.1:p1,.../postgres}: every node, in creation order. */
  public String multiHostUrl() {
    return multiHostUrl("", "postgres");
  }

  /** {@code jdbc:<prefix>postgresql://127.0.0.1:p0,.../<database>}, e.g. prefix {@code "lsem:"}. */
  public String multiHostUrl(String prefix, String database) {
    return "jdbc:" + prefix + "postgresql://"
        + nodes.stream().map(n -> HOST + ":" + n.port).collect(Collectors.joining(",")) + "/" + database;
  }

  /** The directory holding every node's data directory and log. */
  public Path directory() {
    return base;
  }

  /** The options the cluster was started with. */
  public Options options() {
    return options;
  }

  // ---- faults and control -------------------------------------------------------------------------

  /** {@code kill -9} of the current primary's postmaster; returns that node. See {@link #kill}. */
  public Node killPrimary() {
    Node p = primary;
    kill(p);
    return p;
  }

  /**
   * {@code kill -9} of {@code node}'s postmaster, and waits until it is gone. Its backends and
   * auxiliary processes are not signalled: as after a real postmaster crash they notice and exit
   * by themselves (a backend waiting for a synchronous standby, say, ends its connection).
   */
  public synchronized void kill(Node node) {
    long pid = requireRunning(node, "kill");
    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    if (!PgTools.awaitDeath(pid, Duration.ofSeconds(10))) {
      throw new IllegalStateException("postmaster " + pid + " of " + node + " survived SIGKILL for 10 s");
    }
    node.pid = 0;
  }

  /** SIGKILL of every process of {@code node} at once (postmaster and children), like a power cut. */
  public synchronized void crash(Node node) {
    requireRunning(node, "crash");
    PgTools.reap(node.dataDirectory, Duration.ZERO);
    node.pid = 0;
  }

  /** {@code pg_ctl stop -m fast}: clients are disconnected, the server shuts down cleanly. */
  public synchronized void stop(Node node) {
    long pid = requireRunning(node, "stop");
    tools.runOrFail(base, options.timeout, "pg_ctl", "-D", node.dataDirectory.toString(), "-m", "fast", "-W", "stop");
    if (!PgTools.awaitDeath(pid, options.timeout)) {
      throw new IllegalStateException(node + " did not stop within " + options.timeout + "; log:\n" + node.logTail(40));
    }
    PgTools.reap(node.dataDirectory, Duration.ofSeconds(10));
    node.pid = 0;
  }

  /**
   * Starts a stopped, killed or crashed node with its current configuration (waiting first for
   * the processes a crash left to exit). A standby resumes streaming on its own; a
   * {@link Role#FORMER_PRIMARY} comes back as a primary.
   */
  public synchronized void start(Node node) {
    ensureOpen();
    if (node.isRunning()) {
      throw new IllegalStateException(node + " is already running (postmaster " + node.pid + ")");
    }
    startServer(node);
  }

  /**
   * Promotes {@code standby}: gives it the synchronous setting it needs as a primary, runs
   * {@code pg_ctl promote}, waits until {@code pg_is_in_recovery()} is false, then points the
   * other standbys at it. Returns the time from {@code pg_ctl promote} until the server answered
   * that it is out of recovery (it takes writes from then on). A standby whose replay is paused
   * is promoted too (the pause ends), but PostgreSQL 15 notices the promotion only when its pause
   * loop wakes, once a second: resume replay first when the timing matters.
   */
  public synchronized Duration promote(Node standby) {
    ensureOpen();
    if (standby.role != Role.STANDBY) {
      throw new IllegalArgumentException("only a standby can be promoted, not " + standby);
    }
    requireRunning(standby, "promote");
    Node old = primary;
    standby.role = Role.PRIMARY; // from here on the others count as its followers
    old.role = Role.FORMER_PRIMARY;
    primary = standby;
    Duration took;
    try (Connection c = standby.connect(); Statement s = c.createStatement()) {
      writeNodeConfiguration(standby);
      s.execute("SELECT pg_reload_conf()");
      long t0 = System.nanoTime();
      tools.runOrFail(base, options.timeout, "pg_ctl", "-D", standby.dataDirectory.toString(), "-W", "promote");
      long deadline = t0 + options.timeout.toNanos();
      while (true) {
        try (ResultSet rs = s.executeQuery("SELECT pg_is_in_recovery()")) {
          rs.next();
          if (!rs.getBoolean(1)) {
            break;
          }
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(standby + " still in recovery " + options.timeout + " after pg_ctl promote; log:\n"
              + standby.logTail(40));
        }
        PgTools.pause(2);
      }
      took = Duration.ofNanos(System.nanoTime() - t0);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot promote " + standby + ": " + e.getMessage() + "; log:\n"
          + standby.logTail(40), e);
    }
    for (Node follower : standbys()) {
      writeNodeConfiguration(follower);
      if (follower.isRunning()) {
        reload(follower);
      }
    }
    return took;
  }

  /**
   * Makes a {@link Role#FORMER_PRIMARY} (killed, crashed, stopped or still running) a standby of
   * the current primary with {@code pg_rewind}, which first finishes the crash recovery of a
   * killed server, then copies back only what diverged. Starts it and waits until it streams
   * (and counts as synchronous where it should). Returns the time the whole rejoin took.
   */
  public synchronized Duration rejoin(Node former) {
    return makeStandby(former, true);
  }

  /** Like {@link #rejoin} but replaces {@code node}'s data with a fresh base backup of the primary. */
  public synchronized Duration reclone(Node node) {
    return makeStandby(node, false);
  }

  private Duration makeStandby(Node node, boolean rewind) {
    ensureOpen();
    if (node == primary) {
      throw new IllegalArgumentException(node + " is the current primary");
    }
    long t0 = System.nanoTime();
    if (node.isRunning()) {
      stop(node);
    }
    PgTools.reap(node.dataDirectory, Duration.ofSeconds(10));
    node.pid = 0;
    if (rewind) {
      // a promoted server records its new timeline in pg_control only at its next checkpoint;
      // before that pg_rewind would see one timeline and answer "no rewind required"
      execute(primary, "CHECKPOINT");
      PgTools.Result r = tools.run(base, options.timeout, "pg_rewind", "-D", node.dataDirectory.toString(),
          "--source-server=host=" + HOST + " port=" + primary.port + " user=" + USER + " dbname=postgres", "--no-sync");
      if (!r.ok()) {
        throw new IllegalStateException("pg_rewind of " + node + " from " + primary + " failed (exit " + r.exitCode()
            + "); reclone(node) makes it a standby from a fresh base backup instead:\n" + r.output().strip());
      }
      PgTools.removeLeftoverSharedMemory(node.dataDirectory);
      node.role = Role.STANDBY;
      stripPrimaryConninfo(node.dataDirectory); // pg_rewind copied the primary's configuration files
      writeNodeConfiguration(node);
      try {
        Files.deleteIfExists(node.dataDirectory.resolve("recovery.signal"));
        Path signal = node.dataDirectory.resolve("standby.signal");
        if (!Files.exists(signal)) {
          Files.createFile(signal);
          tools.handOver(signal);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot mark " + node + " as a standby", e);
      }
    } else {
      PgTools.removeLeftoverSharedMemory(node.dataDirectory);
      PgTools.deleteRecursively(node.dataDirectory);
      node.role = Role.STANDBY;
      baseBackup(node);
    }
    startServer(node);
    writeNodeConfiguration(primary);
    reload(primary);
    awaitStreaming(node);
    awaitSynchronous();
    return Duration.ofNanos(System.nanoTime() - t0);
  }

  /** {@code pg_wal_replay_pause()} on {@code standby}; returns once replay is actually paused. */
  public void pauseReplay(Node standby) {
    execute(standby, "SELECT pg_wal_replay_pause()");
    await(standby, "replay paused", () -> "paused".equals(queryString(standby, "SELECT pg_get_wal_replay_pause_state()")));
  }

  /** {@code pg_wal_replay_resume()} on {@code standby}. */
  public void resumeReplay(Node standby) {
    execute(standby, "SELECT pg_wal_replay_resume()");
  }

  /** {@code pg_last_wal_replay_lsn()} of {@code standby}: how far it has applied the WAL. */
  public Lsn replayLsn(Node standby) {
    return standbyLsn(standby, "pg_last_wal_replay_lsn()");
  }

  /** {@code pg_last_wal_receive_lsn()} of {@code standby}: how far it has received (and flushed) the WAL. */
  public Lsn receiveLsn(Node standby) {
    return standbyLsn(standby, "pg_last_wal_receive_lsn()");
  }

  /** {@code pg_current_wal_lsn()} of the current primary: the WAL it has written. */
  public Lsn primaryLsn() {
    return Lsn.parse(queryString(primary, "SELECT pg_current_wal_lsn()"));
  }

  /** Waits until {@code standby} has replayed the primary's WAL up to its current position. */
  public void awaitReplay(Node standby) {
    awaitReplay(standby, primaryLsn());
  }

  /** Waits until {@code standby}'s replay position reaches {@code lsn}. */
  public void awaitReplay(Node standby, Lsn lsn) {
    await(standby, "replay reaching " + lsn, () -> replayLsn(standby).reached(lsn));
  }

  /** Waits until {@code standby}'s WAL receiver streams from the current primary. */
  public void awaitStreaming(Node standby) {
    int port = primary.port;
    await(standby, "streaming from " + primary, () -> {
      try (Connection c = standby.connect(); Statement s = c.createStatement();
           ResultSet rs = s.executeQuery("SELECT status, sender_port FROM pg_stat_wal_receiver")) {
        return rs.next() && "streaming".equals(rs.getString(1)) && rs.getInt(2) == port;
      }
    });
  }

  // ---- close ----------------------------------------------------------------------------------------

  /**
   * Stops every server (immediate mode), kills whatever still works in the cluster's directory,
   * removes leftover shared memory and deletes the directory. Idempotent.
   */
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
      List<Node> running = new ArrayList<>();
      for (Node node : nodes) {
        if (node.isRunning()) {
          tools.run(base, Duration.ofSeconds(15), "pg_ctl", "-D", node.dataDirectory.toString(), "-m", "immediate", "-W", "stop");
          running.add(node);
        }
      }
      for (Node node : running) {
        PgTools.awaitDeath(node.pid, Duration.ofSeconds(10));
      }
      PgTools.reap(base, Duration.ofSeconds(2));
      for (Node node : nodes) {
        if (node.launcher != null) {
          node.launcher.waitFor(5, TimeUnit.SECONDS);
        }
      }
      for (Node node : nodes) {
        node.pid = 0;
        PgTools.removeLeftoverSharedMemory(node.dataDirectory);
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

  private long requireRunning(Node node, String what) {
    ensureOpen();
    long pid = node.pid;
    if (pid <= 0 || !node.isRunning()) {
      throw new IllegalStateException("cannot " + what + " " + node + ": it is not running");
    }
    return pid;
  }

  private static int[] freePorts(int count) {
    return PgTools.freePorts(count);
  }

  private void writeBaseConfiguration(Path data) {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("listen_addresses", HOST);
    s.put("unix_socket_directories", base.toString());
    s.put("max_connections", "200");
    s.put("shared_buffers", "16MB");
    s.put("dynamic_shared_memory_type", "mmap"); // segments live in the data directory, deleted with it
    s.put("fsync", "off");
    s.put("full_page_writes", "on"); // pg_rewind needs them
    s.put("wal_log_hints", "on"); // pg_rewind needs them
    s.put("synchronous_commit", "on");
    s.put("wal_level", "replica");
    s.put("max_wal_senders", "10");
    s.put("max_replication_slots", "10");
    s.put("wal_keep_size", "128MB");
    s.put("hot_standby", "on");
    s.put("hot_standby_feedback", "on");
    s.put("wal_receiver_status_interval", "1s");
    s.put("wal_retrieve_retry_interval", "50ms");
    s.put("wal_receiver_timeout", "10s");
    s.put("wal_sender_timeout", "10s");
    s.put("max_prepared_transactions", "20");
    s.put("jit", "off");
    s.put("logging_collector", "off");
    s.put("log_line_prefix", "%m [%p] %q%a ");
    s.putAll(options.settings);
    StringBuilder conf = new StringBuilder("\n# ---- io.lsem.testkit.ReplicationCluster ----\n");
    s.forEach((k, v) -> conf.append(k).append(" = ").append(quote(v)).append('\n'));
    conf.append("include_if_exists = '").append(NODE_CONF).append("'\n");
    String hba = "# io.lsem.testkit.ReplicationCluster: trust, loopback only\n"
        + "local all all trust\n"
        + "local replication all trust\n"
        + "host all all 127.0.0.1/32 trust\n"
        + "host replication all 127.0.0.1/32 trust\n";
    try {
      Files.writeString(data.resolve("postgresql.conf"), conf.toString(), StandardCharsets.UTF_8,
          java.nio.file.StandardOpenOption.APPEND);
      Files.writeString(data.resolve("pg_hba.conf"), hba, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot configure " + data, e);
    }
  }

  /** Writes the node's own settings; returns its synchronous_standby_names (for a primary). */
  private String writeNodeConfiguration(Node node) {
    String sync = node.role == Role.PRIMARY ? synchronousNames() : "";
    String conninfo = node.role == Role.STANDBY
        ? "host=" + HOST + " port=" + primary.port + " user=" + USER + " application_name=" + node.name : "";
    String conf = "# written by io.lsem.testkit.ReplicationCluster for " + node.name + " (" + node.role + ")\n"
        + "port = " + node.port + "\n"
        + "cluster_name = " + quote(node.name) + "\n"
        + "primary_conninfo = " + quote(conninfo) + "\n"
        + "synchronous_standby_names = " + quote(sync) + "\n";
    Path file = node.dataDirectory.resolve(NODE_CONF);
    try {
      Files.writeString(file, conf, StandardCharsets.UTF_8);
      tools.handOver(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
    return sync;
  }

  /**
   * {@code FIRST k (standbys...)} for the current primary, k being the option capped by the
   * standbys now running (none running: empty, so the primary keeps taking writes). While the
   * cluster boots, every standby counts: they are about to start, and the primary must wait for
   * them from its first commit on.
   */
  private String synchronousNames() {
    if (options.synchronous == 0) {
      return "";
    }
    List<Node> followers = standbys();
    long running = booting ? followers.size() : followers.stream().filter(Node::isRunning).count();
    int k = (int) Math.min(options.synchronous, running);
    if (k == 0) {
      return "";
    }
    return "FIRST " + k + " (" + followers.stream().map(n -> n.name).collect(Collectors.joining(", ")) + ")";
  }

  private void awaitSynchronous() {
    String names = synchronousNames();
    if (names.isEmpty()) {
      return;
    }
    int k = Integer.parseInt(names.split(" ")[1]);
    Node p = primary;
    await(p, k + " synchronous standby(s)", () -> {
      try (Connection c = p.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
          "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming' AND sync_state IN ('sync', 'quorum')")) {
        rs.next();
        return rs.getInt(1) >= k;
      }
    });
  }

  private void baseBackup(Node standby) {
    tools.runOrFail(base, options.timeout, "pg_basebackup", "-h", HOST, "-p", Integer.toString(primary.port), "-U", USER,
        "-D", standby.dataDirectory.toString(), "-R", "-c", "fast", "-X", "stream", "--no-sync", "--no-manifest");
    stripPrimaryConninfo(standby.dataDirectory); // lsem-node.conf holds it, so promote/rejoin can rewrite it
    writeNodeConfiguration(standby);
  }

  /** Removes primary_conninfo from postgresql.auto.conf (it would override lsem-node.conf). */
  private void stripPrimaryConninfo(Path data) {
    Path auto = data.resolve("postgresql.auto.conf");
    try {
      if (Files.exists(auto)) {
        List<String> kept = Files.readAllLines(auto, StandardCharsets.UTF_8).stream()
            .filter(l -> !l.trim().startsWith("primary_conninfo")).collect(Collectors.toList());
        Files.write(auto, kept, StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot rewrite " + auto, e);
    }
  }

  /** First start of a node: on a port clash (the free port was taken meanwhile), another port. */
  private void startFresh(Node node) {
    for (int attempt = 1; ; attempt++) {
      try {
        startServer(node);
        return;
      } catch (IllegalStateException e) {
        String log = node.logTail(20);
        if (attempt < 3 && (log.contains("could not bind") || log.contains("Address already in use"))) {
          node.port = freePorts(1)[0];
          writeNodeConfiguration(node);
          continue;
        }
        throw e;
      }
    }
  }

  private void startServer(Node node) {
    Path data = node.dataDirectory;
    PgTools.reap(data, Duration.ofSeconds(10)); // what a kill -9 left must be gone first
    Path pidFile = data.resolve("postmaster.pid");
    if (Files.exists(pidFile)) {
      // left by a crash, and nothing runs in the directory any more: drop it, with its shared
      // memory, rather than let postgres guess whether a reused PID is still its old self
      PgTools.removeLeftoverSharedMemory(data);
      try {
        Files.delete(pidFile);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot remove the stale " + pidFile, e);
      }
    }
    Process launcher = tools.launch(data, node.logFile, "postgres", "-D", data.toString());
    node.launcher = launcher;
    long deadline = System.nanoTime() + options.timeout.toNanos();
    while (true) {
      List<String> lines = List.of();
      try {
        if (Files.exists(pidFile)) {
          lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
        }
      } catch (IOException e) {
        // being written: read again
      }
      if (lines.size() >= 8 && lines.get(0).trim().matches("\\d+")) {
        String status = lines.get(7).trim();
        long pid = Long.parseLong(lines.get(0).trim());
        if ((status.equals("ready") || status.equals("standby")) && PgTools.isAlive(pid)) {
          node.pid = pid;
          return;
        }
      }
      if (!launcher.isAlive() || System.nanoTime() > deadline) {
        boolean exited = !launcher.isAlive();
        if (!exited) {
          launcher.descendants().forEach(ProcessHandle::destroyForcibly);
          launcher.destroyForcibly();
        }
        PgTools.reap(data, Duration.ofSeconds(5));
        throw new IllegalStateException("cannot start " + node + ": "
            + (exited ? "postgres exited with " + launcher.exitValue() : "not ready within " + options.timeout)
            + "\n---- last lines of " + node.logFile + " ----\n" + node.logTail(40));
      }
      PgTools.pause(2);
    }
  }

  private void reload(Node node) {
    execute(node, "SELECT pg_reload_conf()");
  }

  private Lsn standbyLsn(Node standby, String function) {
    String v = queryString(standby, "SELECT " + function);
    if (v == null) {
      throw new IllegalStateException(standby + " is not in recovery: " + function + " is NULL");
    }
    return Lsn.parse(v);
  }

  private static void execute(Node node, String sql) {
    try (Connection c = node.connect(); Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + " on " + node + " failed: " + e.getMessage(), e);
    }
  }

  private static String queryString(Node node, String sql) {
    try (Connection c = node.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + " on " + node + " failed: " + e.getMessage(), e);
    }
  }

  /** A check against a server, which may fail while the server is not ready. */
  private interface Check {
    boolean test() throws SQLException;
  }

  /** Polls {@code check} until it holds; after the timeout fails with the last error and the node's log. */
  private void await(Node node, String what, Check check) {
    long deadline = System.nanoTime() + options.timeout.toNanos();
    Exception last = null;
    while (true) {
      try {
        if (check.test()) {
          return;
        }
        last = null;
      } catch (SQLException | IllegalStateException e) {
        last = e;
      }
      if (System.nanoTime() > deadline) {
        IllegalStateException failure = new IllegalStateException(node + ": no " + what + " within " + options.timeout
            + (last == null ? "" : " (last error: " + last.getMessage() + ")") + "\n---- last lines of " + node.logFile
            + " ----\n" + node.logTail(40));
        if (last != null) {
          failure.addSuppressed(last);
        }
        throw failure;
      }
      PgTools.pause(5);
    }
  }

  private static String quote(String value) {
    return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'";
  }
}
