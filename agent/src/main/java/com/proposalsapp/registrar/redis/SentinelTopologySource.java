package com.proposalsapp.registrar.redis;

import com.proposalsapp.registrar.core.Endpoints;
import com.proposalsapp.registrar.core.HostPort;
import com.proposalsapp.registrar.core.Observation;
import com.proposalsapp.registrar.core.Replication;
import com.proposalsapp.registrar.core.SentinelAnswer;
import com.proposalsapp.registrar.core.SentinelView;
import com.proposalsapp.registrar.core.TopologySource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Observes one Redis with {@code INFO replication} and asks every Sentinel who is master. */
public final class SentinelTopologySource implements TopologySource {

  private static final Logger log = LoggerFactory.getLogger(SentinelTopologySource.class);

  /** How often the Sentinels are asked for the other Sentinels they know. */
  static final Duration DISCOVERY_INTERVAL = Duration.ofSeconds(10);

  private final RedisConnection redis;
  private final RedisClients redisClients;
  private RedisConnection master; // the master this replica follows, for its offset
  private final KnownSentinels sentinels;
  private final Map<HostPort, RedisConnection> connections = new ConcurrentHashMap<>();
  private final RedisClients sentinelClients;
  private final String masterName;
  private final int quorum;
  private final Endpoints endpoints;
  private final Clock clock;
  private final ExecutorService pool;
  private Instant nextDiscovery = Instant.MIN;

  /**
   * @param redisClients how to reach this Redis and the master it follows
   * @param sentinels the configured Sentinels; those they report are added as they are found
   * @param sentinelClients how to reach the Sentinels
   * @param quorum how many Sentinels must name the same master to confirm it; 0 for a majority of
   *     the distinct Sentinels known at the time
   * @param endpoints how the masters the Sentinels name are told apart
   */
  public SentinelTopologySource(
      HostPort redis,
      RedisClients redisClients,
      KnownSentinels sentinels,
      RedisClients sentinelClients,
      String masterName,
      int quorum,
      Endpoints endpoints,
      Clock clock) {
    this.redis = new RedisConnection(redis, "Redis", redisClients);
    this.redisClients = redisClients;
    this.sentinels = sentinels;
    this.sentinelClients = sentinelClients;
    this.masterName = masterName;
    this.quorum = quorum;
    this.endpoints = endpoints;
    this.clock = clock;
    this.pool =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "observe");
              t.setDaemon(true);
              return t;
            });
  }

  @Override
  public Observation observe() {
    List<HostPort> known = sentinels.all();
    List<CompletableFuture<SentinelAnswer>> asks = new ArrayList<>();
    for (HostPort s : known) {
      asks.add(CompletableFuture.supplyAsync(() -> ask(connection(s)), pool));
    }
    Replication replication = null;
    String redisError = null;
    try {
      replication = InfoReplication.parse(redis.call(j -> j.info("replication")));
    } catch (RedisException e) {
      redisError = e.getMessage();
    } catch (IllegalArgumentException e) {
      redisError = "Redis at " + redis.address() + ": " + e.getMessage();
    }
    List<SentinelAnswer> answers = withoutDiscoveredAliases(asks);
    Instant now = clock.instant();
    if (!now.isBefore(nextDiscovery)) {
      nextDiscovery = now.plus(DISCOVERY_INTERVAL);
      answers.stream()
          .filter(SentinelAnswer::answered)
          .findFirst()
          .ifPresent(a -> discover(a.sentinel(), answers));
    }
    return new Observation(
        now,
        replication,
        redisError,
        SentinelView.of(answers, quorum, endpoints),
        masterOffset(replication));
  }

  /**
   * The answers, less those of discovered Sentinels that turn out to be a Sentinel already asked
   * under another address (Sentinels report each other by IP or by announced name): only a Sentinel
   * configured twice is the operator's mistake.
   */
  private List<SentinelAnswer> withoutDiscoveredAliases(
      List<CompletableFuture<SentinelAnswer>> asks) {
    List<SentinelAnswer> answers = new ArrayList<>();
    java.util.Set<String> runIds = new java.util.HashSet<>();
    for (CompletableFuture<SentinelAnswer> ask : asks) {
      SentinelAnswer a = ask.join();
      boolean seen = a.runId() != null && !runIds.add(a.runId());
      if (seen && !sentinels.configured(a.sentinel())) {
        log.debug("Sentinel {} is one already asked under another address", a.sentinel());
        continue;
      }
      answers.add(a);
    }
    return answers;
  }

  /**
   * The replication offset of the master a linked replica follows, asked of that master (a replica
   * does not know it); null for a master, a replica without link, or a master that does not answer.
   */
  private Long masterOffset(Replication replication) {
    if (replication == null || replication.master() || !replication.linkUp()) {
      return null;
    }
    if (master == null || !master.address().equals(replication.masterAddress())) {
      if (master != null) {
        master.close();
      }
      master = new RedisConnection(replication.masterAddress(), "master", redisClients);
    }
    try {
      Replication m = InfoReplication.parse(master.call(j -> j.info("replication")));
      return m.master() ? m.offset() : null;
    } catch (RedisException | IllegalArgumentException e) {
      log.debug("could not read the master's offset from {}: {}", master.address(), e.getMessage());
      return null;
    }
  }

  /**
   * Adds the Sentinels that {@code sentinel} knows for this master to the known set, unless one of
   * {@code answers} came from it already (its run id, or the same endpoint).
   */
  private void discover(HostPort sentinel, List<SentinelAnswer> answers) {
    try {
      List<Map<String, String>> others =
          connection(sentinel).call(j -> j.sentinelSentinels(masterName));
      for (Map<String, String> o : others) {
        HostPort found = new HostPort(o.get("ip"), Integer.parseInt(o.get("port")));
        String runId = o.get("runid");
        boolean asked =
            answers.stream()
                .anyMatch(
                    a ->
                        (runId != null && runId.equals(a.runId()))
                            || endpoints.same(a.sentinel(), found));
        if (!asked && sentinels.add(found)) {
          log.info("discovered Sentinel {} through {}", found, sentinel);
        }
      }
    } catch (RedisException | RuntimeException e) {
      log.debug("Sentinel discovery through {} failed: {}", sentinel, e.getMessage());
    }
  }

  private RedisConnection connection(HostPort sentinel) {
    return connections.computeIfAbsent(
        sentinel, s -> new RedisConnection(s, "Sentinel", sentinelClients));
  }

  private SentinelAnswer ask(RedisConnection sentinel) {
    String runId = null;
    try {
      runId = sentinel.perConnection(j -> j.sentinelMyId());
      Map<String, String> m = sentinel.call(j -> j.sentinelMaster(masterName));
      HostPort master = new HostPort(m.get("ip"), Integer.parseInt(m.get("port")));
      String epoch = m.get("config-epoch");
      return SentinelAnswer.named(
          sentinel.address(), runId, master, epoch == null ? 0 : Long.parseLong(epoch));
    } catch (RedisException e) {
      SentinelAnswer.Problem problem = SentinelErrors.classify(e);
      String error =
          problem == SentinelAnswer.Problem.UNKNOWN_MASTER
              ? "Sentinel at "
                  + sentinel.address()
                  + " monitors no master named '"
                  + masterName
                  + "': check --master-name against its 'sentinel monitor' line"
              : e.getMessage();
      return SentinelAnswer.failed(sentinel.address(), runId, problem, error);
    } catch (RuntimeException e) {
      return SentinelAnswer.failed(
          sentinel.address(),
          runId,
          SentinelAnswer.Problem.BAD_ANSWER,
          "Sentinel at " + sentinel.address() + ": unreadable answer: " + e);
    }
  }

  @Override
  public void close() {
    pool.shutdownNow();
    redis.close();
    if (master != null) {
      master.close();
    }
    connections.values().forEach(RedisConnection::close);
  }
}
