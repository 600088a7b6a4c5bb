package com.proposalsapp.registrar.it;

import java.util.ArrayList;
import java.util.List;

/**
 * The routing benchmark's reader: a pool of long-lived connections to the read listener, used in
 * turn at a steady rate ({@code GET}), recording which Redis served each read. HAProxy balances
 * connections, not commands, so local preference shows only over several connections: the pool has
 * {@code size} of them, opened through the listener one after another like a pool's.
 */
final class RoutingBenchReader extends RoutingBenchClient {

  /** One read served: {@link System#nanoTime()} and the port of the Redis that served it. */
  record Read(long nanos, int servedBy) {}

  private final Connection[] pool;
  static final int FRESH_EVERY = 4;

  private final List<Read> reads = new ArrayList<>();
  private final List<Read> fresh = new ArrayList<>();
  private int next;
  private int steps;

  private RoutingBenchReader(String address, int perSecond, int size) {
    super("bench-reader", address, perSecond);
    pool = new Connection[size];
  }

  /**
   * Starts reading from {@code address} {@code perSecond} times a second over {@code size}
   * connections.
   */
  static RoutingBenchReader start(String address, int perSecond, int size) {
    RoutingBenchReader reader = new RoutingBenchReader(address, perSecond, size);
    reader.startLoop();
    return reader;
  }

  @Override
  protected void step() {
    if (++steps % FRESH_EVERY == 0) {
      readOnFreshConnection();
      return;
    }
    int i = next;
    next = (next + 1) % pool.length;
    if (pool[i] == null) {
      pool[i] = connect();
      if (pool[i] == null) {
        return;
      }
    }
    try {
      pool[i].jedis.get("bench:read");
      Read read = new Read(System.nanoTime(), pool[i].servedBy);
      synchronized (this) {
        reads.add(read);
      }
    } catch (RuntimeException e) {
      if (failed(e)) {
        pool[i].close();
        pool[i] = null;
      }
    }
  }

  private void readOnFreshConnection() {
    try (Connection c = connect()) {
      if (c != null) {
        c.jedis.get("bench:read");
        Read read = new Read(System.nanoTime(), c.servedBy);
        synchronized (this) {
          fresh.add(read);
        }
      }
    } catch (RuntimeException e) {
      failed(e);
    }
  }

  @Override
  protected void closeConnections() {
    for (Connection c : pool) {
      if (c != null) {
        c.close();
      }
    }
  }

  /** Every read the pool's connections served so far, in order. */
  synchronized List<Read> reads() {
    return List.copyOf(reads);
  }

  /** Every read served on a fresh connection so far, in order. */
  synchronized List<Read> freshReads() {
    return List.copyOf(fresh);
  }
}
