package io.lsem.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The PostgreSQL server programs of one installation, and the operating-system chores around
 * them: running a program (as the {@code postgres} user when this JVM is root, since initdb and
 * postgres refuse to run as root), finding the processes of a data directory, deleting
 * directories. Package-private: {@link ReplicationCluster} is the public face.
 */
final class PgTools {
  /** Environment variable naming the directory of the server programs. */
  static final String ENV_BIN = "LSEM_PG_BIN";
  static final Path DEFAULT_BIN = Path.of("/usr/lib/postgresql/15/bin");
  private static final String OS_USER = "postgres";
  /** In a cluster's directory: the PID and start time of the JVM that made it. */
  static final String OWNER_FILE = "owner";
  private static final List<String> REQUIRED = List.of("initdb", "postgres", "pg_ctl", "pg_basebackup", "pg_rewind");

  private final Path bin;
  private final boolean root;

  private PgTools(Path bin, boolean root) {
    this.bin = bin;
    this.root = root;
  }

  /** The installation in {@code bin}, or (when null) in {@value #ENV_BIN} or the Debian default. */
  static PgTools locate(Path bin) {
    if (bin == null) {
      String env = System.getenv(ENV_BIN);
      bin = env == null || env.isBlank() ? DEFAULT_BIN : Path.of(env);
    }
    List<String> missing = new ArrayList<>();
    for (String program : REQUIRED) {
      if (!Files.isExecutable(bin.resolve(program))) {
        missing.add(program);
      }
    }
    if (!missing.isEmpty()) {
      throw new IllegalStateException("PostgreSQL server programs " + missing + " not found in " + bin
          + ": install the PostgreSQL 15 server (Debian: apt-get install postgresql-15) or set " + ENV_BIN
          + " to the directory holding initdb, postgres, pg_ctl, pg_basebackup and pg_rewind");
    }
    boolean root = currentUid() == 0;
    if (root) {
      try {
        lookup().lookupPrincipalByName(OS_USER);
      } catch (IOException e) {
        throw new IllegalStateException("running as root, and PostgreSQL refuses to run as root, but there is no '"
            + OS_USER + "' operating-system user to run it as (Debian's postgresql-15 package creates one)", e);
      }
    }
    return new PgTools(bin, root);
  }

  private static int currentUid() {
    try {
      return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return "root".equals(System.getProperty("user.name")) ? 0 : 1;
    }
  }

  private static UserPrincipalLookupService lookup() {
    return Path.of("/").getFileSystem().getUserPrincipalLookupService();
  }

  Path bin() {
    return bin;
  }

  /** Makes {@code dir} belong to the user the servers run as (a no-op unless root). */
  void handOver(Path dir) {
    if (!root) {
      return;
    }
    try {
      UserPrincipal user = lookup().lookupPrincipalByName(OS_USER);
      GroupPrincipal group = lookup().lookupPrincipalByGroupName(OS_USER);
      PosixFileAttributeView view = Files.getFileAttributeView(dir, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
      view.setOwner(user);
      view.setGroup(group);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot hand " + dir + " over to the '" + OS_USER + "' user", e);
    }
  }

  /** The result of one program run. */
  record Result(int exitCode, String output) {
    boolean ok() {
      return exitCode == 0;
    }
  }

  /**
   * Runs {@code program} (a server program's name, or an absolute path) with {@code args} in
   * {@code workDir}, as the server user; its output goes to a file, so a server it leaves
   * running cannot hold a pipe of ours. Kills it and fails after {@code timeout}.
   */
  Result run(Path workDir, Duration timeout, String program, String... args) {
    List<String> command = new ArrayList<>();
    if (root) {
      command.addAll(List.of("runuser", "-u", OS_USER, "--"));
    }
    command.add(program.startsWith("/") ? program : bin.resolve(program).toString());
    command.addAll(List.of(args));
    Path out = null;
    try {
      out = Files.createTempFile(workDir, "cmd-", ".out");
      ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
          .redirectOutput(out.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      Map<String, String> env = pb.environment();
      env.keySet().removeIf(k -> k.startsWith("PG")); // PGHOST, PGPORT, PGDATA... of the caller must not leak in
      env.put("LC_ALL", "C");
      Process p = pb.start();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
        throw new IllegalStateException(String.join(" ", command) + " did not finish within " + timeout
            + "; its output:\n" + Files.readString(out, StandardCharsets.UTF_8));
      }
      return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + String.join(" ", command), e);
    } finally {
      if (out != null) {
        try {
          Files.deleteIfExists(out);
        } catch (IOException ignored) {
          // a scratch file inside the cluster directory, deleted with it
        }
      }
    }
  }

  /** Like {@link #run} but fails, with the output, when the program does. */
  String runOrFail(Path workDir, Duration timeout, String program, String... args) {
    Result r = run(workDir, timeout, program, args);
    if (!r.ok()) {
      throw new IllegalStateException(program + " " + String.join(" ", args) + " failed (exit " + r.exitCode() + "):\n"
          + r.output().strip());
    }
    return r.output();
  }

  /**
   * Starts a long-running server program (a name in the installation, or an absolute path) in
   * {@code workDir} without waiting for it, its output
   * appended to {@code log}. The process returned is the program itself or, when root, the
   * {@code runuser} that waits for it: either way a child of this JVM, so the program is reaped
   * the moment it dies (an orphan would linger as a zombie until init reaps it).
   */
  Process launch(Path workDir, Path log, String program, String... args) {
    List<String> command = new ArrayList<>();
    if (root) {
      command.addAll(List.of("runuser", "-u", OS_USER, "--"));
    }
    command.add(program.startsWith("/") ? program : bin.resolve(program).toString());
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    pb.environment().keySet().removeIf(k -> k.startsWith("PG"));
    pb.environment().put("LC_ALL", "C");
    try {
      return pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + String.join(" ", command), e);
    }
  }

  // ---- ports and abandoned directories ----------------------------------------------------------

  private static final Path SHM = Path.of("/dev/shm");

  /**
   * Where a cluster's directory goes: {@code /dev/shm} when it is a writable directory with 1 GiB
   * free (a memory file system makes initdb and base backups twice as fast), otherwise
   * {@code java.io.tmpdir}.
   */
  static Path defaultParent() {
    try {
      if (Files.isDirectory(SHM) && Files.isWritable(SHM) && Files.getFileStore(SHM).getUsableSpace() >= (1L << 30)) {
        return SHM;
      }
    } catch (IOException ignored) {
      // fall back to the temporary directory
    }
    return Path.of(System.getProperty("java.io.tmpdir"));
  }

  /** The directories a new cluster sweeps for leftovers of dead JVMs: {@code /dev/shm}, the temporary directory and {@code extra}. */
  static void sweepAbandonedEverywhere(String prefix, Path extra) {
    sweepAbandoned(SHM, prefix);
    sweepAbandoned(Path.of(System.getProperty("java.io.tmpdir")), prefix);
    if (extra != null) {
      sweepAbandoned(extra, prefix);
    }
  }

  /**
   * The end of a cluster's close: deletes its directory {@code base}, unregisters its shutdown
   * {@code hook} (unless this is the hook running), and throws {@code failure} (with a failure to
   * delete added) or the failure to delete.
   */
  static void finishClose(Path base, RuntimeException failure, Thread hook, boolean fromHook) {
    try {
      deleteRecursively(base);
    } catch (RuntimeException e) {
      if (failure == null) {
        failure = e;
      } else {
        failure.addSuppressed(e);
      }
    }
    if (!fromHook) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException ignored) {
        // the JVM is already exiting
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /** A plain pgjdbc connection as {@code postgres} (timeouts in seconds). */
  static java.sql.Connection connect(String url, int connectTimeout, int socketTimeout) throws java.sql.SQLException {
    java.util.Properties p = new java.util.Properties();
    p.setProperty("user", OS_USER);
    p.setProperty("connectTimeout", Integer.toString(connectTimeout));
    p.setProperty("socketTimeout", Integer.toString(socketTimeout));
    p.setProperty("ApplicationName", "lsem-testkit");
    java.sql.Connection c = new org.postgresql.Driver().connect(url, p);
    if (c == null) {
      throw new java.sql.SQLException("pgjdbc did not accept " + url);
    }
    return c;
  }

  /** {@code count} distinct ports of 127.0.0.1 that were free a moment ago. */
  static int[] freePorts(int count) {
    List<java.net.ServerSocket> held = new ArrayList<>();
    try {
      int[] ports = new int[count];
      for (int i = 0; i < count; i++) {
        java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"));
        held.add(s);
        ports[i] = s.getLocalPort();
      }
      return ports;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot find free ports on 127.0.0.1", e);
    } finally {
      for (java.net.ServerSocket s : held) {
        try {
          s.close();
        } catch (IOException ignored) {
          // it was only probing
        }
      }
    }
  }

  /** Writes {@code dir/owner}: this JVM's PID and start time, which {@link #sweepAbandoned} checks. */
  static void writeOwner(Path dir) throws IOException {
    ProcessHandle self = ProcessHandle.current();
    Files.writeString(dir.resolve(OWNER_FILE),
        self.pid() + " " + self.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L) + "\n");
  }

  /**
   * Removes the directories {@code parent/prefix*} whose owner (see {@link #writeOwner}) no longer
   * runs, killing every process still working in them first. Best effort.
   */
  static void sweepAbandoned(Path parent, String prefix) {
    if (!Files.isDirectory(parent)) {
      return;
    }
    try (java.nio.file.DirectoryStream<Path> dirs = Files.newDirectoryStream(parent, prefix + "*")) {
      for (Path dir : dirs) {
        Path owner = dir.resolve(OWNER_FILE);
        if (!Files.isRegularFile(owner)) {
          continue; // being created right now, or not ours
        }
        String[] f = Files.readString(owner, StandardCharsets.UTF_8).trim().split("\\s+");
        if (f.length != 2) {
          continue;
        }
        long pid = Long.parseLong(f[0]);
        long startedMillis = Long.parseLong(f[1]);
        java.util.Optional<ProcessHandle> p = ProcessHandle.of(pid);
        boolean alive = p.isPresent() && p.get().isAlive()
            && p.get().info().startInstant().map(java.time.Instant::toEpochMilli).orElse(-1L) == startedMillis;
        if (alive) {
          continue;
        }
        Path real = dir.toRealPath();
        reap(real, Duration.ZERO);
        try (java.nio.file.DirectoryStream<Path> children = Files.newDirectoryStream(real)) {
          for (Path child : children) {
            if (Files.isDirectory(child)) {
              removeLeftoverSharedMemory(child);
            }
          }
        }
        deleteRecursively(real);
      }
    } catch (IOException | RuntimeException e) {
      // best effort: a leftover of an earlier run must not fail this one
    }
  }

  /** The command line of process {@code pid} (arguments joined by spaces), or "" when gone. */
  static String commandLine(long pid) {
    try {
      byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
      return new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').trim();
    } catch (IOException e) {
      return "";
    }
  }

  // ---- processes -------------------------------------------------------------------------------

  /**
   * Whether process {@code pid} exists and is not a zombie. {@link ProcessHandle#isAlive} counts
   * a zombie as alive, and a killed postmaster whose parent is init can stay one for a while.
   */
  static boolean isAlive(long pid) {
    if (pid <= 0) {
      return false;
    }
    Path stat = Path.of("/proc", Long.toString(pid), "stat");
    if (!Files.isDirectory(Path.of("/proc/self"))) {
      return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
    try {
      String s = Files.readString(stat, StandardCharsets.ISO_8859_1);
      int close = s.lastIndexOf(')');
      char state = close > 0 && close + 2 < s.length() ? s.charAt(close + 2) : '?';
      return state != 'Z' && state != 'X';
    } catch (IOException e) {
      return false;
    }
  }

  /** Waits until {@code pid} is dead (or a zombie); false if it still lives after {@code timeout}. */
  static boolean awaitDeath(long pid, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (isAlive(pid)) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      pause(1);
    }
    return true;
  }

  /**
   * Every process whose working directory lies inside {@code dir}: a postmaster and all of its
   * children chdir into their data directory, and the programs we run work in the cluster's
   * directory, so this finds them even after their parent died and they were re-parented.
   */
  static List<ProcessHandle> processesIn(Path dir) {
    String prefix = dir.toString();
    List<ProcessHandle> found = new ArrayList<>();
    ProcessHandle.allProcesses().forEach(p -> {
      try {
        String cwd = Files.readSymbolicLink(Path.of("/proc", Long.toString(p.pid()), "cwd")).toString();
        if (cwd.equals(prefix) || cwd.startsWith(prefix + "/") || cwd.startsWith(prefix + " ")) {
          found.add(p);
        }
      } catch (IOException | SecurityException | UnsupportedOperationException ignored) {
        // gone, or not ours to look at
      }
    });
    return found;
  }

  /**
   * Waits until no process works inside {@code dir}; kills the remaining ones with SIGKILL when
   * {@code grace} runs out (and then waits for them too). Returns whether any had to be killed.
   */
  static boolean reap(Path dir, Duration grace) {
    long deadline = System.nanoTime() + grace.toNanos();
    while (System.nanoTime() < deadline) {
      if (processesIn(dir).isEmpty()) {
        return false;
      }
      pause(5);
    }
    List<ProcessHandle> left = processesIn(dir);
    left.forEach(ProcessHandle::destroyForcibly);
    long hard = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!processesIn(dir).isEmpty()) {
      if (System.nanoTime() > hard) {
        throw new IllegalStateException("processes in " + dir + " survived SIGKILL: " + processesIn(dir));
      }
      pause(5);
    }
    return !left.isEmpty();
  }

  /**
   * Removes the System V shared memory segment a crashed postmaster left behind (its id is on
   * line 7 of {@code postmaster.pid}); PostgreSQL only cleans it up when a server starts again
   * on the same directory, which a deleted one never does. Best effort.
   */
  static void removeLeftoverSharedMemory(Path dataDirectory) {
    Path pidFile = dataDirectory.resolve("postmaster.pid");
    try {
      if (!Files.exists(pidFile)) {
        return;
      }
      List<String> lines = Files.readAllLines(pidFile);
      if (lines.size() < 7) {
        return;
      }
      String[] keyAndId = lines.get(6).trim().split("\\s+");
      if (keyAndId.length == 2 && keyAndId[1].matches("\\d+") && Files.isExecutable(Path.of("/usr/bin/ipcrm"))) {
        new ProcessBuilder("/usr/bin/ipcrm", "-m", keyAndId[1]).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (IOException | RuntimeException e) {
      // best effort: at worst a 56-byte segment stays until reboot
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static void deleteRecursively(Path dir) {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }

  /** {@code name} if it can be a server setting's name; else an {@link IllegalArgumentException}. */
  static String settingName(String name) {
    if (!name.matches("[A-Za-z_][A-Za-z0-9_.]*")) {
      throw new IllegalArgumentException("not a setting name: " + name);
    }
    return name;
  }

  /** The last {@code lines} lines of a text file, or a note saying why there are none. */
  static String tail(Path file, int lines) {
    try {
      if (!Files.exists(file)) {
        return "(no " + file + ")";
      }
      List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(cannot read " + file + ": " + e + ")";
    }
  }

  /** A poll interval while waiting on a server condition; not a synchronization in itself. */
  static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting", e);
    }
  }
}
