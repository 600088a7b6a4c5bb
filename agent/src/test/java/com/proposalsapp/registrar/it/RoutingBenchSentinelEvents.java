package com.proposalsapp.registrar.it;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

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

  /** One event as this JVM received it from one Sentinel. */
  record Event(String sentinel, String channel, String message, long nanos) {}

  private final String masterName;
  private final List<Event> events = new CopyOnWriteArrayList<>();
  private SentinelSubscriptions subscriptions;

  private RoutingBenchSentinelEvents(String masterName) {
    this.masterName = masterName;
  }

  /** Subscribes to every Sentinel and returns once all subscriptions are confirmed. */
  static RoutingBenchSentinelEvents subscribe(List<SentinelServer> sentinels, String masterName) {
    RoutingBenchSentinelEvents log = new RoutingBenchSentinelEvents(masterName);
    log.subscriptions =
        SentinelSubscriptions.start(
            "RoutingBench",
            sentinels,
            log::onMessage,
            SDOWN,
            ODOWN,
            SLAVEOF_NOONE,
            PROMOTED,
            SWITCH);
    return log;
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
    subscriptions.check();
  }

  @Override
  public void close() {
    if (subscriptions != null) {
      subscriptions.close();
    }
  }

  /**
   * "{@code master <name> <ip> <port> ...}", "{@code slave <ip:port> <ip> <port> @ <name> ...}" or,
   * for {@code +switch-master}, "{@code <name> <old-ip> <old-port> <new-ip> <new-port>}".
   */
  private void onMessage(String sentinel, String channel, String message, long seen) {
    List<String> words = List.of(message.split(" "));
    boolean ours =
        channel.equals(SWITCH)
            ? words.get(0).equals(masterName)
            : (words.size() > 1 && words.get(0).equals("master") && words.get(1).equals(masterName))
                || (words.indexOf("@") >= 0
                    && words.indexOf("@") + 1 < words.size()
                    && words.get(words.indexOf("@") + 1).equals(masterName));
    if (ours) {
      events.add(new Event(sentinel, channel, message, seen));
    }
  }
}
