package com.proposalsapp.registrar.redis;

import com.proposalsapp.registrar.core.Backoff;
import com.proposalsapp.registrar.core.FailoverEvent;
import com.proposalsapp.registrar.core.HostPort;
import com.proposalsapp.registrar.core.TopologyEvents;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;

/**
 * Subscribes to every known Sentinel's failover and state events. An event only triggers a fresh
 * observation: it is never taken as the truth (Sentinel can replay an old {@code +switch-master}).
 */
public final class SentinelEvents implements TopologyEvents {

  private static final Logger log = LoggerFactory.getLogger(SentinelEvents.class);

  /**
   * The Sentinel channels whose messages can mean a change of master or of reachability, as
   * patterns. The failover's progress ({@code +selected-slave}, {@code +failover-state-*}, {@code
   * +promoted-slave}, {@code -failover-abort-*}) comes from the leading Sentinel as it happens, a
   * second or more before {@code +switch-master}, so records follow a promotion at once.
   */
  static final String[] CHANNELS = {
    "+selected-slave",
    "+failover-state-*",
    "+promoted-slave",
    "-failover-abort-*",
    "+switch-master",
    "+sdown",
    "-sdown",
    "+odown",
    "-odown",
    "+convert-to-slave",
    "+failover-end",
    "+slave-reconf-done"
  };

  private final KnownSentinels sentinels;
  private final String masterName;
  private final RedisClients clients;
  private final Backoff retry;
  private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();
  private volatile Runnable onEvent;
  private volatile Consumer<FailoverEvent> onFailover = e -> {};
  private volatile boolean closed;

  /**
   * @param clients how to connect and log in to the Sentinels (the read timeout is not used: a
   *     subscription is idle until something happens)
   * @param retry the backoff between resubscriptions after a connection drops
   */
  public SentinelEvents(
      KnownSentinels sentinels, String masterName, RedisClients clients, Backoff retry) {
    this.sentinels = sentinels;
    this.masterName = masterName;
    this.clients = clients;
    this.retry = retry;
  }

  /** Also hands every failover event of this master name to {@code listener}; before start. */
  public void onFailover(Consumer<FailoverEvent> listener) {
    onFailover = listener;
  }

  /**
   * The failover event a Sentinel message means, or null when it is none. Messages name an instance
   * as {@code <type> <name> <ip> <port>}, followed for a replica by {@code @ <master-name>
   * <master-ip> <master-port>}; {@code +switch-master} is {@code <name> <old-ip> <old-port>
   * <new-ip> <new-port>}.
   */
  static FailoverEvent parse(String channel, String message) {
    FailoverEvent.Kind kind;
    if (channel.startsWith("-failover-abort-")) {
      kind = FailoverEvent.Kind.ABORT;
    } else if (channel.equals("+failover-end") || channel.equals("+switch-master")) {
      kind = FailoverEvent.Kind.END;
    } else if (channel.equals("+failover-state-wait-start")
        || channel.equals("+failover-state-select-slave")) {
      kind = FailoverEvent.Kind.STARTED;
    } else if (channel.startsWith("+failover-state-")
        || channel.equals("+selected-slave")
        || channel.equals("+promoted-slave")) {
      kind = FailoverEvent.Kind.PROGRESS;
    } else {
      return null;
    }
    String[] t = message.trim().split("\\s+");
    try {
      int at = java.util.Arrays.asList(t).indexOf("@");
      if (channel.equals("+switch-master")) {
        return new FailoverEvent(kind, channel, t[0], new HostPort(t[1], Integer.parseInt(t[2])));
      }
      if (at >= 0) {
        return new FailoverEvent(
            kind, channel, t[at + 1], new HostPort(t[at + 2], Integer.parseInt(t[at + 3])));
      }
      if (t[0].equals("master")) {
        return new FailoverEvent(kind, channel, t[1], new HostPort(t[2], Integer.parseInt(t[3])));
      }
    } catch (RuntimeException e) {
      log.debug("unparsable Sentinel event {} {}", channel, message);
    }
    return null;
  }

  @Override
  public synchronized void start(Runnable onEvent) {
    this.onEvent = onEvent;
    sentinels.all().forEach(this::subscribe);
    sentinels.onDiscovered(this::subscribe);
  }

  private synchronized void subscribe(HostPort sentinel) {
    if (closed) {
      return;
    }
    Subscriber s = new Subscriber(sentinel);
    subscribers.add(s);
    s.thread.start();
  }

  @Override
  public void close() {
    closed = true;
    subscribers.forEach(Subscriber::stop);
  }

  /** One Sentinel's subscription, resubscribed with backoff whenever it drops. */
  private final class Subscriber {
    private final HostPort sentinel;
    private final Thread thread;
    private volatile Jedis jedis;

    Subscriber(HostPort sentinel) {
      this.sentinel = sentinel;
      this.thread = new Thread(this::loop, "sentinel-events-" + sentinel);
      this.thread.setDaemon(true);
    }

    private void loop() {
      int failures = 0;
      boolean wasDown = false;
      while (!closed) {
        JedisPubSub pubsub =
            new JedisPubSub() {
              @Override
              public void onPSubscribe(String pattern, int count) {
                if (count == CHANNELS.length) {
                  log.debug("subscribed to Sentinel events at {}", sentinel);
                }
              }

              @Override
              public void onPMessage(String pattern, String channel, String message) {
                if (message.contains(masterName) || channel.endsWith("down")) {
                  log.debug("Sentinel {} event {} {}", sentinel, channel, message);
                  FailoverEvent f = parse(channel, message);
                  if (f != null) {
                    onFailover.accept(f); // first: the fence must hold writes before REPLICAOF
                  }
                  onEvent.run();
                }
              }
            };
        try {
          jedis = clients.openSubscription(sentinel);
          if (wasDown) {
            log.info("resubscribed to Sentinel events at {}", sentinel);
            wasDown = false;
            onEvent.run(); // events may have been missed while the connection was down
          }
          failures = 0;
          jedis.psubscribe(pubsub, CHANNELS);
        } catch (RuntimeException e) {
          if (closed) {
            return;
          }
          if (!wasDown) {
            log.warn(
                "Sentinel events at {} unavailable ({}); resubscribing with backoff",
                sentinel,
                RedisConnection.describe(e));
            wasDown = true;
          }
        } finally {
          closeQuietly();
        }
        pause(retry.delay(failures++));
      }
    }

    private void pause(Duration d) {
      try {
        Thread.sleep(d.toMillis()); // backoff between reconnection attempts, not synchronisation
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    private void closeQuietly() {
      Jedis j = jedis;
      jedis = null;
      if (j != null) {
        try {
          j.close();
        } catch (RuntimeException ignored) {
          // already broken
        }
      }
    }

    void stop() {
      closeQuietly();
      thread.interrupt();
    }
  }
}
