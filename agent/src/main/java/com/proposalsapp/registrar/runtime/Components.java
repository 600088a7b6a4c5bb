package com.proposalsapp.registrar.runtime;

import com.proposalsapp.registrar.config.Settings;
import com.proposalsapp.registrar.core.Backoff;
import com.proposalsapp.registrar.core.Endpoints;
import com.proposalsapp.registrar.core.Identity;
import com.proposalsapp.registrar.core.Reconciler;
import com.proposalsapp.registrar.core.Registry;
import com.proposalsapp.registrar.core.TopologySource;
import com.proposalsapp.registrar.etcd.EtcdRegistry;
import com.proposalsapp.registrar.redis.DnsEndpoints;
import com.proposalsapp.registrar.redis.KnownSentinels;
import com.proposalsapp.registrar.redis.RedisClients;
import com.proposalsapp.registrar.redis.SentinelEvents;
import com.proposalsapp.registrar.redis.SentinelTopologySource;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.Properties;

/** The composition root: builds the adapters and the core from validated settings. */
public final class Components {

  /** {@code redis-registrar <version>}, published in every record. */
  public static final String AGENT = "redis-registrar " + loadVersion();

  /** Retries while a server is down: fast at first, never slower than this cap. */
  public static final Backoff RETRY = new Backoff(Duration.ofMillis(100), Duration.ofMillis(1000));

  /** Bound on one Redis or Sentinel call. */
  public static final Duration REDIS_TIMEOUT = Duration.ofMillis(1000);

  /** Bound on one etcd call of the daemon, which retries with backoff. */
  public static final Duration ETCD_TIMEOUT = Duration.ofMillis(2000);

  /** Bound on one etcd call of a one-shot command, whose first call also pays for start-up. */
  public static final Duration ETCD_ONE_SHOT_TIMEOUT = Duration.ofMillis(5000);

  /** Addresses are compared as the endpoints their names resolve to. */
  private static final Endpoints ENDPOINTS = new DnsEndpoints();

  private Components() {}

  public static Identity identity(Settings s) {
    return new Identity(s.id(), s.masterName(), s.dc(), s.redis().announce(), s.redis().address());
  }

  public static TopologySource source(Settings s, KnownSentinels sentinels) {
    return new SentinelTopologySource(
        s.redis().address(),
        redisClients(s),
        sentinels,
        sentinelClients(s, REDIS_TIMEOUT),
        s.masterName(),
        s.sentinel().quorum(),
        ENDPOINTS,
        Clock.systemUTC());
  }

  /** How the agent's commands reach its Redis (and the master that Redis follows). */
  public static RedisClients redisClients(Settings s) {
    return new RedisClients(s.redis().access(), REDIS_TIMEOUT, RedisClients.CLIENT_NAME);
  }

  /** How the agent's commands reach the Sentinels, each call bounded by {@code timeout}. */
  public static RedisClients sentinelClients(Settings s, Duration timeout) {
    return new RedisClients(s.sentinel().access(), timeout, RedisClients.CLIENT_NAME);
  }

  public static TopologySource source(Settings s) {
    return source(s, new KnownSentinels(s.sentinel().addresses()));
  }

  public static SentinelEvents events(Settings s, KnownSentinels sentinels) {
    return new SentinelEvents(
        sentinels,
        s.masterName(),
        new RedisClients(s.sentinel().access(), REDIS_TIMEOUT, RedisClients.EVENTS_CLIENT_NAME),
        RETRY);
  }

  public static EtcdRegistry registry(Settings s, boolean keepAlive) {
    return new EtcdRegistry(
        s.etcd().access(),
        s.etcd().prefix(),
        s.masterName(),
        s.timing().leaseTtl(),
        keepAlive,
        keepAlive ? ETCD_TIMEOUT : ETCD_ONE_SHOT_TIMEOUT);
  }

  public static Reconciler reconciler(Settings s, TopologySource source, Registry registry) {
    return reconciler(s, identity(s), source, registry);
  }

  /** The reconciler speaking for {@code self} (the identity with its HTTP address, for example). */
  public static Reconciler reconciler(
      Settings s, Identity self, TopologySource source, Registry registry) {
    return new Reconciler(
        self,
        source,
        registry,
        new Reconciler.Policy(s.sentinel().requireMajority(), s.timing().downAfter(), AGENT),
        Clock.systemUTC(),
        ENDPOINTS);
  }

  // fencing (issue 14)

  /**
   * The write fence of {@code self}: Redis's pause on a connection of its own, the master key read
   * from etcd, the Sentinels asked whether a failover still runs.
   */
  public static com.proposalsapp.registrar.core.Fence fence(
      Settings s, Identity self, KnownSentinels sentinels, EtcdRegistry registry) {
    return new com.proposalsapp.registrar.core.Fence(
        self,
        com.proposalsapp.registrar.core.Fence.Policy.of(s.fence().enabled(), s.fence().timeout()),
        new com.proposalsapp.registrar.redis.RedisWriteHold(s.redis().address(), redisClients(s)),
        () -> {
          com.proposalsapp.registrar.core.MasterRecord m = registry.view().master();
          return m == null
              ? null
              : new com.proposalsapp.registrar.core.HostPort(m.host(), m.port());
        },
        new com.proposalsapp.registrar.redis.SentinelFailoverProbe(
            sentinels, s.masterName(), sentinelClients(s, Duration.ofMillis(300))),
        Clock.systemUTC());
  }

  private static String loadVersion() {
    try (InputStream in = Components.class.getResourceAsStream("/redis-registrar.properties")) {
      Properties p = new Properties();
      if (in != null) {
        p.load(in);
      }
      return p.getProperty("version", "dev");
    } catch (IOException e) {
      return "dev";
    }
  }
}
