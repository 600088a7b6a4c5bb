package com.proposalsapp.registrar.it;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;

/**
 * The failover benchmark's Sentinel observer: one subscriber per Sentinel on {@code
 * +switch-master}, recording when this JVM saw each announcement ({@link System#nanoTime()}).
 */
final class FailoverBenchSwitches implements AutoCloseable {
  private static final String CHANNEL = "+switch-master";
  private static final Duration SUBSCRIBE_TIMEOUT = Duration.ofSeconds(10);

  /** One Sentinel's {@code +switch-master} announcement, as this JVM received it. */
  record Sighting(String sentinel, String oldMaster, String newMaster, long nanos) {}

  private final String masterName;
  private final List<Sighting> sightings = new CopyOnWriteArrayList<>();
  private final List<Subscriber> subscribers = new ArrayList<>();

  private FailoverBenchSwitches(String masterName) {
    this.masterName = masterName;
  }

  /** Subscribes to every Sentinel and returns once all subscriptions are confirmed. */
  static FailoverBenchSwitches subscribe(List<SentinelServer> sentinels, String masterName) {
    FailoverBenchSwitches switches = new FailoverBenchSwitches(masterName);
    try {
      for (SentinelServer sentinel : sentinels) {
        Subscriber s = switches.new Subscriber(sentinel);
        switches.subscribers.add(s);
        s.start();
      }
      return switches;
    } catch (RuntimeException e) {
      switches.close();
      throw e;
    }
  }

  /**
   * Waits (at most {@code atMost}) for a Sentinel to announce a switch away from {@code oldMaster}
   * at or after {@code sinceNanos}; returns the new master's address.
   */
  String awaitSwitch(String oldMaster, long sinceNanos, Duration atMost) {
    return await("+switch-master away from " + oldMaster)
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(10))
        .until(() -> first(oldMaster, sinceNanos), Optional::isPresent)
        .orElseThrow()
        .newMaster();
  }

  /** The earliest announcement of a switch away from {@code oldMaster} since {@code sinceNanos}. */
  Optional<Sighting> first(String oldMaster, long sinceNanos) {
    return sightings(oldMaster, sinceNanos).stream().findFirst();
  }

  /**
   * Each Sentinel's first announcement of a switch away from {@code oldMaster} since {@code
   * sinceNanos}, earliest first.
   */
  List<Sighting> sightings(String oldMaster, long sinceNanos) {
    Map<String, Sighting> bySentinel = new HashMap<>();
    sightings.stream()
        .filter(s -> s.nanos() >= sinceNanos && s.oldMaster().equals(oldMaster))
        .forEach(s -> bySentinel.merge(s.sentinel(), s, (a, b) -> a.nanos() <= b.nanos() ? a : b));
    return bySentinel.values().stream().sorted(Comparator.comparingLong(Sighting::nanos)).toList();
  }

  /** Every sighting so far, in the order they were recorded. */
  List<Sighting> all() {
    return List.copyOf(sightings);
  }

  /** Fails if a subscription has ended: announcements would be missed. */
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
      this.thread = new Thread(this::listen, "switch-master-" + sentinel.name());
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
        jedis.subscribe(this, CHANNEL);
      } catch (RuntimeException e) {
        System.err.println("FailoverBench: subscription to " + sentinel + " ended: " + e);
      }
    }

    @Override
    public void onSubscribe(String channel, int count) {
      subscribed.countDown();
    }

    /** "{@code <master-name> <old-ip> <old-port> <new-ip> <new-port>}". */
    @Override
    public void onMessage(String channel, String message) {
      long seen = System.nanoTime();
      String[] f = message.split(" ");
      if (f.length == 5 && f[0].equals(masterName)) {
        sightings.add(new Sighting(sentinel.name(), f[1] + ":" + f[2], f[3] + ":" + f[4], seen));
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
