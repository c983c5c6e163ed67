package io.lsem.jdbc.xa;

import io.lsem.jdbc.clock.TimestampOracle;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The XA global transactions of one timestamp oracle in this JVM (where a transaction manager
 * runs all the branches of a global transaction): each gets one logical id and one start
 * timestamp when its first branch starts, and one commit timestamp when its first branch
 * prepares, which every branch then records in its own database's ledger. All branches are
 * prepared before any commits, so the commit timestamp is above every branch's start and every
 * commit the oracle issued before. Remembers at most {@value #MAX_OPEN} global transactions (the
 * oldest are forgotten first; a branch of a forgotten one only fails to prepare).
 */
public final class GlobalTransactions {
  static final int MAX_OPEN = 100_000;

  /** One global transaction's shared values; {@code commitTs} 0 until its first PREPARE. */
  static final class Global {
    final UUID id;
    final long startTs;
    long commitTs;

    Global(UUID id, long startTs) {
      this.id = id;
      this.startTs = startTs;
    }
  }

  private final TimestampOracle oracle;
  private final Map<String, Global> open = new LinkedHashMap<>(16, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Global> eldest) {
      return size() > MAX_OPEN;
    }
  };

  public GlobalTransactions(TimestampOracle oracle) {
    this.oracle = oracle;
  }

  /**
   * The global transaction {@code global} (format and gtrid, {@link XidCodec#global}), begun now if
   * this is its first branch: a logical id derived from it (the same in every JVM) and a start
   * timestamp from the oracle.
   */
  synchronized Global begin(String global) {
    Global g = open.get(global);
    if (g == null) {
      g = new Global(UUID.nameUUIDFromBytes(("lsem-xa:" + global).getBytes(StandardCharsets.UTF_8)), oracle.next());
      open.put(global, g);
    }
    return g;
  }

  /** The commit timestamp of {@code global}, taken from the oracle by its first PREPARE. */
  synchronized long commitTimestamp(String global) {
    Global g = open.get(global);
    if (g == null) {
      g = begin(global); // its branches started elsewhere (another resource manager's start)
    }
    if (g.commitTs == 0) {
      g.commitTs = oracle.next();
    }
    return g.commitTs;
  }

  /** The global transaction {@code global} is being committed or rolled back: no branch prepares any more. */
  synchronized void ended(String global) {
    open.remove(global);
  }
}
