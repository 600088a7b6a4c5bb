package com.proposalsapp.registrar.it;

import static com.proposalsapp.registrar.it.SentinelFailoverFixture.EVENTS_CLIENT;
import static com.proposalsapp.registrar.it.SentinelFailoverFixture.clientsNamed;
import static com.proposalsapp.registrar.it.SentinelFailoverFixture.history;
import static com.proposalsapp.registrar.it.SentinelFailoverFixture.id;
import static com.proposalsapp.registrar.it.SentinelFailoverFixture.invariantViolations;
import static com.proposalsapp.registrar.it.SentinelFailoverFixture.roleTimeline;
import static com.proposalsapp.registrar.it.SentinelFailoverFixture.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.proposalsapp.registrar.it.SentinelFailoverFixture.AgentTrio;
import com.proposalsapp.registrar.it.SentinelFailoverFixture.Snapshot;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * Failovers on real servers with an agent beside each Redis: what etcd shows after a planned and a
 * crash failover, when an old master comes back, when Sentinels lose their majority, when events
 * are off, and when an old {@code +switch-master} is replayed.
 *
 * <p>One sandbox (etcd, three Redis, three Sentinels with a 1 s down-after) serves every test; each
 * test starts its own three agents and leaves the servers running, and the next test first restarts
 * anything left dead and waits until the Sentinels have settled.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SentinelFailoverIT {
  @RegisterExtension
  static final SandboxExtension SANDBOX =
      SandboxExtension.of(Sandbox.Options.defaults().withDownAfter(Duration.ofMillis(1000)))
          .healedBeforeEachTest();

  private static final Duration POLL = Duration.ofMillis(200);
  private static final String[] FAST = {"--poll-interval", "200ms", "--lease-ttl", "5s"};
  private static final Duration SETTLE = Duration.ofSeconds(30);

  private Sandbox sandbox;
  private AgentTrio agents;
  private String tag;

  @BeforeEach
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void awaitNoRecords(TestInfo test) {
    sandbox = SANDBOX.get(); // healed: every server running, the topology settled
    tag = test.getTestMethod().orElseThrow().getName();
    SentinelFailoverFixture.awaitEmpty(sandbox.etcd(), Duration.ofSeconds(10));
  }

  @AfterEach
  void stopAgents() {
    if (agents != null) {
      agents.close();
      agents = null;
    }
  }

  /**
   * {@code SENTINEL FAILOVER}: the new master's record says master and the master key names it with
   * a higher epoch within 2 s of the Sentinels agreeing; the old master is stale while it still
   * says role:master, then a replica of the new master; the third Redis follows the new master. At
   * no revision does etcd hold two masters or a master key naming a non-master.
   */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void plannedFailoverMovesEveryRecordAndTheMasterKey() {
    agents = AgentTrio.start(sandbox, tag, sandbox.sentinelAddresses(), Map.of(), FAST);
    Snapshot before = awaitSteady(Duration.ofSeconds(20));
    // Positive control for the poll-only test: with events on, every agent is subscribed to every
    // Sentinel.
    await("three event subscriptions on every Sentinel")
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> sandbox.sentinels().stream().allMatch(s -> clientsNamed(s, EVENTS_CLIENT) == 3));
    int old = indexOf(sandbox.currentMasterAddress());

    long t0 = System.nanoTime();
    String newMaster = sandbox.failover();
    long agreed = System.nanoTime();
    int promoted = indexOf(newMaster);
    int third = 3 - old - promoted;

    Snapshot promotedState =
        awaitState(
            "new master " + id(promoted) + " published as master, with the master key",
            Duration.ofSeconds(2),
            s ->
                s.role(id(promoted)).equals("master")
                    && s.masterId().equals(id(promoted))
                    && s.masterEpoch() > before.masterEpoch());
    long converged = System.nanoTime();
    assertThat(promotedState.role(id(old))).isIn("stale", "syncing", "replica");

    Snapshot after =
        awaitState(
            "old master and third Redis published as replicas of " + newMaster,
            SETTLE,
            s ->
                isReplicaOf(s, id(old), newMaster)
                    && isReplicaOf(s, id(third), newMaster)
                    && s.role(id(promoted)).equals("master")
                    && s.masterId().equals(id(promoted)));
    System.out.printf(
        "%s: Sentinels agreed %d ms after SENTINEL FAILOVER; etcd showed the new master %d ms"
            + " later%n",
        tag, millis(t0, agreed), millis(agreed, converged));

    List<Snapshot> history = history(sandbox.etcd(), before.revision(), after.revision());
    assertThat(invariantViolations(history)).as("revisions breaking the rules").isEmpty();
    List<String> oldRoles = roleTimeline(history, id(old));
    System.out.printf(
        "%s: old master's record %s; new master's %s%n",
        tag, oldRoles, roleTimeline(history, id(promoted)));
    // Sentinel leaves the old master saying role:master for seconds: the agent must call it stale.
    assertThat(oldRoles).as("roles of the old master's record").startsWith("master", "stale");
    assertThat(oldRoles.subList(1, oldRoles.size())).doesNotContain("master", "absent");
    assertThat(oldRoles).endsWith("replica");
    // (The promoted replica may be stale for a moment: it says role:master before every Sentinel
    // names it.)
    assertThat(roleTimeline(history, id(promoted))).doesNotContain("absent").endsWith("master");
    assertThat(
            after.master().orElseThrow().path("host").asText()
                + ":"
                + after.master().orElseThrow().path("port").asText())
        .isEqualTo(newMaster);
  }

  /**
   * SIGKILLed master: once the Sentinels agree, the new master's record and the master key follow
   * with a higher epoch, the dead master's record is withdrawn and the third Redis follows. When
   * the old master comes back (still configured as a master) it is published stale, never master,
   * until Sentinel turns it into a replica; then replica of the master the Sentinels name.
   */
  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void crashFailoverMovesEveryRecordAndTheReturningOldMasterIsStaleThenReplica() {
    agents = AgentTrio.start(sandbox, tag, sandbox.sentinelAddresses(), Map.of(), FAST);
    Snapshot before = awaitSteady(Duration.ofSeconds(20));
    int old = indexOf(sandbox.currentMasterAddress());
    String oldAddress = sandbox.redis().get(old).address();
    RedisServer oldServer = sandbox.redis().get(old);

    long killed = System.nanoTime();
    oldServer.kill();
    String newMaster =
        await("Sentinels agree on a master other than " + oldAddress)
            .atMost(SETTLE)
            .pollInterval(Duration.ofMillis(50))
            .ignoreExceptions()
            .until(
                sandbox::currentMasterAddress,
                a -> !a.equals(oldAddress) && "master".equals(sandbox.redisAt(a).role()));
    long agreed = System.nanoTime();
    int promoted = indexOf(newMaster);
    int third = 3 - old - promoted;

    awaitState(
        "new master " + id(promoted) + " published as master, with the master key",
        Duration.ofSeconds(2),
        s ->
            s.role(id(promoted)).equals("master")
                && s.masterId().equals(id(promoted))
                && s.masterEpoch() > before.masterEpoch());
    long converged = System.nanoTime();
    Snapshot failedOver =
        awaitState(
            "dead master's record withdrawn and the third Redis following " + newMaster,
            SETTLE,
            s ->
                s.role(id(old)).equals("absent")
                    && isReplicaOf(s, id(third), newMaster)
                    && s.role(id(promoted)).equals("master")
                    && s.masterId().equals(id(promoted)));
    System.out.printf(
        "%s: Sentinels agreed %d ms after SIGKILL; etcd showed the new master %d ms later%n",
        tag, millis(killed, agreed), millis(agreed, converged));

    oldServer.restart();
    assertThat(oldServer.role()).as("the old master restarts as a master").isEqualTo("master");
    long restarted = System.nanoTime();
    // On a loaded machine the Sentinels have been seen to fail over once more after the old master
    // returned (to the third Redis, at a higher epoch). What must hold either way: the old master
    // comes back as a replica of the master the Sentinels name now, and etcd agrees with them.
    Snapshot after =
        awaitState(
            "returning old master published as a replica of the master the Sentinels name",
            Duration.ofSeconds(45),
            s -> {
              String named = sentinelMajorityOrNull();
              if (named == null || named.equals(oldAddress)) {
                return false;
              }
              int master = indexOf(named);
              int replica = 3 - old - master;
              return isReplicaOf(s, id(old), named)
                  && isReplicaOf(s, id(replica), named)
                  && s.role(id(master)).equals("master")
                  && s.masterId().equals(id(master));
            });
    System.out.printf(
        "%s: the old master was published as a replica %d ms after its restart%n",
        tag, millis(restarted, System.nanoTime()));

    List<Snapshot> all = history(sandbox.etcd(), before.revision(), after.revision());
    assertThat(invariantViolations(all)).as("revisions breaking the rules").isEmpty();
    List<String> returning =
        roleTimeline(history(sandbox.etcd(), failedOver.revision(), after.revision()), id(old));
    System.out.printf(
        "%s: old master's record %s; after its restart %s%n",
        tag, roleTimeline(all, id(old)), returning);
    assertThat(returning)
        .as("roles of the old master's record after its restart")
        .startsWith("absent", "stale")
        .endsWith("replica")
        .doesNotContain("master");
    assertThat(after.masterEpoch())
        .isGreaterThan(before.masterEpoch())
        .isEqualTo(
            after.instance(after.masterId()).orElseThrow().path("sentinel").path("epoch").asLong());
  }

  /** The master a majority of Sentinels name, or null while they do not agree. */
  private String sentinelMajorityOrNull() {
    try {
      return sandbox.currentMasterAddress();
    } catch (RuntimeException noMajority) {
      return null;
    }
  }

  /**
   * Two of three Sentinels SIGKILLed: no quorum names the master, so under the default policy its
   * record turns stale and the master key goes; nothing says master. With the Sentinels back, the
   * record says master again and the master key returns at the same epoch.
   */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void withoutSentinelMajorityTheMasterIsStaleAndTheMasterKeyGoes() {
    agents = AgentTrio.start(sandbox, tag, sandbox.sentinelAddresses(), Map.of(), FAST);
    Snapshot before = awaitSteady(Duration.ofSeconds(20));
    int master = indexOf(sandbox.currentMasterAddress());
    List<SentinelServer> stopped = sandbox.sentinels().subList(1, 3);

    stopped.forEach(SentinelServer::kill);
    Snapshot minority =
        awaitState(
            "master's record stale and the master key gone",
            Duration.ofSeconds(5),
            s -> s.role(id(master)).equals("stale") && s.master().isEmpty());
    JsonNode sentinel = minority.instance(id(master)).orElseThrow().path("sentinel");
    assertThat(sentinel.path("confirmed").asBoolean(true)).isFalse();
    assertThat(sentinel.path("reachable").asInt()).isEqualTo(1);
    assertThat(minority.masters()).as("records saying master").isEmpty();
    // Stays so: nothing re-advertises the master while the majority is missing.
    Snapshot later =
        awaitStateDuring(
            "no record says master and no master key, for five polls",
            POLL.multipliedBy(5),
            s -> s.masters().isEmpty() && s.master().isEmpty());
    assertThat(invariantViolations(history(sandbox.etcd(), minority.revision(), later.revision())))
        .isEmpty();

    stopped.forEach(SentinelServer::restart);
    Snapshot back =
        awaitState(
            "master's record says master again, with the master key",
            Duration.ofSeconds(10),
            s ->
                s.role(id(master)).equals("master")
                    && s.masterId().equals(id(master))
                    && s.instance(id(master))
                        .orElseThrow()
                        .path("sentinel")
                        .path("confirmed")
                        .asBoolean(false));
    assertThat(back.masterEpoch()).isEqualTo(before.masterEpoch());
    assertThat(invariantViolations(history(sandbox.etcd(), before.revision(), back.revision())))
        .isEmpty();
  }

  /**
   * {@code --no-sentinel-events}: the agents hold no subscription, yet the poll carries a planned
   * failover to etcd within a few poll intervals of the Sentinels agreeing.
   */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void withoutEventsThePollStillFollowsAFailover() {
    Duration poll = Duration.ofSeconds(1);
    agents =
        AgentTrio.start(
            sandbox,
            tag,
            sandbox.sentinelAddresses(),
            Map.of(),
            "--no-sentinel-events",
            "--poll-interval",
            "1s",
            "--lease-ttl",
            "5s");
    Snapshot before = awaitSteady(Duration.ofSeconds(20));
    assertThat(sandbox.sentinels())
        .as("Sentinels with an event subscription from an agent")
        .allMatch(s -> clientsNamed(s, EVENTS_CLIENT) == 0);
    int old = indexOf(sandbox.currentMasterAddress());

    String newMaster = sandbox.failover();
    long agreed = System.nanoTime();
    int promoted = indexOf(newMaster);
    int third = 3 - old - promoted;
    Snapshot promotedState =
        awaitState(
            "new master " + id(promoted) + " published as master within 3 polls",
            poll.multipliedBy(3),
            s ->
                s.role(id(promoted)).equals("master")
                    && s.masterId().equals(id(promoted))
                    && s.masterEpoch() > before.masterEpoch());
    System.out.printf(
        "%s: poll only (1 s): etcd showed the new master %d ms after the Sentinels agreed%n",
        tag, millis(agreed, System.nanoTime()));
    assertThat(promotedState.role(id(old))).isIn("stale", "syncing", "replica");

    Snapshot after =
        awaitState(
            "old master and third Redis published as replicas of " + newMaster,
            SETTLE,
            s -> isReplicaOf(s, id(old), newMaster) && isReplicaOf(s, id(third), newMaster));
    assertThat(invariantViolations(history(sandbox.etcd(), before.revision(), after.revision())))
        .isEmpty();
    assertThat(sandbox.sentinels()).allMatch(s -> clientsNamed(s, EVENTS_CLIENT) == 0);
  }

  /**
   * The failover's progress wakes the agents: with a 10 s poll, the promoted replica's record
   * leaves {@code replica} before any Sentinel has announced {@code +switch-master}, which is all
   * the agents listened to before. Real Sentinels publish the progress events; they refuse a
   * client's {@code PUBLISH} of them, so only a real failover can show this.
   */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void failoverProgressMovesThePromotedRecordBeforeSwitchMaster() {
    agents =
        AgentTrio.start(
            sandbox,
            tag,
            sandbox.sentinelAddresses(),
            Map.of("REGISTRAR_LOG_LEVEL", "DEBUG"),
            "--poll-interval",
            "10s",
            "--lease-ttl",
            "5s");
    awaitSteady(Duration.ofSeconds(30));
    await("three event subscriptions on every Sentinel")
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> sandbox.sentinels().stream().allMatch(s -> clientsNamed(s, EVENTS_CLIENT) == 3));
    String old = sandbox.currentMasterAddress();
    try (FailoverBenchSwitches switches =
            FailoverBenchSwitches.subscribe(sandbox.sentinels(), Sandbox.MASTER_NAME);
        EtcdWatch watch =
            EtcdWatch.start(
                sandbox.etcd(),
                SentinelFailoverFixture.GROUP,
                sandbox.dir().resolve(tag + "-watch.log"))) {
      long start = System.nanoTime();
      String promoted = sandbox.failover();
      String promotedKey = SentinelFailoverFixture.INSTANCES + id(indexOf(promoted));
      EtcdWatch.State left =
          watch.awaitFirst(
              "record of " + promoted + " no longer replica",
              start,
              Duration.ofSeconds(10),
              st ->
                  st.value(promotedKey)
                      .map(v -> !Records.role(Records.parse(v)).equals("replica"))
                      .orElse(false));
      long firstSwitch =
          switches
              .first(old, start)
              .orElseThrow(() -> new AssertionError("no +switch-master"))
              .nanos();
      System.out.printf(
          "%s: promoted record left 'replica' %d ms before the first +switch-master%n",
          tag, (firstSwitch - left.seenNanos()) / 1_000_000);
      assertThat(left.seenNanos())
          .as("promoted record changed before the first +switch-master")
          .isLessThan(firstSwitch);
      AgentProcess promotedAgent = agents.processes().get(indexOf(promoted));
      assertThat(promotedAgent.stderrLines())
          .anyMatch(
              l -> l.contains("event +failover-state-") || l.contains("event +promoted-slave"));
    }
  }

  /**
   * An old {@code +switch-master} replayed to the agents, naming a replica as the new master: every
   * agent receives it, re-observes, and writes nothing, so no key under the master name changes
   * value, lease or mod revision.
   *
   * <p>redis-sentinel refuses {@code PUBLISH} on any channel but {@code __sentinel__:hello}, so the
   * message is published on a plain Redis that the agents are given as a fourth Sentinel (it
   * answers no {@code SENTINEL} command, so the three real ones still decide the verdict).
   */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void replayedSwitchMasterChangesNothingInEtcd() {
    try (RedisServer relay = RedisServer.start(sandbox.dir(), tag + "-relay", 0)) {
      agents =
          AgentTrio.start(
              sandbox,
              tag,
              sandbox.sentinelAddresses() + "," + relay.address(),
              Map.of("REGISTRAR_LOG_LEVEL", "DEBUG"), // the agent logs each event it handles
              FAST);
      awaitSteady(Duration.ofSeconds(20));
      await("every agent subscribed to the relay")
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> clientsNamed(relay, EVENTS_CLIENT), n -> n == 3);
      Snapshot steady = awaitQuiet(POLL.multipliedBy(5));

      String master = sandbox.currentMasterAddress();
      String replica =
          sandbox.redis().stream()
              .map(ServerProcess::address)
              .filter(a -> !a.equals(master))
              .findFirst()
              .orElseThrow();
      String message =
          Sandbox.MASTER_NAME + " " + master.replace(':', ' ') + " " + replica.replace(':', ' ');
      try (Jedis jedis = relay.jedis()) {
        assertThat(jedis.publish("+switch-master", message))
            .as("agents that received the replayed +switch-master")
            .isEqualTo(3);
      }

      for (AgentProcess agent : agents.processes()) {
        await("agent " + agent.pid() + " handled the replayed +switch-master")
            .atMost(Duration.ofSeconds(2))
            .pollInterval(Duration.ofMillis(50))
            .until(
                () ->
                    agent.stderrLines().stream()
                        .anyMatch(l -> l.contains("event +switch-master " + message)));
      }
      awaitStateDuring(
          "every key under the master name unchanged (value, lease, mod revision)",
          POLL.multipliedBy(10),
          s -> s.kvs().equals(steady.kvs()));
      assertThat(sandbox.currentMasterAddress()).isEqualTo(master);
    }
  }

  // ---------------------------------------------------------------- helpers

  /**
   * Waits until the records match the Sentinels: the master's says master (confirmed), the others
   * replica of it, and the master key names it.
   */
  private Snapshot awaitSteady(Duration atMost) {
    String master = sandbox.currentMasterAddress();
    int m = indexOf(master);
    return awaitState(
        "three records published, " + id(m) + " master",
        atMost,
        s -> {
          if (!s.role(id(m)).equals("master")
              || !s.masterId().equals(id(m))
              || !s.instance(id(m)).orElseThrow().path("sentinel").path("confirmed").asBoolean()) {
            return false;
          }
          for (int i = 0; i < sandbox.redis().size(); i++) {
            if (i != m && !isReplicaOf(s, id(i), master)) {
              return false;
            }
          }
          return true;
        });
  }

  private Snapshot awaitState(String what, Duration atMost, Predicate<Snapshot> matches) {
    AtomicReference<Snapshot> last = new AtomicReference<>();
    try {
      return await(what)
          .atMost(atMost)
          .pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(50))
          .until(
              () -> {
                Snapshot s = snapshot(sandbox.etcd());
                last.set(s);
                return s;
              },
              matches);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(e.getMessage() + "; last seen in etcd: " + describe(last.get()), e);
    }
  }

  /**
   * Checks the state over {@code period} (polling every 50 ms) and fails if any poll saw it not
   * match; returns the last state read.
   */
  private Snapshot awaitStateDuring(String what, Duration period, Predicate<Snapshot> matches) {
    AtomicReference<Snapshot> last = new AtomicReference<>();
    List<Snapshot> mismatches = new CopyOnWriteArrayList<>();
    try {
      await(what)
          .during(period)
          .atMost(period.plusMillis(500))
          .pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(50))
          .until(
              () -> {
                Snapshot s = snapshot(sandbox.etcd());
                last.set(s);
                if (!matches.test(s)) {
                  mismatches.add(s);
                  return false;
                }
                return true;
              });
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(e.getMessage() + "; last seen in etcd: " + describe(last.get()), e);
    }
    assertThat(mismatches.stream().map(Snapshot::summary).toList())
        .as("states seen while expecting: " + what)
        .isEmpty();
    return last.get();
  }

  /** Waits until nothing under the master name has changed for {@code period}. */
  private Snapshot awaitQuiet(Duration period) {
    AtomicReference<Snapshot> previous = new AtomicReference<>(snapshot(sandbox.etcd()));
    await("etcd quiet for " + period.toMillis() + " ms")
        .during(period)
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              Snapshot now = snapshot(sandbox.etcd());
              return now.kvs().equals(previous.getAndSet(now).kvs());
            });
    return previous.get();
  }

  private static boolean isReplicaOf(Snapshot s, String id, String master) {
    return s.role(id).equals("replica") && s.follows(id).equals(master);
  }

  private int indexOf(String address) {
    List<RedisServer> redis = sandbox.redis();
    for (int i = 0; i < redis.size(); i++) {
      if (redis.get(i).address().equals(address)) {
        return i;
      }
    }
    throw new IllegalArgumentException("no Redis at " + address);
  }

  private static String describe(Snapshot s) {
    return s == null ? "nothing read" : s.summary();
  }

  private static long millis(long fromNanos, long toNanos) {
    return TimeUnit.NANOSECONDS.toMillis(toNanos - fromNanos);
  }
}
