package io.lsem.bench;

import java.util.Locale;

/**
 * The parameters of a {@link TpcbWorkload} run, from the command line:
 * {@code --threads N} (default 8) client threads, one connection each;
 * {@code --seconds N} (default 10) measured seconds per driver per round;
 * {@code --rounds N} (default 3) measured rounds, each running both drivers;
 * {@code --warmup N} (default 10) seconds per driver of unmeasured warm-up first;
 * {@code --scale N} (default: the number of threads, at least 1) the pgbench scale factor:
 * N branches, 10 N tellers, 100 000 N accounts;
 * {@code --keep} keeps the database instead of dropping it at the end;
 * {@code --compare FEATURE} compares the LSEM driver with one feature on against the same driver
 * with it off, instead of the LSEM driver against plain pgjdbc: {@code timestamps}
 * ({@code timestamps=on} vs {@code timestamps=off}), {@code retry} ({@code retry=true} vs
 * {@code retry=false}), {@code jfr} (the same driver inside a flight recording that records the
 * {@code io.lsem.jdbc.Transaction} event, which turns on the breakdown by layer, vs without) or
 * {@code NAME=ON/OFF} for any driver property (OFF may be empty);
 * {@code --with PROPS} adds driver properties ({@code a=1,b=2}) to both LSEM sides;
 * {@code --offered F} (e.g. 0.7) adds a round at a fixed offered load of F × the baseline's measured
 * throughput, both sides, and reports their p50 and p99 latency; {@code --etcd} starts a 3-member etcd
 * cluster on 127.0.0.1 and gives both LSEM sides {@code timestampOracle=etcd} on it; {@code --agent}
 * (in a JVM started with {@code -javaagent:lsem-jdbc-agent.jar}) measures the plain
 * {@code jdbc:postgresql:} URL routed by the agent against the swapped URL as the baseline.
 */
public record TpcbOptions(int threads, int seconds, int rounds, int warmupSeconds, int scale, boolean keep,
    Comparison compare, String with, double offered, boolean etcd, boolean agent) {

  /**
   * One driver property with its value on the measured side and on the baseline side, e.g.
   * {@code timestamps}: {@code on} / {@code off}. {@code null} in {@link TpcbOptions#compare()}
   * means the classic comparison, LSEM driver against plain pgjdbc.
   */
  public record Comparison(String property, String on, String off) {
    static Comparison parse(String spec) {
      switch (spec) {
        case "timestamps": return new Comparison("timestamps", "on", "off");
        case "retry": return new Comparison("retry", "true", "false");
        case "jfr": return new Comparison("jfr", "", "");
        default:
          int eq = spec.indexOf('=');
          int slash = spec.indexOf('/', eq + 1);
          if (eq <= 0 || slash < 0 || slash == eq + 1) { // the off value may be empty (a property's default)
            throw new IllegalArgumentException("--compare takes timestamps, retry, jfr or NAME=ON/OFF, not '" + spec + "'");
          }
          return new Comparison(spec.substring(0, eq), spec.substring(eq + 1, slash), spec.substring(slash + 1));
      }
    }

    /** {@code property=on}; empty for {@code jfr}, which is not a property. */
    String onProperty() {
      return isJfr() ? "" : property + "=" + on;
    }

    /** {@code property=off}; empty for {@code jfr}. */
    String offProperty() {
      return isJfr() ? "" : property + "=" + off;
    }

    /** The same driver, measured inside a flight recording with the transaction event on vs without. */
    boolean isJfr() {
      return property.equals("jfr");
    }
  }

  /** Accounts per unit of scale, as in pgbench. */
  public static final int ACCOUNTS_PER_BRANCH = 100_000;
  /** Tellers per unit of scale, as in pgbench. */
  public static final int TELLERS_PER_BRANCH = 10;

  /** The options in {@code args}; throws {@link IllegalArgumentException} naming a bad one. */
  public static TpcbOptions parse(String[] args) {
    int threads = 8;
    int seconds = 10;
    int rounds = 3;
    int warmup = 10;
    int scale = 0;
    boolean keep = false;
    boolean etcd = false;
    boolean agent = false;
    Comparison compare = null;
    double offered = 0;
    String with = "";
    for (int i = 0; i < args.length; i++) {
      String name = args[i].toLowerCase(Locale.ROOT);
      switch (name) {
        case "--threads": threads = positive(name, args, ++i); break;
        case "--seconds": seconds = positive(name, args, ++i); break;
        case "--rounds": rounds = positive(name, args, ++i); break;
        case "--warmup": warmup = nonNegative(name, args, ++i); break;
        case "--scale": scale = positive(name, args, ++i); break;
        case "--keep": keep = true; break;
        case "--etcd": etcd = true; break;
        case "--agent": agent = true; break;
        case "--compare": compare = Comparison.parse(text(name, args, ++i)); break;
        case "--with": with = text(name, args, ++i); break;
        case "--offered":
          offered = Double.parseDouble(text(name, args, ++i));
          if (!(offered > 0 && offered <= 1)) {
            throw new IllegalArgumentException("--offered takes a fraction of the baseline's throughput in (0, 1], e.g. 0.7");
          }
          break;
        default:
          throw new IllegalArgumentException("unknown option '" + args[i] + "'; expected " + usage());
      }
    }
    return new TpcbOptions(threads, seconds, rounds, warmup, scale == 0 ? threads : scale, keep, compare, with, offered, etcd, agent);
  }

  /** One line describing every option. */
  public static String usage() {
    return "[--threads N=8] [--seconds N=10] [--rounds N=3] [--warmup N=10] [--scale N=threads] [--keep]"
        + " [--compare timestamps|retry|NAME=ON/OFF] [--with NAME=V,...] [--offered F] [--etcd] [--agent]";
  }

  public int branches() {
    return scale;
  }

  public int tellers() {
    return scale * TELLERS_PER_BRANCH;
  }

  public int accounts() {
    return scale * ACCOUNTS_PER_BRANCH;
  }

  private static String text(String name, String[] args, int i) {
    if (i >= args.length || args[i].isBlank()) {
      throw new IllegalArgumentException(name + " needs a value");
    }
    return args[i];
  }

  private static int positive(String name, String[] args, int i) {
    int v = nonNegative(name, args, i);
    if (v == 0) {
      throw new IllegalArgumentException(name + " must be at least 1, not 0");
    }
    return v;
  }

  private static int nonNegative(String name, String[] args, int i) {
    if (i >= args.length) {
      throw new IllegalArgumentException(name + " needs a number, e.g. " + name + " 8");
    }
    try {
      int v = Integer.parseInt(args[i]);
      if (v < 0) {
        throw new IllegalArgumentException(name + " must not be negative, not " + v);
      }
      return v;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " needs a whole number, not '" + args[i] + "'");
    }
  }
}
