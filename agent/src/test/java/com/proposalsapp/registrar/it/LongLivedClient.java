package com.proposalsapp.registrar.it;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * A Redis client on one long-lived connection, as a pooled client keeps one: it reconnects only
 * when the connection breaks, never because of an error reply such as {@code READONLY}. A writer
 * sends {@code SET} of a sequence number, a reader {@code GET}; each connection first asks {@code
 * CONFIG GET port}, so that every operation is known by the Redis that served it.
 */
final class LongLivedClient implements AutoCloseable {

  /** One operation: when it ended, the Redis port behind the connection (0 if none), the error. */
  record Op(long nanos, long seq, int servedBy, String error) {
    boolean ok() {
      return error == null;
    }
  }

  private static final Duration PACE = Duration.ofMillis(5);
  private static final int TIMEOUT_MS = 1000;

  private final String host;
  private final int port;
  private final boolean writer;
  private final String key;
  private final List<Op> ops = new CopyOnWriteArrayList<>();
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final Thread thread;
  private volatile int servedBy;
  private volatile int connections;

  private LongLivedClient(String host, int port, boolean writer, String key) {
    this.host = host;
    this.port = port;
    this.writer = writer;
    this.key = key;
    this.thread = new Thread(this::loop, (writer ? "writer-" : "reader-") + port);
    this.thread.setDaemon(true);
  }

  /** A writer through {@code host:port} that sets {@code key} to 1, 2, 3, ... */
  static LongLivedClient writer(String host, int port, String key) {
    LongLivedClient c = new LongLivedClient(host, port, true, key);
    c.thread.start();
    return c;
  }

  /** A reader through {@code host:port} that gets {@code key} over and over. */
  static LongLivedClient reader(String host, int port, String key) {
    LongLivedClient c = new LongLivedClient(host, port, false, key);
    c.thread.start();
    return c;
  }

  private void loop() {
    long seq = 0;
    Jedis jedis = null;
    while (!stopping.get()) {
      try {
        if (jedis == null) {
          jedis = new Jedis(host, port, TIMEOUT_MS);
          servedBy = Integer.parseInt(jedis.configGet("port").get("port"));
          connections++;
        }
        seq++;
        try {
          if (writer) {
            jedis.set(key, Long.toString(seq));
          } else {
            jedis.get(key);
          }
          ops.add(new Op(System.nanoTime(), seq, servedBy, null));
        } catch (JedisDataException e) {
          ops.add(new Op(System.nanoTime(), seq, servedBy, e.getMessage())); // stays connected
        }
      } catch (JedisConnectionException | NumberFormatException e) {
        ops.add(new Op(System.nanoTime(), seq, servedBy, "connection: " + e.getMessage()));
        servedBy = 0;
        if (jedis != null) {
          jedis.close();
          jedis = null;
        }
      }
      pace();
    }
    if (jedis != null) {
      jedis.close();
    }
  }

  private static void pace() {
    try {
      Thread.sleep(PACE.toMillis()); // the client's request rate, not synchronisation
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The port of the Redis behind the current connection; 0 while there is none. */
  int servedBy() {
    return servedBy;
  }

  /** How many connections it has opened. */
  int connections() {
    return connections;
  }

  List<Op> ops() {
    return List.copyOf(ops);
  }

  /** Operations that ended at or after {@code nanos}. */
  List<Op> since(long nanos) {
    return ops.stream().filter(o -> o.nanos() >= nanos).toList();
  }

  /** The first successful operation served by {@code redisPort} at or after {@code nanos}. */
  java.util.Optional<Op> firstOkOn(int redisPort, long nanos) {
    return since(nanos).stream().filter(o -> o.ok() && o.servedBy() == redisPort).findFirst();
  }

  /** The longest stretch between successful operations among those since {@code nanos}, in ms. */
  long longestGapMillis(long nanos) {
    long last = nanos;
    long longest = 0;
    for (Op o : since(nanos)) {
      if (o.ok()) {
        longest = Math.max(longest, o.nanos() - last);
        last = o.nanos();
      }
    }
    return longest / 1_000_000;
  }

  @Override
  public void close() {
    stopping.set(true);
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
