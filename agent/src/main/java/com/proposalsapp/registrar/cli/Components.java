package com.proposalsapp.registrar.cli;

import com.proposalsapp.registrar.config.Secret;
import com.proposalsapp.registrar.config.Settings;
import com.proposalsapp.registrar.core.Identity;
import com.proposalsapp.registrar.core.Reconciler;
import com.proposalsapp.registrar.core.Registry;
import com.proposalsapp.registrar.core.TopologySource;
import com.proposalsapp.registrar.etcd.EtcdRegistry;
import com.proposalsapp.registrar.redis.KnownSentinels;
import com.proposalsapp.registrar.redis.SentinelEvents;
import com.proposalsapp.registrar.redis.SentinelTopologySource;
import java.time.Clock;
import java.time.Duration;

/** The composition root: builds the adapters and the core from validated settings. */
final class Components {

  /** Bound on one Redis or Sentinel call. */
  static final Duration REDIS_TIMEOUT = Duration.ofMillis(1000);

  /** Bound on one etcd call of the daemon, which retries with backoff. */
  static final Duration ETCD_TIMEOUT = Duration.ofMillis(2000);

  /** Bound on one etcd call of a one-shot command, whose first call also pays for start-up. */
  static final Duration ETCD_ONE_SHOT_TIMEOUT = Duration.ofMillis(5000);

  private Components() {}

  static Identity identity(Settings s) {
    return new Identity(s.id(), s.masterName(), s.dc(), s.announce(), s.redis());
  }

  static TopologySource source(Settings s, KnownSentinels sentinels) {
    return new SentinelTopologySource(
        s.redis(),
        value(s.redisPassword()),
        sentinels,
        value(s.sentinelPassword()),
        s.masterName(),
        s.sentinelQuorum(),
        REDIS_TIMEOUT,
        Clock.systemUTC());
  }

  static TopologySource source(Settings s) {
    return source(s, new KnownSentinels(s.sentinels()));
  }

  static SentinelEvents events(Settings s, KnownSentinels sentinels) {
    return new SentinelEvents(
        sentinels, s.masterName(), value(s.sentinelPassword()), REDIS_TIMEOUT, RunCommand.RETRY);
  }

  static EtcdRegistry registry(Settings s, boolean keepAlive) {
    return new EtcdRegistry(
        s.etcd(),
        s.prefix(),
        s.masterName(),
        s.leaseTtl(),
        keepAlive,
        keepAlive ? ETCD_TIMEOUT : ETCD_ONE_SHOT_TIMEOUT);
  }

  static Reconciler reconciler(Settings s, TopologySource source, Registry registry) {
    return new Reconciler(
        identity(s),
        source,
        registry,
        new Reconciler.Policy(s.requireSentinelMajority(), s.downAfter(), Version.AGENT),
        Clock.systemUTC());
  }

  private static String value(Secret secret) {
    return secret == null ? null : secret.value();
  }
}
