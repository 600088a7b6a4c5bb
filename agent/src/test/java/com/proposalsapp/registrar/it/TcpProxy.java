package com.proposalsapp.registrar.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy on a free loopback port, forwarding to one target, that a test can {@link #cut()}
 * (every connection reset, new ones refused) or {@link #blackhole()} (connections accepted and
 * held, nothing forwarded either way, so both peers hang) and then {@link #restore()}.
 *
 * <p>Two threads per connection, one per direction. A black-holed direction reads at most one
 * buffer and holds it until restored; what it has not read stays in the kernel's buffers, as it
 * would behind a network partition, and flows on after {@link #restore()}.
 */
public final class TcpProxy implements AutoCloseable {

  private enum Mode {
    FORWARD,
    BLACKHOLE,
    CUT,
    CLOSED
  }

  private final String targetHost;
  private final int targetPort;
  private final ServerSocket server;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private final List<Long> accepted = new CopyOnWriteArrayList<>();
  private final Object lock = new Object();
  private Mode mode = Mode.FORWARD; // guarded by lock

  private TcpProxy(String targetHost, int targetPort) throws IOException {
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    this.server = new ServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    Thread acceptor = new Thread(this::acceptLoop, "tcp-proxy-accept-" + port());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Starts a proxy forwarding to {@code host:port}. */
  public static TcpProxy start(String host, int port) {
    try {
      return new TcpProxy(host, port);
    } catch (IOException e) {
      throw new IllegalStateException("cannot start a proxy to " + host + ":" + port, e);
    }
  }

  /** Starts a proxy forwarding to a server's address. */
  public static TcpProxy to(ServerProcess target) {
    return start(ServerProcess.HOST, target.port());
  }

  public int port() {
    return server.getLocalPort();
  }

  /** "127.0.0.1:port". */
  public String address() {
    return ServerProcess.HOST + ":" + port();
  }

  /** "http://127.0.0.1:port", for {@code --etcd}. */
  public String endpoint() {
    return "http://" + address();
  }

  /**
   * When each connection was accepted ({@link System#nanoTime()}), whatever the mode: while cut,
   * these are the client's reconnection attempts.
   */
  public List<Long> acceptedNanos() {
    return List.copyOf(accepted);
  }

  /** Resets every connection and refuses new ones (accepted, then reset) until restored. */
  public void cut() {
    setMode(Mode.CUT);
    sockets.forEach(TcpProxy::reset);
  }

  /** Keeps connections open and accepts new ones, but forwards nothing until restored. */
  public void blackhole() {
    setMode(Mode.BLACKHOLE);
  }

  /** Forwards again; held connections carry on with what they had buffered. */
  public void restore() {
    setMode(Mode.FORWARD);
  }

  @Override
  public void close() {
    setMode(Mode.CLOSED);
    closeQuietly(server);
    sockets.forEach(TcpProxy::reset);
  }

  private void setMode(Mode next) {
    synchronized (lock) {
      if (mode != Mode.CLOSED) {
        mode = next;
      }
      lock.notifyAll();
    }
  }

  private Mode mode() {
    synchronized (lock) {
      return mode;
    }
  }

  private void acceptLoop() {
    while (mode() != Mode.CLOSED) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        continue; // closed: the loop condition ends it
      }
      accepted.add(System.nanoTime());
      Mode now = mode();
      if (now == Mode.CUT || now == Mode.CLOSED) {
        reset(client);
        continue;
      }
      Socket upstream = new Socket();
      try {
        upstream.connect(new InetSocketAddress(targetHost, targetPort), 1000);
      } catch (IOException e) {
        reset(client); // the target is down: the client sees its connection reset
        closeQuietly(upstream);
        continue;
      }
      sockets.add(client);
      sockets.add(upstream);
      pump(client, upstream, "up");
      pump(upstream, client, "down");
    }
  }

  private void pump(Socket from, Socket to, String direction) {
    Thread t =
        new Thread(
            () -> {
              byte[] buffer = new byte[16 * 1024];
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                  if (!awaitForwarding()) {
                    break;
                  }
                  out.write(buffer, 0, n);
                  out.flush();
                }
              } catch (IOException e) {
                // either side closed or reset: close both below
              } finally {
                closeQuietly(from);
                closeQuietly(to);
                sockets.remove(from);
                sockets.remove(to);
              }
            },
            "tcp-proxy-" + port() + "-" + direction);
    t.setDaemon(true);
    t.start();
  }

  /** Waits while black-holed; true to forward, false when cut or closed. */
  private boolean awaitForwarding() {
    synchronized (lock) {
      while (mode == Mode.BLACKHOLE) {
        try {
          lock.wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
      return mode == Mode.FORWARD;
    }
  }

  /** Closes with SO_LINGER 0: the peer gets a RST, not a FIN. */
  private static void reset(Socket socket) {
    try {
      socket.setSoLinger(true, 0);
    } catch (IOException e) {
      // already closed
    }
    closeQuietly(socket);
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      // nothing to do
    }
  }
}
