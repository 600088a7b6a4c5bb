package com.proposalsapp.registrar.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * Issue 14: the fence is lifted at once when a failover that held it does not happen. Both replicas
 * refuse {@code SLAVEOF}/{@code REPLICAOF} to Sentinel ({@code ACL SETUSER default -slaveof
 * -replicaof}), so Sentinel's {@code REPLICAOF NO ONE} fails and the chosen replica is never
 * promoted: with a short Sentinel {@code failover-timeout} the leader gives up for real with {@code
 * -failover-abort-slave-timeout}; with the leader SIGKILLed instead, no abort ever comes and the
 * remaining Sentinels keep naming the master. The agents fence with a long {@code --fence-timeout},
 * so a lift well before it is the abort's or the Sentinels', not the bound's. {@code status} shows
 * the held fence meanwhile.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
// The abort first: a lift by the Sentinels leaves the rest of "that" failover unfenced for
// --fence-timeout, which would swallow the next test's failover; a lift by an abort does not.
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.MethodName.class)
class FenceAbortIT {

  @RegisterExtension
  static final SandboxExtension SANDBOX = SandboxExtension.of(Sandbox.Options.defaults());

  /** What the leader publishes when the chosen replica is not promoted in failover-timeout. */
  private static final String ABORT = "-failover-abort-slave-timeout";

  private static final Duration FENCE_TIMEOUT = Duration.ofSeconds(30);
  private static final String[] AGENT_ARGS = {
    "--poll-interval", "200ms", "--lease-ttl", "10s", "--fence", "--fence-timeout", "30s"
  };

  /** Long enough for a cold `status` JVM on a loaded machine to run while the fence holds. */
  private static final Duration ABORT_AFTER = Duration.ofSeconds(15);

  private static Sandbox sandbox;
  private static final List<AgentProcess> agents = new ArrayList<>();

  @BeforeAll
  static void startAgents() {
    sandbox = SANDBOX.get();
    for (int i = 0; i < 3; i++) {
      agents.add(Agents.start(sandbox, i, AGENT_ARGS));
    }
  }

  @AfterAll
  static void stopAgents() {
    agents.forEach(AgentProcess::close);
  }

  /** Lets the replicas be promoted again, restores Sentinel's timeout and heals the sandbox. */
  @AfterEach
  void restore() {
    for (RedisServer r : sandbox.redis()) {
      try (Jedis j = r.jedis()) {
        j.aclSetUser("default", "+slaveof", "+replicaof");
      }
    }
    sandbox.heal();
    for (SentinelServer s : sandbox.sentinels()) {
      try (Jedis j = s.jedis()) {
        j.sentinelSet(Sandbox.MASTER_NAME, Map.of("failover-timeout", "180000"));
      }
    }
  }

  @Test
  void aAnAbortedFailoverLiftsTheFenceAtOnceAndStatusShowsItHeld() throws Exception {
    String master = sandbox.currentMasterAddress();
    String agent = AgentHttp.address(agents.get(sandbox.indexOf(master)));
    awaitMasterAgent(agent);
    blockPromotion(master, ABORT_AFTER);
    AtomicLong aborted = new AtomicLong();
    try (SentinelSubscriptions abort =
        SentinelSubscriptions.start(
            "FenceAbortIT",
            sandbox.sentinels(),
            (sentinel, channel, message, nanos) -> aborted.compareAndSet(0, nanos),
            ABORT)) {
      FailoverBench.requestFailover(sandbox);
      JsonNode held = awaitFence(agent, f -> f.get("held").asBoolean(), Duration.ofSeconds(10));
      assertThat(held.get("raised_by").asText())
          .isIn("+selected-slave", "+failover-state-send-slaveof-noone");

      long t0 = System.nanoTime();
      AgentProcess.Result status =
          AgentProcess.run(
              Duration.ofSeconds(30), Map.of(), "status", "--etcd", sandbox.etcd().endpoint());
      assertThat(status.exitCode()).as(status.stderr()).isZero();
      System.out.printf(
          "FenceAbortIT status while fenced (%d ms):%n%s%n",
          (System.nanoTime() - t0) / 1_000_000, status.stdout());
      assertThat(aborted.get()).as("status ran before the failover was given up").isZero();
      String row =
          status
              .stdout()
              .lines()
              .filter(l -> l.contains(" " + master + " "))
              .findFirst()
              .orElseThrow();
      assertThat(row).contains("master").containsPattern("held \\d+ms");
      assertThat(status.stdout().lines().filter(l -> l.contains("held "))).hasSize(1);

      JsonNode lifted =
          awaitFence(agent, f -> !f.get("held").asBoolean(), FENCE_TIMEOUT.plusSeconds(5));
      long seen = System.nanoTime();
      System.out.println("FenceAbortIT fence after the abort: " + lifted);
      assertThat(aborted.get())
          .as("Sentinel gave the failover up for real (" + ABORT + ")")
          .isNotZero();
      assertThat(lifted.get("last_lift").asText()).isEqualTo("aborted");
      assertThat((seen - aborted.get()) / 1_000_000)
          .as("ms from %s to the lift seen in /status (polled every 20 ms)", ABORT)
          .isLessThan(500);
      // Sentinel's failover-timeout runs from REPLICAOF NO ONE; the fence's bound is far beyond.
      assertThat(lifted.get("last_held_ms").asLong())
          .isBetween(ABORT_AFTER.toMillis() - 1000, FENCE_TIMEOUT.toMillis() - 5000);
    }
    assertThat(sandbox.currentMasterAddress()).isEqualTo(master);
    assertWritesAcceptedAtOnce(master);
  }

  @Test
  void bTheFenceIsLiftedWhenTheSentinelsKeepNamingThisInstance() throws Exception {
    String master = sandbox.currentMasterAddress();
    String agent = AgentHttp.address(agents.get(sandbox.indexOf(master)));
    awaitMasterAgent(agent);
    blockPromotion(master, Duration.ofSeconds(60)); // no abort within this test

    FailoverBench.requestFailover(sandbox);
    JsonNode held = awaitFence(agent, f -> f.get("held").asBoolean(), Duration.ofSeconds(10));
    long abortsBefore = held.get("lifts").path("aborted").asLong();
    long killed = System.nanoTime();
    sandbox.sentinels().get(0).kill(); // the leader: its failover ends with it, without an abort

    JsonNode lifted =
        awaitFence(agent, f -> !f.get("held").asBoolean(), FENCE_TIMEOUT.plusSeconds(5));
    long afterKill = (System.nanoTime() - killed) / 1_000_000;
    System.out.println(
        "FenceAbortIT fence after the leader died: " + lifted + ", " + afterKill + " ms after");
    assertThat(lifted.get("last_lift").asText()).isEqualTo("sentinels");
    assertThat(lifted.get("lifts").path("aborted").asLong()).isEqualTo(abortsBefore);
    assertThat(lifted.get("last_held_ms").asLong()).isLessThan(FENCE_TIMEOUT.toMillis() / 2);
    assertThat(afterKill).as("ms from the leader's death to the lift").isLessThan(5000);
    assertWritesAcceptedAtOnce(master);
  }

  /**
   * Both replicas refuse the command Sentinel promotes with, and Sentinel gives a failover up
   * {@code failoverTimeout} after it.
   */
  private static void blockPromotion(String master, Duration failoverTimeout) {
    for (RedisServer r : sandbox.redis()) {
      if (!r.address().equals(master)) {
        try (Jedis j = r.jedis()) {
          j.aclSetUser("default", "-slaveof", "-replicaof");
        }
      }
    }
    for (SentinelServer s : sandbox.sentinels()) {
      try (Jedis j = s.jedis()) {
        j.sentinelSet(
            Sandbox.MASTER_NAME,
            Map.of("failover-timeout", Long.toString(failoverTimeout.toMillis())));
      }
    }
  }

  private static void awaitMasterAgent(String agent) {
    await("the master's agent publishes master")
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .until(() -> AgentHttp.get(agent, "/master").code() == 200);
  }

  private static JsonNode awaitFence(
      String agent, java.util.function.Predicate<JsonNode> done, Duration atMost) {
    return await("the fence on " + agent)
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(20))
        .ignoreExceptions()
        .until(() -> AgentHttp.get(agent, "/status").json().get("fence"), done::test);
  }

  /** A write on the master right away is answered well within a second: nothing holds it. */
  private static void assertWritesAcceptedAtOnce(String master) {
    long t0 = System.nanoTime();
    try (Jedis j = new Jedis("127.0.0.1", sandbox.redisAt(master).port(), 5000)) {
      j.set("fence-abort-it", "1");
    }
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertThat(ms).as("a write on the master after the lift, ms").isLessThan(500);
  }
}
