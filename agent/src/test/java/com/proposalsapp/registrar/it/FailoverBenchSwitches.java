package com.proposalsapp.registrar.it;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The failover benchmark's Sentinel observer: one subscriber per Sentinel on {@code
 * +switch-master}, recording when this JVM saw each announcement ({@link System#nanoTime()}).
 */
final class FailoverBenchSwitches implements AutoCloseable {
  private static final String CHANNEL = "+switch-master";

  /** One Sentinel's {@code +switch-master} announcement, as this JVM received it. */
  record Sighting(String sentinel, String oldMaster, String newMaster, long nanos) {}

  private final String masterName;
  private final List<Sighting> sightings = new CopyOnWriteArrayList<>();
  private SentinelSubscriptions subscriptions;

  private FailoverBenchSwitches(String masterName) {
    this.masterName = masterName;
  }

  /** Subscribes to every Sentinel and returns once all subscriptions are confirmed. */
  static FailoverBenchSwitches subscribe(List<SentinelServer> sentinels, String masterName) {
    FailoverBenchSwitches switches = new FailoverBenchSwitches(masterName);
    switches.subscriptions =
        SentinelSubscriptions.start("FailoverBench", sentinels, switches::onMessage, CHANNEL);
    return switches;
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
    subscriptions.check();
  }

  @Override
  public void close() {
    if (subscriptions != null) {
      subscriptions.close();
    }
  }

  /** "{@code <master-name> <old-ip> <old-port> <new-ip> <new-port>}". */
  private void onMessage(String sentinel, String channel, String message, long seen) {
    String[] f = message.split(" ");
    if (f.length == 5 && f[0].equals(masterName)) {
      sightings.add(new Sighting(sentinel, f[1] + ":" + f[2], f[3] + ":" + f[4], seen));
    }
  }
}
