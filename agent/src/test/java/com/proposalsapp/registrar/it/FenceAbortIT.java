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
 * remaining Sentinels keep naming the master. The agents fence with a long {@code --fence-timeout}
 * and the Sentinels judge a master down after 20 s, so a lift well before either is the abort's or
 * the Sentinels', not the bound's. {@code status} shows the held fence meanwhile. With the
 * Sentinels' {@code down-after-milliseconds} set to 1 s, the fence lifts before they could judge
 * the held master down: {@code CLIENT PAUSE WRITE} holds their hello {@code PUBLISH}, and a fence
 * held to {@code --fence-timeout} made them fail it over.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
// The Sentinels' lift last: it leaves the rest of "that" failover unfenced for --fence-timeout,
// which would swallow the next test's failover; a failover that ends in an abort does not.
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.MethodName.class)
class FenceAbortIT {

  private static final Duration DOWN_AFTER = Duration.ofSeconds(20);

  @RegisterExtension
  static final SandboxExtension SANDBOX =
      SandboxExtension.of(Sandbox.Options.defaults().withDownAfter(DOWN_AFTER));

  /** What the leader publishes when the chosen replica is not promoted in failover-timeout. */
  private static final String ABORT = "-failover-abort-slave-timeout";

  private static final Duration FENCE_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration SHORT_DOWN_AFTER = Duration.ofSeconds(1);
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

  /**
   * Lets the replicas be promoted again, restores Sentinel's timeouts, heals the sandbox and waits
   * until every agent's fence has its limit back.
   */
  @AfterEach
  void restore() {
    for (RedisServer r : sandbox.redis()) {
      try (Jedis j = r.jedis()) {
        j.aclSetUser("default", "+slaveof", "+replicaof");
      }
    }
    sandbox.heal();
    sandbox.sentinelSet(
        Map.of(
            "failover-timeout",
            "180000",
            "down-after-milliseconds",
            Long.toString(DOWN_AFTER.toMillis())));
    awaitLimits(DOWN_AFTER.toMillis() - 250); // under --fence-timeout 30 s
  }

  /** Every agent's fence holds writes at most {@code ms} (read from {@code /status}). */
  private static void awaitLimits(long ms) {
    for (AgentProcess a : agents) {
      String agent = AgentHttp.address(a);
      await("the fence's limit on " + agent)
          .atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(100))
          .ignoreExceptions()
          .until(
              () -> AgentHttp.get(agent, "/status").json().get("fence").get("limit_ms").asLong(),
              l -> l == ms);
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
  void bTheFenceLiftsBeforeTheSentinelsJudgeTheHeldMasterDown() throws Exception {
    sandbox.sentinelSet(
        Map.of("down-after-milliseconds", Long.toString(SHORT_DOWN_AFTER.toMillis())));
    long limit = SHORT_DOWN_AFTER.toMillis() - 250;
    awaitLimits(limit);
    String master = sandbox.currentMasterAddress();
    String agent = AgentHttp.address(agents.get(sandbox.indexOf(master)));
    awaitMasterAgent(agent);
    blockPromotion(master, Duration.ofSeconds(4)); // the abort ends this failover's events
    AtomicLong sdown = new AtomicLong();
    AtomicLong aborted = new AtomicLong();
    try (SentinelSubscriptions events =
        SentinelSubscriptions.start(
            "FenceAbortIT",
            sandbox.sentinels(),
            (sentinel, channel, message, nanos) -> {
              if (channel.equals(ABORT)) {
                aborted.compareAndSet(0, nanos);
              } else if (message.startsWith("master ")) {
                sdown.compareAndSet(0, nanos);
              }
            },
            ABORT,
            "+sdown")) {
      FailoverBench.requestFailover(sandbox);
      awaitFence(agent, f -> f.get("held").asBoolean(), Duration.ofSeconds(10));
      JsonNode lifted = awaitFence(agent, f -> !f.get("held").asBoolean(), Duration.ofSeconds(5));
      System.out.println("FenceAbortIT fence under a 1 s down-after: " + lifted);
      assertThat(lifted.get("last_lift").asText()).isEqualTo("timeout");
      assertThat(lifted.get("last_held_ms").asLong()).isBetween(limit - 100, limit + 400);
      await("the leader gives the failover up")
          .atMost(Duration.ofSeconds(15))
          .until(() -> aborted.get() != 0);
      // A fence held to --fence-timeout had every Sentinel judge the master down about 1.1 s
      // after it was raised, well before this abort (4 s after REPLICAOF NO ONE).
      assertThat(sdown.get()).as("a Sentinel judged the held master down (+sdown)").isZero();
    }
    assertThat(sandbox.currentMasterAddress()).isEqualTo(master);
    assertWritesAcceptedAtOnce(master);
  }

  @Test
  void cTheFenceIsLiftedWhenTheSentinelsKeepNamingThisInstance() throws Exception {
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
    sandbox.sentinelSet(Map.of("failover-timeout", Long.toString(failoverTimeout.toMillis())));
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
