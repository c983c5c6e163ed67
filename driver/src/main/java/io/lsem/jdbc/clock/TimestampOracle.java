package io.lsem.jdbc.clock;

/**
 * Issues global (L2) timestamps: 64-bit values laid out as 46 bits of Unix milliseconds and 18
 * bits of logical counter (see {@link Hlc}), the layout of TiDB's timestamp oracle, so that a
 * shared oracle can replace the in-JVM default. Implementations are thread safe and lock free
 * on {@link #next()}.
 *
 * <p>To plug in another oracle, name a class with a public no-argument constructor in the
 * {@code timestampOracle} property.
 */
public interface TimestampOracle {

  /** A timestamp strictly greater than every timestamp this oracle has issued or observed. */
  long next();

  /** The greatest timestamp issued or observed so far (0 if none), without issuing one. */
  long current();

  /**
   * Moves the clock to at least {@code remote} (a timestamp seen from another node, or passed
   * as a causal token), so that every later {@link #next()} is greater.
   *
   * @throws IllegalArgumentException if {@code remote} is further ahead of this node's
   *     physical clock than the configured maximum offset
   */
  void observe(long remote);

  /**
   * Moves the clock to at least {@code ts}, a timestamp from a trusted source (the database's
   * ledger, which raises commit timestamps above every earlier one): no offset check. The
   * default calls {@link #observe(long)}.
   */
  default void advanceTo(long ts) {
    observe(ts);
  }

  /**
   * Whether this oracle is shared by every client of the database and linearizable: a timestamp it
   * issues is above every timestamp it issued to anyone before. Then the ledger records commits by a
   * plain append ({@code lsem.append_commit}) instead of raising them above the database's clock under
   * a lock. The default, {@code false}, is right for any oracle local to one JVM.
   */
  default boolean linearizable() {
    return false;
  }
}
