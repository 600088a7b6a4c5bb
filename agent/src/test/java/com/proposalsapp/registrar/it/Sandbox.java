package com.proposalsapp.registrar.it;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Collectors;
import redis.clients.jedis.Jedis;

/**
 * One test's servers: an etcd and, unless etcd-only, three Redis (index 0 the first master, 1 and 2
 * its replicas) under three Sentinels monitoring {@link #MASTER_NAME}.
 */
public final class Sandbox implements AutoCloseable {
  public static final String MASTER_NAME = "proposalsapp-redis";
  private static final int REDIS_COUNT = 3;
  private static final int SENTINEL_COUNT = 3;
  private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(30);

  /**
   * What to start (Redis and Sentinels, or etcd alone), Sentinel's down-after-milliseconds, the
   * address Redis and the Sentinels listen on, their security, and whether they name each other by
   * host name ({@code localhost}: Sentinels with {@code resolve-hostnames} and {@code
   * announce-hostnames}, replicas with {@code replica-announce-ip localhost}).
   */
  public record Options(
      boolean redis, Duration downAfter, String host, RespSecurity security, boolean hostnames) {
    public static Options defaults() {
      return new Options(true, Duration.ofSeconds(1), HOST, RespSecurity.NONE, false);
    }

    public Options withoutRedis() {
      return new Options(false, downAfter, host, security, hostnames);
    }

    public Options withDownAfter(Duration downAfter) {
      return new Options(redis, downAfter, host, security, hostnames);
    }

    /** Redis and the Sentinels on {@code host} ("::1" for IPv6); etcd stays on 127.0.0.1. */
    public Options withHost(String host) {
      return new Options(redis, downAfter, host, security, hostnames);
    }

    public Options withSecurity(RespSecurity security) {
      return new Options(redis, downAfter, host, security, hostnames);
    }

    /** Sentinels and replicas that name every Redis {@code localhost}. */
    public Options withHostnames() {
      return new Options(redis, downAfter, host, security, true);
    }
  }

  private static final String HOST = ServerProcess.HOST;

  private final Path dir;
  private final List<ServerProcess> all = new CopyOnWriteArrayList<>();
  private final List<RedisServer> redis = new ArrayList<>();
  private final List<SentinelServer> sentinels = new ArrayList<>();
  private EtcdServer etcd;

  private Sandbox(Path dir) {
    this.dir = dir;
  }

  public static Sandbox start(String testName) {
    return start(testName, Options.defaults());
  }

  public static Sandbox etcdOnly(String testName) {
    return start(testName, Options.defaults().withoutRedis());
  }

  /**
   * Starts the servers in a fresh directory under {@code registrar.it.dir} and waits until they
   * have settled.
   */
  public static Sandbox start(String testName, Options options) {
    Sandbox sandbox = new Sandbox(createDir(testName));
    try {
      sandbox.startServers(options);
      return sandbox;
    } catch (RuntimeException | Error e) {
      sandbox.close();
      throw e;
    }
  }

  private void startServers(Options options) {
    // etcd needs about 0.6 s to elect itself: start Redis and the Sentinels meanwhile.
    CompletableFuture<EtcdServer> etcdStarted =
        CompletableFuture.supplyAsync(() -> add(EtcdServer.start(dir, "etcd")));
    try {
      if (options.redis()) {
        startRedisAndSentinels(options);
      }
    } finally {
      etcd = join(etcdStarted);
    }
  }

  private void startRedisAndSentinels(Options o) {
    String named = o.hostnames() ? "localhost" : o.host();
    String[] announce =
        o.hostnames() ? new String[] {"replica-announce-ip localhost"} : new String[0];
    RedisServer master =
        add(RedisServer.start(dir, "redis-0", o.host(), o.security(), named, 0, announce));
    redis.add(master);
    for (int i = 1; i < REDIS_COUNT; i++) {
      redis.add(
          add(
              RedisServer.start(
                  dir, "redis-" + i, o.host(), o.security(), named, master.port(), announce)));
    }
    // Sentinels learn replicas from the master's INFO, which they poll only every 10 s once
    // connected: start them after the replicas have linked up so that the first INFO lists them.
    await("replicas linked to " + master)
        .atMost(SETTLE_TIMEOUT)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> redis.stream().skip(1).allMatch(r -> isLinkedTo(r, master)));
    for (int i = 0; i < SENTINEL_COUNT; i++) {
      sentinels.add(
          add(
              SentinelServer.start(
                  dir,
                  "sentinel-" + i,
                  MASTER_NAME,
                  named,
                  master.port(),
                  o.downAfter(),
                  o.host(),
                  o.security(),
                  o.hostnames())));
    }
    awaitSettled();
  }

  private static <T> T join(CompletableFuture<T> future) {
    try {
      return future.join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException cause ? cause : e;
    }
  }

  /**
   * Waits (30 s at most) until every Sentinel names the same master, knows the other Sentinels and
   * lists every replica as one it could promote ({@link #promotable}), and every replica's link to
   * that master is up.
   */
  public void awaitSettled() {
    requireRedis();
    await("topology settled")
        .atMost(SETTLE_TIMEOUT)
        .pollInterval(Duration.ofMillis(100))
        .ignoreExceptions()
        .until(this::isSettled);
  }

  /**
   * Brings the servers back to a running, settled sandbox after a test's faults: resumes a paused
   * etcd, restarts dead Redis and Sentinels, and waits until the topology has settled.
   */
  public void heal() {
    if (etcd.isPaused()) {
      etcd.resume();
    }
    if (!etcd.isAlive()) {
      etcd.restart();
    }
    etcd.awaitReady();
    for (RedisServer r : redis) {
      r.resume();
      if (!r.isAlive()) {
        r.restart();
      }
    }
    for (SentinelServer s : sentinels) {
      s.resume();
      if (!s.isAlive()) {
        s.restart();
      }
    }
    if (!sentinels.isEmpty()) {
      awaitSettled();
    }
  }

  private boolean isSettled() {
    String master = sentinels.get(0).masterAddress(MASTER_NAME);
    for (SentinelServer sentinel : sentinels) {
      List<Map<String, String>> replicas = sentinel.replicas(MASTER_NAME);
      if (!sentinel.masterAddress(MASTER_NAME).equals(master)
          || replicas.size() != REDIS_COUNT - 1
          || !replicas.stream().allMatch(Sandbox::promotable)
          || sentinel.otherSentinels(MASTER_NAME).size() != SENTINEL_COUNT - 1) {
        return false;
      }
    }
    RedisServer masterServer = redisAt(master);
    return "master".equals(masterServer.role())
        && redis.stream().filter(r -> r != masterServer).allMatch(r -> isLinkedTo(r, masterServer));
  }

  /**
   * Whether a Sentinel would pick this replica ({@code SENTINEL REPLICAS} entry) at a failover: it
   * has seen the replica's own INFO say {@code role:slave} with its link to the master up, and
   * holds it neither down nor disconnected. A replica Sentinel has only heard of from the master
   * (or an old master not yet reconfigured) fails this, and a {@code SENTINEL FAILOVER} then aborts
   * with {@code -failover-abort-no-good-slave}.
   */
  private static boolean promotable(Map<String, String> replica) {
    List<String> flags = List.of(replica.getOrDefault("flags", "").split(","));
    return "slave".equals(replica.get("role-reported"))
        && "ok".equals(replica.get("master-link-status"))
        && !flags.contains("s_down")
        && !flags.contains("o_down")
        && !flags.contains("disconnected");
  }

  private static boolean isLinkedTo(RedisServer replica, RedisServer master) {
    Map<String, String> info = replica.infoReplication();
    return "slave".equals(info.get("role"))
        && String.valueOf(master.port()).equals(info.get("master_port"))
        && "up".equals(info.get("master_link_status"));
  }

  public Path dir() {
    return dir;
  }

  public EtcdServer etcd() {
    return etcd;
  }

  public List<RedisServer> redis() {
    return List.copyOf(redis);
  }

  public List<SentinelServer> sentinels() {
    return List.copyOf(sentinels);
  }

  /** {@code SENTINEL SET <master> ...} on every Sentinel: {@code settings} as name to value. */
  public void sentinelSet(Map<String, String> settings) {
    for (SentinelServer s : sentinels) {
      try (Jedis j = s.jedis()) {
        j.sentinelSet(MASTER_NAME, settings);
      }
    }
  }

  /**
   * Starts an HAProxy on the configuration that {@code config} makes for it, killed with the rest
   * of the sandbox.
   */
  public HaproxyServer startHaproxy(String name, Function<HaproxyServer, String> config) {
    return add(HaproxyServer.start(dir, name, config));
  }

  /** "127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3". */
  public String sentinelAddresses() {
    return sentinels.stream().map(ServerProcess::address).collect(Collectors.joining(","));
  }

  /** The Redis at {@code address}, by its port (a Sentinel may name it by another host). */
  public RedisServer redisAt(String address) {
    int port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    return redis.stream()
        .filter(r -> r.port() == port)
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no Redis at " + address));
  }

  /** The number of the Redis at {@code address} ("host:port") in {@link #redis()}. */
  public int indexOf(String address) {
    return redis.indexOf(redisAt(address));
  }

  /** The master address a majority of Sentinels give; fails if there is no majority. */
  public String currentMasterAddress() {
    Map<String, Long> votes =
        sentinels.stream()
            .map(Sandbox::masterAddressOrNull)
            .filter(a -> a != null)
            .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    return votes.entrySet().stream()
        .filter(e -> e.getValue() > sentinels.size() / 2)
        .map(Map.Entry::getKey)
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("no majority among Sentinels: " + votes));
  }

  /**
   * Sends {@code SENTINEL FAILOVER} and waits (30 s at most) until every running Sentinel names the
   * same new master and that server reports role:master; returns its address.
   */
  public String failover() {
    requireRedis();
    String old = currentMasterAddress();
    SentinelServer asked = running(sentinels).get(0);
    try (Jedis jedis = asked.jedis()) {
      jedis.sentinelFailover(MASTER_NAME);
    }
    return await("failover away from " + old)
        .atMost(SETTLE_TIMEOUT)
        .pollInterval(Duration.ofMillis(50))
        .ignoreExceptions()
        .until(() -> newMaster(old), Optional::isPresent)
        .orElseThrow();
  }

  private Optional<String> newMaster(String old) {
    List<String> named =
        running(sentinels).stream().map(s -> s.masterAddress(MASTER_NAME)).distinct().toList();
    if (named.size() != 1 || named.get(0).equals(old)) {
      return Optional.empty();
    }
    return Optional.of(named.get(0)).filter(a -> "master".equals(redisAt(a).role()));
  }

  private void requireRedis() {
    if (sentinels.isEmpty()) {
      throw new IllegalStateException("this sandbox runs etcd only");
    }
  }

  private static String masterAddressOrNull(SentinelServer sentinel) {
    try {
      return sentinel.isAlive() && !sentinel.isPaused()
          ? sentinel.masterAddress(MASTER_NAME)
          : null;
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static <T extends ServerProcess> List<T> running(List<T> servers) {
    return servers.stream().filter(s -> s.isAlive() && !s.isPaused()).toList();
  }

  private <T extends ServerProcess> T add(T server) {
    all.add(server);
    return server;
  }

  /**
   * A fresh directory for one test's servers and logs, under {@code registrar.it.dir} (default
   * {@code target/it}), named after the test.
   */
  public static Path createDir(String testName) {
    Path root = Path.of(System.getProperty("registrar.it.dir", "target/it")).toAbsolutePath();
    try {
      Files.createDirectories(root);
      return Files.createTempDirectory(root, testName + "-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** SIGKILLs every server, resuming paused ones first. */
  @Override
  public void close() {
    RuntimeException failure = null;
    for (ServerProcess server : all) {
      try {
        server.resume();
        server.kill();
      } catch (RuntimeException e) {
        failure = failure == null ? e : failure;
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
