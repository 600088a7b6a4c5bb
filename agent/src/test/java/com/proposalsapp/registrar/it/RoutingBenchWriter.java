package com.proposalsapp.registrar.it;

import java.util.ArrayList;
import java.util.List;

/**
 * The routing benchmark's writer: {@code SET bench:seq:<n> <n>} at a steady rate on one long-lived
 * connection to the write listener, recording each acknowledged sequence number with the time of
 * its acknowledgement and the Redis that acknowledged it.
 */
final class RoutingBenchWriter extends RoutingBenchClient {
  static final String KEY_PREFIX = "bench:seq:";

  /** One write Redis acknowledged: sequence number, {@link System#nanoTime()}, Redis port. */
  record Ack(long seq, long nanos, int servedBy) {}

  private final List<Ack> acks = new ArrayList<>();
  private Connection connection;
  private long seq;

  private RoutingBenchWriter(String address, int perSecond) {
    super("bench-writer", address, perSecond);
  }

  /** Starts writing to {@code address} ("host:port") {@code perSecond} times a second. */
  static RoutingBenchWriter start(String address, int perSecond) {
    RoutingBenchWriter writer = new RoutingBenchWriter(address, perSecond);
    writer.startLoop();
    return writer;
  }

  static String key(long seq) {
    return KEY_PREFIX + seq;
  }

  @Override
  protected void step() {
    if (connection == null) {
      connection = connect();
      if (connection == null) {
        return;
      }
    }
    long n = ++seq;
    try {
      connection.jedis.set(key(n), Long.toString(n));
      Ack ack = new Ack(n, System.nanoTime(), connection.servedBy);
      synchronized (this) {
        acks.add(ack);
      }
    } catch (RuntimeException e) {
      if (failed(e)) {
        connection.close();
        connection = null;
      }
    }
  }

  @Override
  protected void closeConnections() {
    if (connection != null) {
      connection.close();
    }
  }

  /** Every acknowledged write so far, in order. */
  synchronized List<Ack> acks() {
    return List.copyOf(acks);
  }

  /** The latest acknowledged write, if any. */
  synchronized Ack lastAck() {
    return acks.isEmpty() ? null : acks.get(acks.size() - 1);
  }
}
