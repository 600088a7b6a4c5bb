package com.proposalsapp.registrar.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;

/**
 * A blocking {@code SUBSCRIBE} to some channels on every Sentinel, each on its own thread, handing
 * over each message with the Sentinel's name and the {@link System#nanoTime()} at which this JVM
 * received it: the benchmarks' observer of Sentinel, independent of the agents.
 */
final class SentinelSubscriptions implements AutoCloseable {

  /** What is done with each message, on the subscriber's thread. */
  @FunctionalInterface
  interface Listener {
    void onMessage(String sentinel, String channel, String message, long nanos);
  }

  private static final Duration SUBSCRIBE_TIMEOUT = Duration.ofSeconds(10);

  private final List<Subscriber> subscribers = new ArrayList<>();

  private SentinelSubscriptions() {}

  /**
   * Subscribes to {@code channels} on every Sentinel and returns once every subscription is
   * confirmed; {@code who} names the subscriber in its threads and error lines.
   */
  static SentinelSubscriptions start(
      String who, List<SentinelServer> sentinels, Listener listener, String... channels) {
    SentinelSubscriptions all = new SentinelSubscriptions();
    try {
      for (SentinelServer sentinel : sentinels) {
        Subscriber s = new Subscriber(who, sentinel, listener, channels);
        all.subscribers.add(s);
        s.start();
      }
      return all;
    } catch (RuntimeException e) {
      all.close();
      throw e;
    }
  }

  /** Fails if a subscription has ended: messages would be missed. */
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

  private static final class Subscriber extends JedisPubSub {
    private final String who;
    private final SentinelServer sentinel;
    private final Listener listener;
    private final String[] channels;
    private final CountDownLatch subscribed;
    private final Thread thread;

    Subscriber(String who, SentinelServer sentinel, Listener listener, String[] channels) {
      this.who = who;
      this.sentinel = sentinel;
      this.listener = listener;
      this.channels = channels.clone();
      this.subscribed = new CountDownLatch(channels.length);
      this.thread = new Thread(this::listen, who + "-" + sentinel.name());
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
        jedis.subscribe(this, channels);
      } catch (RuntimeException e) {
        System.err.println(who + ": subscription to " + sentinel + " ended: " + e);
      }
    }

    @Override
    public void onSubscribe(String channel, int count) {
      subscribed.countDown();
    }

    @Override
    public void onMessage(String channel, String message) {
      listener.onMessage(sentinel.name(), channel, message, System.nanoTime());
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
