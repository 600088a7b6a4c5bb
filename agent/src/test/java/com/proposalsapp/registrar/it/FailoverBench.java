package com.proposalsapp.registrar.it;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * The failover benchmark (issue 3): etcd, three Redis, three Sentinels and three agents on
 * 127.0.0.1; N planned failovers ({@code SENTINEL FAILOVER}) then M crash failovers (the master
 * SIGKILLed, restarted once etcd names the new master), each measured by observers independent of
 * the agents: a {@code +switch-master} subscriber on every Sentinel and a jetcd watch that rebuilds
 * every etcd revision under the master name. The whole scenario runs twice, with Sentinel events
 * and with {@code --no-sentinel-events}.
 *
 * <p>Usage: {@code FailoverBench [planned] [crash]} (defaults 20 and 10), with system properties
 * {@code registrar.jar} and {@code registrar.it.dir} as for the integration tests. Exits 1 if etcd
 * ever showed two masters, 2 if the benchmark could not complete. Run it with {@code
 * scripts/bench-failover.sh}.
 */
public final class FailoverBench implements AutoCloseable {
  private static final Duration SENTINEL_DOWN_AFTER = Duration.ofMillis(1000);
  private static final List<String> AGENT_ARGS = List.of("--lease-ttl", "10s");
  private static final String GROUP = Records.PREFIX + "/" + Sandbox.MASTER_NAME + "/";
  private static final String MASTER_KEY = GROUP + "master";
  private static final int REDIS_COUNT = 3;
  private static final double TARGET_P99_MS = 100;

  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration SWITCH_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration CONVERGE_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(60);

  enum Kind {
    PLANNED,
    CRASH;

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * One failover's figures in milliseconds: from the first {@code +switch-master} sighting to the
   * sighting that made a majority of Sentinels (where the agents' quorum can first form), to
   * convergence and to the old master cleared; for a crash also from SIGKILL to the first sighting
   * and to convergence (NaN for a planned failover).
   */
  record Sample(
      Kind kind,
      String oldMaster,
      String newMaster,
      double majority,
      double convergence,
      double cleared,
      double detection,
      double total) {

    String line(int number, int of) {
      String crash =
          kind == Kind.CRASH
              ? String.format(
                  Locale.ROOT, ", SIGKILL->switch %.1f, SIGKILL->converged %.1f", detection, total)
              : "";
      return String.format(
          Locale.ROOT,
          "  %-7s %2d/%-2d %s -> %s: majority %.1f, converged %.1f, old master cleared %.1f%s (ms)",
          kind.label(),
          number,
          of,
          oldMaster,
          newMaster,
          majority,
          convergence,
          cleared,
          crash);
    }
  }

  /** One run's samples and what the watch saw over the whole run. */
  record RunResult(
      boolean events,
      List<Sample> samples,
      int revisions,
      List<String> twoMasters,
      List<String> keyWithoutRecord,
      List<String> unplanned) {

    FailoverBenchStats stats(Kind kind, ToDoubleFunction<Sample> figure) {
      return FailoverBenchStats.of(
          samples.stream().filter(s -> s.kind() == kind).map(figure::applyAsDouble).toList());
    }

    String label() {
      return events ? "with Sentinel events" : "poll only (--no-sentinel-events)";
    }
  }

  private final boolean events;
  private final Sandbox sandbox;
  private final FailoverBenchRevisions revisions;
  private final FailoverBenchSwitches switches;
  private final List<AgentProcess> agents = new ArrayList<>();
  private final List<String> unplanned = new ArrayList<>();

  /** Starts the servers, both observers and the three agents. */
  private FailoverBench(boolean events) {
    this.events = events;
    sandbox =
        Sandbox.start(
            "FailoverBench-" + (events ? "events" : "poll"),
            Sandbox.Options.defaults().withDownAfter(SENTINEL_DOWN_AFTER));
    try {
      revisions = FailoverBenchRevisions.start(sandbox.etcd().endpoint(), GROUP);
      switches = FailoverBenchSwitches.subscribe(sandbox.sentinels(), Sandbox.MASTER_NAME);
      List<String> args = new ArrayList<>(AGENT_ARGS);
      if (!events) {
        args.add("--no-sentinel-events");
      }
      for (int i = 0; i < REDIS_COUNT; i++) {
        agents.add(Agents.start(sandbox, i, args.toArray(String[]::new)));
      }
    } catch (RuntimeException | Error e) {
      try {
        close();
      } catch (RuntimeException | Error suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  public static void main(String[] args) {
    int planned = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    int crash = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    long started = System.nanoTime();
    int exit;
    try {
      List<RunResult> runs = new ArrayList<>();
      for (boolean events : new boolean[] {true, false}) {
        RunResult run = run(events, planned, crash);
        print(run);
        runs.add(run);
      }
      printComparison(runs.get(0), runs.get(1));
      exit = runs.stream().allMatch(r -> r.twoMasters().isEmpty()) ? 0 : 1;
    } catch (RuntimeException | Error e) {
      System.out.println("benchmark aborted: " + e);
      e.printStackTrace();
      exit = 2;
    }
    System.out.printf(
        Locale.ROOT, "wall time: %.1f s%n", millisBetween(started, System.nanoTime()) / 1000);
    System.exit(exit);
  }

  /** Runs the whole scenario once, with or without Sentinel events, and tears it down. */
  static RunResult run(boolean events, int planned, int crash) {
    try (FailoverBench bench = new FailoverBench(events)) {
      System.out.printf(
          "== %s: %d planned + %d crash failovers; Sentinel down-after %d ms, agents %s%s; %s;"
              + " sandbox %s%n",
          events ? "with Sentinel events" : "poll only",
          planned,
          crash,
          SENTINEL_DOWN_AFTER.toMillis(),
          String.join(" ", AGENT_ARGS),
          events ? "" : " --no-sentinel-events",
          hostLoad(),
          bench.sandbox.dir());
      return bench.measure(planned, crash);
    }
  }

  private RunResult measure(int planned, int crash) {
    awaitSettled(sandbox.currentMasterAddress());
    List<Sample> samples = new ArrayList<>();
    for (int i = 1; i <= planned; i++) {
      failover(this::plannedFailover, i, planned).ifPresent(samples::add);
    }
    for (int i = 1; i <= crash; i++) {
      failover(this::crashFailover, i, crash).ifPresent(samples::add);
    }
    revisions.check();
    switches.check();
    // The rebuilt state must end where etcd is: otherwise the watch missed something.
    await("the watch's last state matches etcd")
        .atMost(CONVERGE_TIMEOUT)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> revisions.latest().entries().equals(sandbox.etcd().getPrefix(GROUP)));
    List<FailoverBenchRevisions.State> states = revisions.states();
    FailoverBenchTimeline.write(
        sandbox.dir().resolve("timeline.log"), GROUP, switches.all(), states);
    List<String> twoMasters =
        states.stream()
            .filter(s -> masterIds(s).size() > 1)
            .map(s -> "revision " + s.revision() + ": " + masterIds(s))
            .toList();
    List<String> keyWithoutRecord =
        states.stream()
            .filter(s -> keyNamesNonMaster(s))
            .map(s -> "revision " + s.revision() + ": master key " + s.entries().get(MASTER_KEY))
            .toList();
    return new RunResult(
        events, samples, states.size(), twoMasters, keyWithoutRecord, List.copyOf(unplanned));
  }

  /** Runs one failover and prints its figures, and any failover the Sentinels added after it. */
  private Optional<Sample> failover(Supplier<Optional<Sample>> failover, int number, int of) {
    int unplannedBefore = unplanned.size();
    Optional<Sample> sample = failover.get();
    System.out.println(
        sample
            .map(s -> s.line(number, of))
            .orElse(
                String.format(
                    "  failover %d/%d not measured: the Sentinels moved on before etcd converged",
                    number, of)));
    unplanned
        .subList(unplannedBefore, unplanned.size())
        .forEach(
            u ->
                System.out.println(
                    "    then the Sentinels failed over again on their own: "
                        + u
                        + " (not measured)"));
    return sample;
  }

  /** {@code SENTINEL FAILOVER}, then waits until everything has settled on the new master. */
  private Optional<Sample> plannedFailover() {
    String old = sandbox.currentMasterAddress();
    long start = System.nanoTime();
    requestFailover(sandbox);
    String next = switches.awaitSwitch(old, start, SWITCH_TIMEOUT);
    boolean converged = awaitConverged(next, start);
    awaitSettled(next);
    return converged ? Optional.of(sample(Kind.PLANNED, old, next, start)) : Optional.empty();
  }

  /**
   * SIGKILLs the master; once etcd names the new one, restarts the old Redis (it rejoins as a
   * replica) and waits until everything has settled.
   */
  private Optional<Sample> crashFailover() {
    String old = sandbox.currentMasterAddress();
    RedisServer victim = sandbox.redisAt(old);
    long killed = System.nanoTime();
    victim.kill();
    String next = switches.awaitSwitch(old, killed, SWITCH_TIMEOUT);
    boolean converged = awaitConverged(next, killed);
    victim.restart();
    awaitSettled(next);
    return converged ? Optional.of(sample(Kind.CRASH, old, next, killed)) : Optional.empty();
  }

  /**
   * Waits until etcd names {@code master} (its record and the master key) at a revision seen since
   * {@code sinceNanos}; false if a Sentinel announced a switch away from it first. Only the
   * observers' records are polled meanwhile, so that the benchmark adds no load to the servers
   * while the agents converge.
   */
  private boolean awaitConverged(String master, long sinceNanos) {
    await("etcd names " + master + " master")
        .atMost(CONVERGE_TIMEOUT)
        .pollInterval(Duration.ofMillis(10))
        .until(
            () ->
                revisions.first(sinceNanos, s -> converged(s, master)).isPresent()
                    || switches.first(master, sinceNanos).isPresent());
    return revisions.first(sinceNanos, s -> converged(s, master)).isPresent();
  }

  /** Reads one failover's figures off the observers' records, all in since {@code start}. */
  private Sample sample(Kind kind, String old, String next, long start) {
    List<FailoverBenchSwitches.Sighting> sightings = switches.sightings(old, start);
    long switched = sightings.get(0).nanos();
    int majority = sandbox.sentinels().size() / 2 + 1;
    long converged = revisions.first(start, s -> converged(s, next)).orElseThrow().seenNanos();
    long cleared = revisions.first(start, s -> !claimsMaster(s, old)).orElseThrow().seenNanos();
    boolean crash = kind == Kind.CRASH;
    return new Sample(
        kind,
        old,
        next,
        sightings.size() >= majority
            ? millisBetween(switched, sightings.get(majority - 1).nanos())
            : Double.NaN,
        millisBetween(switched, converged),
        millisBetween(switched, cleared),
        crash ? millisBetween(start, switched) : Double.NaN,
        crash ? millisBetween(start, converged) : Double.NaN);
  }

  /** Asks a Sentinel to fail over, retrying while it has no good replica yet or is still busy. */
  static void requestFailover(Sandbox sandbox) {
    SentinelServer asked = sandbox.sentinels().get(0);
    await("SENTINEL FAILOVER accepted by " + asked)
        .atMost(REQUEST_TIMEOUT)
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(200))
        .until(() -> tryFailover(asked));
  }

  private static boolean tryFailover(SentinelServer sentinel) {
    try (Jedis jedis = sentinel.jedis()) {
      jedis.sentinelFailover(Sandbox.MASTER_NAME);
      return true;
    } catch (JedisDataException e) {
      String m = String.valueOf(e.getMessage());
      if (m.startsWith("NOGOODSLAVE") || m.startsWith("INPROG")) {
        return false;
      }
      throw e;
    }
  }

  /**
   * Waits until every Sentinel names the same master, knows both replicas and the other Sentinels,
   * both replicas link up, and etcd shows that master as master (record and master key) and the two
   * others as linked replicas of it. That master is normally {@code master}; a failover the
   * Sentinels start on their own is noted and not measured.
   */
  private void awaitSettled(String master) {
    sandbox.awaitSettled();
    await("etcd settled on the Sentinels' master")
        .atMost(SETTLE_TIMEOUT)
        .pollInterval(Duration.ofMillis(50))
        .ignoreExceptions()
        .until(() -> settled(revisions.latest(), sandbox.currentMasterAddress()));
    String named = sandbox.currentMasterAddress();
    if (!named.equals(master)) {
      // With a 1 s down-after a Sentinel sometimes judges a just-promoted master down.
      unplanned.add(master + " -> " + named);
    }
  }

  static boolean settled(FailoverBenchRevisions.State s, String master) {
    List<JsonNode> records = s.instances(Records.INSTANCES);
    return records.size() == REDIS_COUNT
        && converged(s, master)
        && records.stream()
            .filter(r -> !address(r).equals(master))
            .allMatch(
                r ->
                    Records.role(r).equals("replica")
                        && Records.followed(r).equals(master)
                        && r.path("link").asText().equals("up"));
  }

  /** The record of {@code address} says master and the master key names it. */
  static boolean converged(FailoverBenchRevisions.State s, String address) {
    boolean recordSaysMaster =
        s.instances(Records.INSTANCES).stream()
            .anyMatch(r -> address(r).equals(address) && Records.role(r).equals("master"));
    return recordSaysMaster
        && s.json(MASTER_KEY).map(FailoverBench::address).orElse("").equals(address);
  }

  /** A record names {@code address} as master, or the master key does. */
  private static boolean claimsMaster(FailoverBenchRevisions.State s, String address) {
    return s.instances(Records.INSTANCES).stream()
            .anyMatch(r -> address(r).equals(address) && Records.role(r).equals("master"))
        || s.json(MASTER_KEY).map(FailoverBench::address).orElse("").equals(address);
  }

  /** The ids of the instance records that say master. */
  private static List<String> masterIds(FailoverBenchRevisions.State s) {
    return s.instances(Records.INSTANCES).stream()
        .filter(r -> Records.role(r).equals("master"))
        .map(r -> r.path("id").asText())
        .sorted()
        .toList();
  }

  /** The master key is present but no instance record of its address says master. */
  private static boolean keyNamesNonMaster(FailoverBenchRevisions.State s) {
    return s.json(MASTER_KEY)
        .map(FailoverBench::address)
        .filter(
            a ->
                s.instances(Records.INSTANCES).stream()
                    .noneMatch(r -> address(r).equals(a) && Records.role(r).equals("master")))
        .isPresent();
  }

  private static String address(JsonNode record) {
    return record.path("host").asText() + ":" + record.path("port").asText();
  }

  private static void print(RunResult run) {
    System.out.println("-- " + run.label() + " --");
    System.out.println(
        String.format("%-40s", "ms from the first +switch-master") + FailoverBenchStats.header());
    row(run, Kind.PLANNED, "Sentinel majority switched", Sample::majority);
    row(run, Kind.PLANNED, "convergence", Sample::convergence);
    row(run, Kind.PLANNED, "old master cleared", Sample::cleared);
    row(run, Kind.CRASH, "Sentinel majority switched", Sample::majority);
    row(run, Kind.CRASH, "convergence", Sample::convergence);
    row(run, Kind.CRASH, "old master cleared", Sample::cleared);
    System.out.println(String.format("%-40s", "ms from SIGKILL") + FailoverBenchStats.header());
    row(run, Kind.CRASH, "+switch-master (detection)", Sample::detection);
    row(run, Kind.CRASH, "convergence (total)", Sample::total);
    System.out.printf(
        "two masters: %d of %d etcd revisions had more than one record with role=master%n",
        run.twoMasters().size(), run.revisions());
    run.twoMasters().forEach(r -> System.out.println("  " + r));
    System.out.printf(
        "master key naming an address whose record is not master: %d revisions%n",
        run.keyWithoutRecord().size());
    run.keyWithoutRecord().forEach(r -> System.out.println("  " + r));
    System.out.printf(
        "failovers the Sentinels started on their own (not measured): %d%n",
        run.unplanned().size());
    System.out.println("at the end of the run: " + hostLoad());
  }

  private static void row(RunResult run, Kind kind, String what, ToDoubleFunction<Sample> figure) {
    System.out.println(
        String.format("  %-38s", kind.label() + " " + what) + run.stats(kind, figure).row());
  }

  private static void printComparison(RunResult events, RunResult poll) {
    System.out.println("-- comparison --");
    for (Kind kind : Kind.values()) {
      double withEvents = events.stats(kind, Sample::convergence).p50();
      double pollOnly = poll.stats(kind, Sample::convergence).p50();
      System.out.printf(
          Locale.ROOT,
          "%s convergence p50: poll only %.1f ms / events %.1f ms = %.1fx%n",
          kind.label(),
          pollOnly,
          withEvents,
          pollOnly / withEvents);
    }
    for (Kind kind : Kind.values()) {
      double p99 = events.stats(kind, Sample::convergence).p99();
      System.out.printf(
          Locale.ROOT,
          "target: %s convergence p99 with events %.1f ms <= %.0f ms: %s%n",
          kind.label(),
          p99,
          TARGET_P99_MS,
          p99 <= TARGET_P99_MS ? "met" : "MISSED");
    }
    String counts =
        List.of(events, poll).stream()
            .map(r -> String.valueOf(r.twoMasters().size()))
            .collect(Collectors.joining(" and "));
    boolean none = events.twoMasters().isEmpty() && poll.twoMasters().isEmpty();
    System.out.println(
        "target: two masters 0 in every run: " + counts + ": " + (none ? "met" : "MISSED"));
  }

  /** "2 CPUs, load average 0.52": other work on the host lengthens every figure. */
  static String hostLoad() {
    return String.format(
        Locale.ROOT,
        "%d CPUs, load average %.2f",
        Runtime.getRuntime().availableProcessors(),
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
  }

  private static double millisBetween(long fromNanos, long toNanos) {
    return (toNanos - fromNanos) / 1e6;
  }

  /** Stops the agents (SIGKILL), both observers and every server. */
  @Override
  public void close() {
    agents.forEach(AgentProcess::close);
    if (switches != null) {
      switches.close();
    }
    if (revisions != null) {
      revisions.close();
    }
    sandbox.close();
  }
}
