package com.proposalsapp.registrar.it;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.core.ConditionTimeoutException;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

/**
 * One mode of the routing benchmark: a fresh sandbox (etcd, three Redis as dc1-dc3, three Sentinels
 * with down-after 1 s, three agents, fencing or not), a routing tier on "dc2", the two clients
 * through it, and the Sentinel and etcd observers; then the planned and the crash failovers, or the
 * {@code redis-registrar switchover}s, one after the other, each waited out until everything has
 * settled and the writer is writing to the new master.
 */
final class RoutingBenchRun implements AutoCloseable {
  static final int WRITES_PER_SECOND = 250;
  static final int READS_PER_SECOND = 200;
  static final int READ_POOL = 12;

  private static final Duration SENTINEL_DOWN_AFTER = Duration.ofMillis(1000);
  private static final List<String> AGENT_ARGS = List.of("--lease-ttl", "10s");
  private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration WARM_UP = Duration.ofSeconds(2);

  /** What switchover prints: "... writes held N ms", and each step as "[ N ms] step". */
  private static final Pattern HELD = Pattern.compile("writes held (\\d+) ms");

  private static final Pattern STEP = Pattern.compile("^\\[\\s*(\\d+) ms\\] (\\S+ \\S+ \\S+)");

  /**
   * How long each failover's steady state is held once it has settled, before the next one: where
   * fresh read connections show the weights with all three instances routable.
   */
  private static final Duration STEADY = Duration.ofMillis(1500);

  enum Kind {
    PLANNED,
    CRASH,
    SWITCHOVER;

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * A mode: the routing tier, the agents' extra flags (the fence on or off) and whether it runs
   * {@code redis-registrar switchover}s instead of planned and crash failovers.
   */
  record Mode(
      String label,
      Function<Sandbox, RoutingBenchTier> tier,
      List<String> agentArgs,
      boolean switchovers) {}

  /**
   * One failover as the observers saw it ({@link System#nanoTime()} readings): started (the
   * request, the SIGKILL or the switchover command's start), Sentinel's {@code
   * +failover-state-send-slaveof-noone}, {@code +promoted-slave}, for a crash {@code +odown}, the
   * first {@code +switch-master} (0 when not seen), and settled; for a switchover, how long it says
   * it held writes (NaN otherwise) and its steps with their times.
   */
  record Failover(
      Kind kind,
      int number,
      int of,
      String oldMaster,
      String newMaster,
      long started,
      long slaveofNoOne,
      long promoted,
      long odown,
      long switched,
      long settled,
      double held,
      String steps) {}

  /** Everything one mode recorded, for {@link RoutingBenchResult} to turn into figures. */
  record Recording(
      String tier,
      String description,
      List<Failover> failovers,
      List<RoutingBenchWriter.Ack> acks,
      Set<Long> onFinalMaster,
      List<RoutingBenchClient.Failure> writeFailures,
      List<RoutingBenchReader.Read> reads,
      List<RoutingBenchReader.Read> freshReads,
      List<RoutingBenchClient.Failure> readFailures,
      Map<Integer, String> dcByPort,
      List<String> unplanned,
      List<String> failedSwitchovers,
      long end) {}

  private final Sandbox sandbox;
  private final FailoverBenchRevisions revisions;
  private final RoutingBenchSentinelEvents events;
  private final List<AgentProcess> agents = new ArrayList<>();
  private final List<String> unplanned = new ArrayList<>();
  private final List<String> failedSwitchovers = new ArrayList<>();
  private final Mode mode;
  private RoutingBenchTier tier;
  private RoutingBenchWriter writer;
  private RoutingBenchReader reader;

  private RoutingBenchRun(Mode mode) {
    this.mode = mode;
    sandbox =
        Sandbox.start(
            // Short: HAProxy's stats socket lives under it and may not exceed 97 bytes.
            "rb-" + mode.label(), Sandbox.Options.defaults().withDownAfter(SENTINEL_DOWN_AFTER));
    try {
      revisions = FailoverBenchRevisions.start(sandbox.etcd().endpoint(), Records.GROUP);
      events = RoutingBenchSentinelEvents.subscribe(sandbox.sentinels(), Sandbox.MASTER_NAME);
      List<String> agentArgs = new ArrayList<>(AGENT_ARGS);
      agentArgs.addAll(mode.agentArgs());
      for (int i = 0; i < sandbox.redis().size(); i++) {
        agents.add(Agents.start(sandbox, i, agentArgs.toArray(String[]::new)));
      }
      awaitSettled(sandbox.currentMasterAddress());
      tier = mode.tier().apply(sandbox);
    } catch (RuntimeException | Error e) {
      try {
        close();
      } catch (RuntimeException | Error suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /**
   * Runs one mode with its own sandbox and tears it all down: {@code planned} and {@code crash}
   * failovers, or {@code switchovers} switchovers for a switchover mode.
   */
  static Recording run(Mode mode, int planned, int crash, int switchovers) {
    try (RoutingBenchRun run = new RoutingBenchRun(mode)) {
      System.out.printf(
          "== %s: %s%s; %s; writes %d/s on 1 connection, reads %d/s"
              + " over %d (Jedis, 2 s timeouts); Sentinel down-after %d ms; %s; sandbox %s%n",
          mode.label(),
          run.tier.description(),
          mode.agentArgs().isEmpty() ? "" : ", agents " + String.join(" ", mode.agentArgs()),
          mode.switchovers()
              ? switchovers + " redis-registrar switchovers"
              : planned + " planned + " + crash + " crash failovers",
          WRITES_PER_SECOND,
          READS_PER_SECOND,
          READ_POOL,
          SENTINEL_DOWN_AFTER.toMillis(),
          FailoverBench.hostLoad(),
          run.sandbox.dir());
      return mode.switchovers() ? run.measure(0, 0, switchovers) : run.measure(planned, crash, 0);
    }
  }

  private Recording measure(int planned, int crash, int switchovers) {
    String master = sandbox.currentMasterAddress();
    int masterPort = sandbox.redisAt(master).port();
    // The tier must route to the master before the clients start.
    await(tier.label() + " routes writes to " + master)
        .atMost(SETTLE_TIMEOUT)
        .pollInterval(Duration.ofMillis(100))
        .ignoreExceptions()
        .until(() -> servedBy(tier.writeAddress()) == masterPort);
    writer = RoutingBenchWriter.start(tier.writeAddress(), WRITES_PER_SECOND);
    reader = RoutingBenchReader.start(tier.readAddress(), READS_PER_SECOND, READ_POOL);
    long warm = System.nanoTime() + WARM_UP.toNanos();
    await("the clients warm up")
        .atMost(SETTLE_TIMEOUT)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> System.nanoTime() >= warm && !writer.acks().isEmpty());
    List<Failover> failovers = new ArrayList<>();
    for (int i = 1; i <= planned; i++) {
      failovers.add(planned(i, planned));
    }
    for (int i = 1; i <= crash; i++) {
      failovers.add(crash(i, crash));
    }
    for (int i = 1; i <= switchovers; i++) {
      switchover(i, switchovers).ifPresent(failovers::add);
    }
    long end = System.nanoTime();
    writer.close();
    reader.close();
    writer.check();
    reader.check();
    events.check();
    revisions.check();
    List<RoutingBenchWriter.Ack> acks = writer.acks();
    Map<Integer, String> dcByPort = new HashMap<>();
    for (int i = 0; i < sandbox.redis().size(); i++) {
      dcByPort.put(sandbox.redis().get(i).port(), Agents.dc(i));
    }
    return new Recording(
        mode.label(),
        tier.description(),
        failovers,
        acks,
        presentOn(sandbox.redisAt(sandbox.currentMasterAddress()), acks),
        writer.failures(),
        reader.reads(),
        reader.freshReads(),
        reader.failures(),
        dcByPort,
        List.copyOf(unplanned),
        List.copyOf(failedSwitchovers),
        end);
  }

  /** {@code SENTINEL FAILOVER}, then waits until everything has settled on the new master. */
  private Failover planned(int number, int of) {
    String old = sandbox.currentMasterAddress();
    long started = System.nanoTime();
    FailoverBench.requestFailover(sandbox);
    String next = awaitSwitch(old, started);
    long settled = awaitSettled(next);
    holdSteady();
    return failover(Kind.PLANNED, number, of, old, next, started, settled);
  }

  /**
   * {@code redis-registrar switchover} against the sandbox's Sentinels and etcd, then waits until
   * everything has settled on the new master. A switchover that fails (exit 1: it released the
   * writes and changed nothing, or the master moved without it seeing it) is printed and noted, and
   * no figures are taken from it.
   */
  private Optional<Failover> switchover(int number, int of) {
    String old = sandbox.currentMasterAddress();
    long started = System.nanoTime();
    AgentProcess.Result r =
        AgentProcess.run(
            SETTLE_TIMEOUT,
            Map.of(),
            "switchover",
            "--sentinels",
            sandbox.sentinelAddresses(),
            "--etcd",
            sandbox.etcd().endpoint());
    if (r.exitCode() != 0) {
      String why = r.stdout().strip().replace('\n', ';') + " " + r.stderr().strip();
      System.out.printf(
          "  switchover %2d/%-2d FAILED (exit %d): %s%n", number, of, r.exitCode(), why);
      failedSwitchovers.add(number + ": " + why);
      awaitSettled(sandbox.currentMasterAddress());
      holdSteady();
      return Optional.empty();
    }
    String next = awaitSwitch(old, started);
    long settled = awaitSettled(next);
    holdSteady();
    Matcher held = HELD.matcher(r.stdout());
    return Optional.of(
        failover(
            Kind.SWITCHOVER,
            number,
            of,
            old,
            next,
            started,
            settled,
            held.find() ? Double.parseDouble(held.group(1)) : Double.NaN,
            steps(r.stdout())));
  }

  /** The switchover's steps as "ms:first three words", from its "[ N ms] step" lines. */
  private static String steps(String stdout) {
    List<String> steps = new ArrayList<>();
    for (String line : stdout.split("\n")) {
      Matcher m = STEP.matcher(line.strip());
      if (m.find()) {
        steps.add(m.group(1) + " " + m.group(2));
      }
    }
    return String.join(", ", steps);
  }

  /**
   * SIGKILLs the master; once etcd names the new one, restarts the old Redis (it rejoins as a
   * replica, empty) and waits until everything has settled.
   */
  private Failover crash(int number, int of) {
    String old = sandbox.currentMasterAddress();
    RedisServer victim = sandbox.redisAt(old);
    long killed = System.nanoTime();
    victim.kill();
    String next = awaitSwitch(old, killed);
    await("etcd names " + next + " master")
        .atMost(SETTLE_TIMEOUT)
        .pollInterval(Duration.ofMillis(10))
        .until(() -> FailoverBench.converged(revisions.latest(), next));
    victim.restart();
    long settled = awaitSettled(next);
    holdSteady();
    return failover(Kind.CRASH, number, of, old, next, killed, settled);
  }

  private Failover failover(
      Kind kind, int number, int of, String old, String next, long started, long settled) {
    return failover(kind, number, of, old, next, started, settled, Double.NaN, "");
  }

  private Failover failover(
      Kind kind,
      int number,
      int of,
      String old,
      String next,
      long started,
      long settled,
      double held,
      String steps) {
    long noOne =
        events
            .first(RoutingBenchSentinelEvents.SLAVEOF_NOONE, started)
            .map(e -> e.nanos())
            .orElse(0L);
    long promoted =
        events
            .first(RoutingBenchSentinelEvents.PROMOTED, Math.max(started, noOne))
            .map(e -> e.nanos())
            .orElse(0L);
    long odown =
        kind == Kind.CRASH
            ? events.first(RoutingBenchSentinelEvents.ODOWN, started).map(e -> e.nanos()).orElse(0L)
            : 0L;
    long switched =
        events.first(RoutingBenchSentinelEvents.SWITCH, started).map(e -> e.nanos()).orElse(0L);
    Failover f =
        new Failover(
            kind, number, of, old, next, started, noOne, promoted, odown, switched, settled, held,
            steps);
    System.out.println(RoutingBenchResult.line(f, writer.acks()));
    return f;
  }

  /**
   * Lets the settled state run for {@link #STEADY}: a measuring window, not a wait for anything.
   */
  private void holdSteady() {
    long until = System.nanoTime() + STEADY.toNanos();
    await("steady state held")
        .atMost(STEADY.plusSeconds(10))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> System.nanoTime() >= until);
  }

  private String awaitSwitch(String old, long since) {
    return await("+switch-master away from " + old)
        .atMost(SETTLE_TIMEOUT)
        .pollInterval(Duration.ofMillis(10))
        .until(() -> events.first(RoutingBenchSentinelEvents.SWITCH, since), o -> o.isPresent())
        .map(e -> e.message().split(" "))
        .map(w -> w[3] + ":" + w[4])
        .orElseThrow();
  }

  /**
   * Waits until the Sentinels, the replicas and etcd have settled on the Sentinels' master and the
   * writer has had a write acknowledged by it; returns when. A failover the Sentinels started on
   * their own meanwhile is noted.
   */
  private long awaitSettled(String master) {
    sandbox.awaitSettled();
    await("etcd settled on the Sentinels' master")
        .atMost(SETTLE_TIMEOUT)
        .pollInterval(Duration.ofMillis(50))
        .ignoreExceptions()
        .until(() -> FailoverBench.settled(revisions.latest(), sandbox.currentMasterAddress()));
    String named = sandbox.currentMasterAddress();
    if (!named.equals(master)) {
      unplanned.add(master + " -> " + named);
    }
    if (writer != null) {
      int port = sandbox.redisAt(named).port();
      long since = System.nanoTime();
      try {
        awaitWriterOn(named, port, since);
      } catch (ConditionTimeoutException e) {
        throw new IllegalStateException(
            "the writer never wrote to "
                + named
                + ": last acknowledged "
                + writer.lastAck()
                + ", last failure "
                + writer.lastFailure(),
            e);
      }
    }
    return System.nanoTime();
  }

  private void awaitWriterOn(String named, int port, long since) {
    await("the writer writes to " + named)
        .atMost(SETTLE_TIMEOUT)
        .pollInterval(Duration.ofMillis(10))
        .failFast(
            () -> {
              writer.check();
              return false;
            })
        .until(
            () -> {
              RoutingBenchWriter.Ack last = writer.lastAck();
              return last != null && last.servedBy() == port && last.nanos() > since;
            });
  }

  /** The port of the Redis that answers a fresh connection to {@code address}. */
  private static int servedBy(String address) {
    int colon = address.lastIndexOf(':');
    try (Jedis jedis =
        new Jedis(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)))) {
      return Integer.parseInt(jedis.configGet("port").get("port"));
    }
  }

  /** The sequence numbers among {@code acks} whose key {@code master} holds. */
  private static Set<Long> presentOn(RedisServer master, List<RoutingBenchWriter.Ack> acks) {
    Set<Long> present = new HashSet<>();
    try (Jedis jedis = master.jedis()) {
      for (int from = 0; from < acks.size(); from += 1000) {
        List<RoutingBenchWriter.Ack> batch = acks.subList(from, Math.min(acks.size(), from + 1000));
        Pipeline p = jedis.pipelined();
        List<Response<Boolean>> exists = new ArrayList<>();
        batch.forEach(a -> exists.add(p.exists(RoutingBenchWriter.key(a.seq()))));
        p.sync();
        for (int i = 0; i < batch.size(); i++) {
          if (exists.get(i).get()) {
            present.add(batch.get(i).seq());
          }
        }
      }
    }
    return present;
  }

  /** Stops the clients, the tier, the agents (SIGKILL), the observers and every server. */
  @Override
  public void close() {
    if (writer != null) {
      writer.close();
    }
    if (reader != null) {
      reader.close();
    }
    if (tier != null) {
      tier.close();
    }
    agents.forEach(AgentProcess::close);
    if (events != null) {
      events.close();
    }
    if (revisions != null) {
      revisions.close();
    }
    sandbox.close();
  }
}
