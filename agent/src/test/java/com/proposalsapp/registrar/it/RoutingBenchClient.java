package com.proposalsapp.registrar.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * What the routing benchmark's clients share: a paced loop on its own thread over connections that
 * behave like a pool's. A connection is replaced only when it breaks (a connection error or
 * timeout); an error reply such as {@code READONLY} is counted and the connection kept. Each
 * connection learns, right after it connects, which Redis answers on it ({@code CONFIG GET port}):
 * a TCP session through HAProxy stays on one server for its whole life.
 */
abstract class RoutingBenchClient implements AutoCloseable {
  /** Jedis's own defaults, as a pool would use them. */
  private static final JedisClientConfig CONFIG =
      DefaultJedisClientConfig.builder()
          .connectionTimeoutMillis(2000)
          .socketTimeoutMillis(2000)
          .build();

  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

  /** One failed command: its kind ("READONLY", "connection", or an error reply's first word). */
  record Failure(String kind, long nanos) {}

  /** A connection and the port of the Redis that answers on it. */
  static final class Connection implements AutoCloseable {
    final Jedis jedis;
    final int servedBy;

    private Connection(Jedis jedis, int servedBy) {
      this.jedis = jedis;
      this.servedBy = servedBy;
    }

    @Override
    public void close() {
      try {
        jedis.close();
      } catch (RuntimeException e) {
        // already broken: nothing to release
      }
    }
  }

  private final String host;
  private final int port;
  private final long periodNanos;
  private final Thread thread;
  private final List<Failure> failures = new ArrayList<>();
  private volatile boolean stopped;
  private volatile Throwable crashed;

  protected RoutingBenchClient(String name, String address, int perSecond) {
    int colon = address.lastIndexOf(':');
    this.host = address.substring(0, colon);
    this.port = Integer.parseInt(address.substring(colon + 1));
    this.periodNanos = 1_000_000_000L / perSecond;
    this.thread = new Thread(this::loop, name);
    thread.setDaemon(true);
  }

  protected final void startLoop() {
    thread.start();
  }

  /** One paced step: a command on some connection, recorded by the subclass. */
  protected abstract void step();

  /** Closes every connection the subclass holds (called on the client's thread, at the end). */
  protected abstract void closeConnections();

  /**
   * Opens a connection and learns which Redis answers on it; null (the failure recorded) if that
   * fails, as a pool's borrow would.
   */
  protected final Connection connect() {
    Jedis jedis = null;
    try {
      // Jedis may talk to the server while it is constructed: inside the try, as a pool's borrow.
      jedis = new Jedis(host, port, CONFIG);
      String served = jedis.configGet("port").get("port");
      return new Connection(jedis, Integer.parseInt(served));
    } catch (RuntimeException e) {
      if (jedis != null) {
        jedis.close();
      }
      failed(e);
      return null;
    }
  }

  /** The latest failure, if any, for a message. */
  synchronized String lastFailure() {
    return failures.isEmpty() ? "none" : failures.get(failures.size() - 1).toString();
  }

  /**
   * Records a failed command; true if the connection is broken and must be replaced (a connection
   * error), false for an error reply, after which a pooled connection stays in use.
   */
  protected final boolean failed(RuntimeException e) {
    String kind;
    boolean broken;
    if (e instanceof JedisDataException) {
      String message = String.valueOf(e.getMessage());
      int space = message.indexOf(' ');
      kind = space > 0 ? message.substring(0, space) : message;
      broken = false;
    } else if (e instanceof JedisConnectionException) {
      kind = "connection";
      broken = true;
    } else {
      kind = e.getClass().getSimpleName();
      broken = true;
    }
    synchronized (this) {
      failures.add(new Failure(kind, System.nanoTime()));
    }
    return broken;
  }

  synchronized List<Failure> failures() {
    return List.copyOf(failures);
  }

  /** Fails if the loop died of something other than a Redis error. */
  void check() {
    if (crashed != null || !thread.isAlive() && !stopped) {
      throw new IllegalStateException(thread.getName() + " died: " + crashed, crashed);
    }
  }

  private void loop() {
    try {
      long next = System.nanoTime();
      while (!stopped) {
        long wait = next - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
          continue;
        }
        step();
        // Keep the pace, without a burst to catch up after a slow command.
        next = Math.max(next + periodNanos, System.nanoTime());
      }
    } catch (RuntimeException | Error e) {
      crashed = e;
    } finally {
      closeConnections();
    }
  }

  /** Stops the loop and waits for it to close its connections. */
  @Override
  public void close() {
    stopped = true;
    try {
      thread.join(STOP_TIMEOUT.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
