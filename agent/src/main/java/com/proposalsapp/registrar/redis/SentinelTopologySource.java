package com.proposalsapp.registrar.redis;

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
import java.util.Set;
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
  // how the operator spells this Redis (--redis): what Sentinel and INFO report is compared with it
  private final HostPort self;
  // each Sentinel's run id (SENTINEL MYID), by the address it is asked at: one Sentinel listed
  // under
  // two names is one vote
  private final Map<HostPort, String> runIds = new ConcurrentHashMap<>();
  private final Set<String> aliasesReported = ConcurrentHashMap.newKeySet();
  // the misconfiguration each Sentinel last refused with, so that it is logged once per change
  private final Map<HostPort, String> refusals = new ConcurrentHashMap<>();
  private final String redisPassword;
  private RedisConnection master; // the master this replica follows, for its offset
  private final KnownSentinels sentinels;
  private final Map<HostPort, RedisConnection> connections = new ConcurrentHashMap<>();
  private final String sentinelPassword;
  private final Duration timeout;
  private final String masterName;
  private final int quorum;
  private final Clock clock;
  private final ExecutorService pool;
  private Instant nextDiscovery = Instant.MIN;

  /**
   * @param redisPassword null for none
   * @param sentinelPassword null for none
   * @param sentinels the configured Sentinels; those they report are added as they are found
   * @param quorum how many Sentinels must name the same master to confirm it; 0 for a majority of
   *     the Sentinels known at the time
   * @param timeout the connect and read timeout of every call
   */
  public SentinelTopologySource(
      HostPort redis,
      String redisPassword,
      KnownSentinels sentinels,
      String sentinelPassword,
      String masterName,
      int quorum,
      Duration timeout,
      Clock clock) {
    this.redis = new RedisConnection(redis, "Redis", redisPassword, timeout);
    this.self = redis;
    this.redisPassword = redisPassword;
    this.sentinels = sentinels;
    this.sentinelPassword = sentinelPassword;
    this.timeout = timeout;
    this.masterName = masterName;
    this.quorum = quorum;
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
    List<SentinelAnswer> answers =
        onePerSentinel(spelledAlike(asks.stream().map(CompletableFuture::join).toList()));
    replication = spelledLikeTheSentinels(replication, answers);
    Instant now = clock.instant();
    if (!now.isBefore(nextDiscovery)) {
      nextDiscovery = now.plus(DISCOVERY_INTERVAL);
      answers.stream()
          .filter(SentinelAnswer::answered)
          .findFirst()
          .ifPresent(a -> discover(a.sentinel()));
    }
    int q = quorum > 0 ? quorum : SentinelView.majorityOf(answers.size());
    return new Observation(
        now, replication, redisError, SentinelView.of(answers, q), masterOffset(replication));
  }

  /**
   * The answers with each Sentinel once: an answer from a run id already answered under another
   * address is dropped, with one ERROR line naming both.
   */
  private List<SentinelAnswer> onePerSentinel(List<SentinelAnswer> answers) {
    Map<String, HostPort> byRunId = new java.util.HashMap<>();
    List<SentinelAnswer> out = new ArrayList<>();
    for (SentinelAnswer a : answers) {
      String id = runIds.get(a.sentinel());
      HostPort first = id == null ? null : byRunId.putIfAbsent(id, a.sentinel());
      if (first == null) {
        out.add(a);
      } else if (aliasesReported.add(first + " " + a.sentinel())) {
        log.error(
            "Sentinel {} is Sentinel {} under another name (run id {}): it counts once; list it"
                + " once in --sentinels",
            a.sentinel(),
            first,
            id);
      }
    }
    return out;
  }

  /** The answers with one spelling per master, so that a name and its IP are one vote. */
  private List<SentinelAnswer> spelledAlike(List<SentinelAnswer> answers) {
    List<HostPort> seen = new ArrayList<>(List.of(self));
    List<SentinelAnswer> out = new ArrayList<>();
    for (SentinelAnswer a : answers) {
      if (a.master() == null) {
        out.add(a);
        continue;
      }
      HostPort m = Endpoints.spelledAs(a.master(), seen);
      if (m == a.master()) {
        seen.add(m);
      }
      out.add(SentinelAnswer.named(a.sentinel(), m, a.configEpoch()));
    }
    return out;
  }

  /**
   * A replica's master as the Sentinels spell it (or as --redis does), when it is the same
   * endpoint: INFO may say {@code localhost} where Sentinel says {@code 127.0.0.1}.
   */
  private Replication spelledLikeTheSentinels(Replication r, List<SentinelAnswer> answers) {
    if (r == null || r.master()) {
      return r;
    }
    List<HostPort> spellings = new ArrayList<>();
    spellings.add(self);
    answers.stream().map(SentinelAnswer::master).filter(m -> m != null).forEach(spellings::add);
    HostPort spelled = Endpoints.spelledAs(r.masterAddress(), spellings);
    return spelled.equals(r.masterAddress())
        ? r
        : new Replication(
            false, spelled, r.linkUp(), r.syncInProgress(), r.connectedReplicas(), r.offset());
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
      master = new RedisConnection(replication.masterAddress(), "master", redisPassword, timeout);
    }
    try {
      Replication m = InfoReplication.parse(master.call(j -> j.info("replication")));
      return m.master() ? m.offset() : null;
    } catch (RedisException | IllegalArgumentException e) {
      log.debug("could not read the master's offset from {}: {}", master.address(), e.getMessage());
      return null;
    }
  }

  /** Adds the Sentinels that {@code sentinel} knows for this master to the known set. */
  private void discover(HostPort sentinel) {
    try {
      List<Map<String, String>> others =
          connection(sentinel).call(j -> j.sentinelSentinels(masterName));
      for (Map<String, String> o : others) {
        HostPort found = new HostPort(o.get("ip"), Integer.parseInt(o.get("port")));
        // a Sentinel configured by name is reported by IP: the same one, not a new one
        boolean known =
            runIds.containsValue(String.valueOf(o.get("runid")))
                || sentinels.all().stream().anyMatch(k -> Endpoints.same(k, found));
        if (!known && sentinels.add(found)) {
          log.info("discovered Sentinel {} through {}", found, sentinel);
        }
      }
    } catch (RedisException | RuntimeException e) {
      log.debug("Sentinel discovery through {} failed: {}", sentinel, e.getMessage());
    }
  }

  private RedisConnection connection(HostPort sentinel) {
    return connections.computeIfAbsent(
        sentinel, s -> new RedisConnection(s, "Sentinel", sentinelPassword, timeout));
  }

  private SentinelAnswer ask(RedisConnection sentinel) {
    try {
      if (!runIds.containsKey(sentinel.address())) {
        runIds.put(sentinel.address(), sentinel.call(j -> j.sentinelMyId()));
      }
      Map<String, String> m = sentinel.call(j -> j.sentinelMaster(masterName));
      HostPort master =
          Endpoints.spelledAs(
              new HostPort(m.get("ip"), Integer.parseInt(m.get("port"))), List.of(self));
      String epoch = m.get("config-epoch");
      refusals.remove(sentinel.address());
      return SentinelAnswer.named(
          sentinel.address(), master, epoch == null ? 0 : Long.parseLong(epoch));
    } catch (RedisException e) {
      refused(sentinel.address(), e.getMessage());
      return SentinelAnswer.failed(sentinel.address(), e.getMessage());
    } catch (RuntimeException e) {
      return SentinelAnswer.failed(
          sentinel.address(), "Sentinel at " + sentinel.address() + ": unreadable answer: " + e);
    }
  }

  /**
   * A Sentinel that answers but refuses (an unknown master name, a wrong password) is a
   * misconfiguration, not an outage: one ERROR line naming it and what to check, once per change.
   */
  private void refused(HostPort sentinel, String message) {
    String hint = null;
    if (message.contains("No such master")) {
      hint = "it does not know --master-name " + masterName;
    } else if (message.contains("WRONGPASS") || message.contains("NOAUTH")) {
      hint = "it refuses the password: check --sentinel-password-file";
    } else if (message.contains("NOPERM")) {
      hint = "its ACL does not allow the agent's commands";
    }
    if (hint != null && !message.equals(refusals.put(sentinel, message))) {
      log.error("Sentinel {} is misconfigured for this agent: {} ({})", sentinel, hint, message);
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
