package io.lsem.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A TCP proxy on 127.0.0.1 in front of a PostgreSQL server, controlled by the test: it counts
 * round trips (a client message after a server reply is one more), and injects faults — cut
 * every connection, stall traffic, delay it, or cut a connection right after the client sent a
 * message containing some text (a COMMIT, say) and before the server's reply reaches the client.
 * Loopback only. {@link #close()} stops every thread it started.
 */
public final class FaultProxy implements AutoCloseable {
  private final ServerSocket listener;
  private final InetSocketAddress target;
  private final List<Link> links = new CopyOnWriteArrayList<>();
  private final AtomicLong roundTrips = new AtomicLong();
  private final AtomicReference<String> cutAfterClientSends = new AtomicReference<>();
  private final AtomicReference<String> cutInsteadOfSending = new AtomicReference<>();
  private volatile CountDownLatch stall = new CountDownLatch(0);
  private volatile long delayMillis;
  private final Thread acceptor;
  private volatile boolean closed;

  private FaultProxy(InetSocketAddress target) throws IOException {
    this.target = target;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.acceptor = new Thread(this::accept, "fault-proxy-accept-" + listener.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** A proxy on a free port of 127.0.0.1 forwarding to {@code host:port} (which must be loopback). */
  public static FaultProxy start(String host, int port) throws IOException {
    InetAddress address = InetAddress.getByName(host);
    if (!address.isLoopbackAddress()) {
      throw new IllegalArgumentException("the fault proxy only forwards to loopback, not " + host);
    }
    return new FaultProxy(new InetSocketAddress(address, port));
  }

  public int port() {
    return listener.getLocalPort();
  }

  /** {@code jdbc:<prefix>postgresql://127.0.0.1:<proxy port>/<database>}. */
  public String url(String prefix, String database) {
    return "jdbc:" + prefix + "postgresql://127.0.0.1:" + port() + "/" + database;
  }

  // ---- counting --------------------------------------------------------------------------------

  /** Client messages that followed a server reply (or were the first), since the last reset. */
  public long roundTrips() {
    return roundTrips.get();
  }

  public void resetRoundTrips() {
    roundTrips.set(0);
  }

  // ---- faults --------------------------------------------------------------------------------

  /** Closes every open connection at once, both sides; new connections are still accepted. */
  public void cutAll() {
    for (Link link : links) {
      link.cut();
    }
  }

  /** Holds all traffic (both directions) until {@link #resume()}. */
  public void stall() {
    if (stall.getCount() == 0) {
      stall = new CountDownLatch(1);
    }
  }

  public void resume() {
    stall.countDown();
  }

  /** Delays every forwarded chunk by {@code millis} (0 for none). */
  public void delay(long millis) {
    delayMillis = millis;
  }

  /**
   * Arms a one-shot fault: the next client chunk containing {@code text} (ASCII, e.g.
   * {@code "COMMIT"}) is forwarded to the server, and then that connection is cut before the
   * server's reply can reach the client.
   */
  public void cutAfterClientSends(String text) {
    cutAfterClientSends.set(text);
  }

  /**
   * Arms a one-shot fault: the next client chunk containing {@code text} is dropped, never reaching
   * the server, and that connection is cut (a network failure just before a COMMIT arrives).
   */
  public void cutInsteadOfSending(String text) {
    cutInsteadOfSending.set(text);
  }

  /** Connections currently open through the proxy. */
  public int openConnections() {
    links.removeIf(l -> l.done);
    return links.size();
  }

  @Override
  public void close() {
    closed = true;
    try {
      listener.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    resume();
    cutAll();
    try {
      acceptor.join(TimeUnit.SECONDS.toMillis(5));
      for (Link link : links) {
        link.join();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void accept() {
    while (!closed) {
      try {
        Socket client = listener.accept();
        Socket server = new Socket();
        server.connect(target, 5_000);
        client.setTcpNoDelay(true);
        server.setTcpNoDelay(true);
        Link link = new Link(client, server);
        links.add(link);
        link.start();
      } catch (IOException e) {
        if (!closed) {
          continue; // the server refused or the client vanished: drop this one
        }
      }
    }
  }

  /** One proxied connection: a pump per direction. */
  private final class Link {
    private final Socket client;
    private final Socket server;
    private final Thread up;
    private final Thread down;
    /** Whether the last bytes went from the server to the client. */
    private volatile boolean serverSpokeLast = true;
    private volatile boolean done;
    /** A message armed with {@link #cutAfterClientSends} went through: replies are dropped. */
    private volatile boolean cutting;

    Link(Socket client, Socket server) {
      this.client = client;
      this.server = server;
      this.up = new Thread(() -> pump(client, server, true), "fault-proxy-up");
      this.down = new Thread(() -> pump(server, client, false), "fault-proxy-down");
      up.setDaemon(true);
      down.setDaemon(true);
    }

    void start() {
      up.start();
      down.start();
    }

    void join() throws InterruptedException {
      up.join(TimeUnit.SECONDS.toMillis(5));
      down.join(TimeUnit.SECONDS.toMillis(5));
    }

    void cut() {
      done = true;
      closeQuietly(client);
      closeQuietly(server);
    }

    private void pump(Socket from, Socket to, boolean clientToServer) {
      byte[] buf = new byte[64 * 1024];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        int n;
        while ((n = in.read(buf)) > 0) {
          stall.await();
          if (delayMillis > 0) {
            Thread.sleep(delayMillis); // the fault itself: traffic is slow, not a synchronization
          }
          if (clientToServer && serverSpokeLast) {
            roundTrips.incrementAndGet();
          }
          serverSpokeLast = !clientToServer;
          String armed = clientToServer ? cutAfterClientSends.get() : null;
          boolean cutNow = armed != null && new String(buf, 0, n, StandardCharsets.ISO_8859_1).contains(armed)
              && cutAfterClientSends.compareAndSet(armed, null);
          String dropping = clientToServer ? cutInsteadOfSending.get() : null;
          if (dropping != null && new String(buf, 0, n, StandardCharsets.ISO_8859_1).contains(dropping)
              && cutInsteadOfSending.compareAndSet(dropping, null)) {
            cut();
            return;
          }
          if (cutNow) {
            cutting = true; // from now on no reply may pass
          }
          if (!clientToServer && cutting) {
            return;
          }
          out.write(buf, 0, n);
          out.flush();
          if (cutNow) {
            // The server has the message and will act on it; the client's side goes now, so the
            // reply can never reach it (the server side closes when the reply finds no client).
            closeQuietly(client);
            done = true;
          }
        }
      } catch (IOException | InterruptedException e) {
        // a cut or a close ends the pump
      } finally {
        done = true;
        closeQuietly(from);
        closeQuietly(to);
      }
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.setSoLinger(true, 0); // reset, like a network failure, not a polite close
      s.close();
    } catch (SocketException ignored) {
      // already closed
    } catch (IOException ignored) {
      // closing anyway
    }
  }
}
