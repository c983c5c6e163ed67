package io.lsem.jdbc.wrap;

/** A replayed result that cannot equal the recorded one, with what differs (for the mismatch message). */
record Divergence(String what) {
  @Override
  public String toString() {
    return what;
  }
}
