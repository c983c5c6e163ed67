package io.lsem.jdbc.failover;

/** One host of a connection URL. */
public record HostSpec(String host, int port) {
  @Override
  public String toString() {
    return host + ":" + port;
  }
}
