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
 * {@code --keep} keeps the database instead of dropping it at the end.
 */
public record TpcbOptions(int threads, int seconds, int rounds, int warmupSeconds, int scale, boolean keep) {

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
    for (int i = 0; i < args.length; i++) {
      String name = args[i].toLowerCase(Locale.ROOT);
      switch (name) {
        case "--threads": threads = positive(name, args, ++i); break;
        case "--seconds": seconds = positive(name, args, ++i); break;
        case "--rounds": rounds = positive(name, args, ++i); break;
        case "--warmup": warmup = nonNegative(name, args, ++i); break;
        case "--scale": scale = positive(name, args, ++i); break;
        case "--keep": keep = true; break;
        default:
          throw new IllegalArgumentException("unknown option '" + args[i] + "'; expected " + usage());
      }
    }
    return new TpcbOptions(threads, seconds, rounds, warmup, scale == 0 ? threads : scale, keep);
  }

  /** One line describing every option. */
  public static String usage() {
    return "[--threads N=8] [--seconds N=10] [--rounds N=3] [--warmup N=10] [--scale N=threads] [--keep]";
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
