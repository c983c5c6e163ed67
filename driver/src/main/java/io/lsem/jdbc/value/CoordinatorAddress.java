package io.lsem.jdbc.value;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code coordinator} property: {@code etcd://host:port[,host:port...][/prefix]}, the etcd
 * members' client endpoints and the key prefix the timestamp lives under (default {@code /lsem}).
 *
 * @param endpoints {@code http://host:port} of each member, in the order given
 * @param prefix the key prefix, starting with {@code /}
 */
public record CoordinatorAddress(List<URI> endpoints, String prefix) {
  /** The accepted form, for error messages. */
  public static final String FORM = "etcd://host:port[,host:port...][/prefix]";

  /** Parses {@code text}; throws {@link IllegalArgumentException} naming the bad part and {@link #FORM}. */
  public static CoordinatorAddress parse(String text) {
    String raw = text == null ? "" : text.trim();
    String t = Redaction.redact(raw); // what messages show: credentials hidden
    if (!raw.equals(t) || raw.contains("@")) {
      throw new IllegalArgumentException("coordinator '" + t + "' carries credentials, which the driver does not"
          + " send to etcd; expected " + FORM);
    }
    if (!t.startsWith("etcd://")) {
      throw new IllegalArgumentException("coordinator '" + t + "' does not start with etcd://; expected " + FORM);
    }
    String rest = t.substring("etcd://".length());
    int slash = rest.indexOf('/');
    String hosts = slash < 0 ? rest : rest.substring(0, slash);
    String prefix = slash < 0 || slash == rest.length() - 1 ? "/lsem" : rest.substring(slash);
    if (hosts.isEmpty()) {
      throw new IllegalArgumentException("coordinator '" + t + "' names no host; expected " + FORM);
    }
    List<URI> endpoints = new ArrayList<>();
    for (String hostPort : hosts.split(",")) {
      int colon = hostPort.lastIndexOf(':');
      String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
      int port;
      try {
        port = colon < 0 ? -1 : Integer.parseInt(hostPort.substring(colon + 1));
      } catch (NumberFormatException e) {
        port = -1;
      }
      if (host.isEmpty() || port < 1 || port > 65535 || !host.matches("[A-Za-z0-9.\\-\\[\\]:]+")) {
        throw new IllegalArgumentException("coordinator member '" + hostPort + "' in '" + t
            + "' is not host:port with a port from 1 to 65535; expected " + FORM);
      }
      endpoints.add(URI.create("http://" + host + ":" + port));
    }
    return new CoordinatorAddress(List.copyOf(endpoints), prefix);
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("etcd://");
    for (int i = 0; i < endpoints.size(); i++) {
      s.append(i == 0 ? "" : ",").append(endpoints.get(i).getHost()).append(':').append(endpoints.get(i).getPort());
    }
    return s.append(prefix).toString();
  }
}
