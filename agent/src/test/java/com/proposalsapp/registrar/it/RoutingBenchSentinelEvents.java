package com.proposalsapp.registrar.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;

/**
 * The routing benchmark's Sentinel observer, independent of the agents: a subscriber on every
 * Sentinel to the events that bound a failover ({@code +sdown}, {@code +odown}, {@code
 * +failover-state-send-slaveof-noone}, {@code +promoted-slave}, {@code +switch-master}) about one
 * master name, each recorded with the {@link System#nanoTime()} at which this JVM received it. Only
 * the Sentinel leading a failover publishes its progress, hence one subscriber on each.
 */
final class RoutingBenchSentinelEvents implements AutoCloseable {
  static final String SDOWN = "+sdown";
  static final String ODOWN = "+odown";
  static final String SLAVEOF_NOONE = "+failover-state-send-slaveof-noone";
  static final String PROMOTED = "+promoted-slave";
  static final String SWITCH = "+switch-master";

  private static final Duration SUBSCRIBE_TIMEOUT = Duration.ofSeconds(10);

  /** One event as this JVM received it from one Sentinel. */
  record Event(String sentinel, String channel, String message, long nanos) {}

  private final String masterName;
  private final List<Event> events = new CopyOnWriteArrayList<>();
  private final List<Subscriber> subscribers = new ArrayList<>();

  private RoutingBenchSentinelEvents(String masterName) {
    this.masterName = masterName;
  }

  /** Subscribes to every Sentinel and returns once all subscriptions are confirmed. */
  static RoutingBenchSentinelEvents subscribe(List<SentinelServer> sentinels, String masterName) {
    RoutingBenchSentinelEvents log = new RoutingBenchSentinelEvents(masterName);
    try {
      for (SentinelServer sentinel : sentinels) {
        Subscriber s = log.new Subscriber(sentinel);
        log.subscribers.add(s);
        s.start();
      }
      return log;
    } catch (RuntimeException e) {
      log.close();
      throw e;
    }
  }

  /**
   * The first {@code channel} event about the master name received at or after {@code sinceNanos}
   * (from any Sentinel), if any; a {@code +sdown} or {@code +odown} only if it is the master's.
   */
  Optional<Event> first(String channel, long sinceNanos) {
    return events.stream()
        .filter(e -> e.channel().equals(channel) && e.nanos() >= sinceNanos)
        .filter(e -> !channel.endsWith("down") || e.message().startsWith("master "))
        .findFirst();
  }

  /** Every event so far, in the order received. */
  List<Event> all() {
    return List.copyOf(events);
  }

  /** Fails if a subscription has ended: events would be missed. */
  void check() {
    for (Subscriber s : subscribers) {
      if (!s.thread.isAlive()) {
        throw new IllegalStateException("the subscription to " + s.sentinel + " ended");
      }
    }
  }

  @Override
  public void close() {
    subscribers.forEach(Subscriber::stop);
  }

  /** A blocking {@code SUBSCRIBE} on its own thread. */
  private final class Subscriber extends JedisPubSub {
    private final SentinelServer sentinel;
    private final CountDownLatch subscribed = new CountDownLatch(1);
    private final Thread thread;

    Subscriber(SentinelServer sentinel) {
      this.sentinel = sentinel;
      this.thread = new Thread(this::listen, "sentinel-events-" + sentinel.name());
      thread.setDaemon(true);
    }

    void start() {
      thread.start();
      try {
        if (!subscribed.await(SUBSCRIBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
          throw new IllegalStateException("could not subscribe to " + sentinel);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted subscribing to " + sentinel, e);
      }
    }

    private void listen() {
      try (Jedis jedis = sentinel.jedis()) {
        jedis.subscribe(this, SDOWN, ODOWN, SLAVEOF_NOONE, PROMOTED, SWITCH);
      } catch (RuntimeException e) {
        System.err.println("RoutingBench: subscription to " + sentinel + " ended: " + e);
      }
    }

    @Override
    public void onSubscribe(String channel, int count) {
      if (count == 5) {
        subscribed.countDown();
      }
    }

    /**
     * "{@code master <name> <ip> <port> ...}", "{@code slave <ip:port> <ip> <port> @ <name> ...}"
     * or, for {@code +switch-master}, "{@code <name> <old-ip> <old-port> <new-ip> <new-port>}".
     */
    @Override
    public void onMessage(String channel, String message) {
      long seen = System.nanoTime();
      List<String> words = List.of(message.split(" "));
      boolean ours =
          channel.equals(SWITCH)
              ? words.get(0).equals(masterName)
              : (words.size() > 1
                      && words.get(0).equals("master")
                      && words.get(1).equals(masterName))
                  || (words.indexOf("@") >= 0
                      && words.indexOf("@") + 1 < words.size()
                      && words.get(words.indexOf("@") + 1).equals(masterName));
      if (ours) {
        events.add(new Event(sentinel.name(), channel, message, seen));
      }
    }

    void stop() {
      try {
        if (isSubscribed()) {
          unsubscribe();
        }
        thread.join(SUBSCRIBE_TIMEOUT.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException e) {
        // the connection is gone already: nothing left to stop
      }
    }
  }
}
