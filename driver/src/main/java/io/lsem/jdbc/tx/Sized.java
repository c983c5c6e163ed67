package io.lsem.jdbc.tx;

/** A recorded argument that knows roughly how much memory it holds, for the journal's bound. */
public interface Sized {
  long estimatedBytes();
}
