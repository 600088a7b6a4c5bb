package com.proposalsapp.registrar.it;

import static com.proposalsapp.registrar.it.FaultMatrixSupport.millis;
import static com.proposalsapp.registrar.it.FaultMatrixSupport.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Fault matrix rows 6–8 (issue 4): a Redis killed and restarted, one Sentinel down, all Sentinels
 * down. Three agents (dc1 beside the master) on one sandbox; after each test the servers are
 * restarted and the three records are back to master, replica, replica, all confirmed.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.MethodName.class)
class FaultMatrixRedisIT {
  @RegisterExtension
  static final SandboxExtension SANDBOX = SandboxExtension.of(Sandbox.Options.defaults());

  /** The default --down-after, which row 6 measures. */
  private static final Duration DOWN_AFTER = Duration.ofSeconds(3);

  private static final String[] TIMING = {"--lease-ttl", "3s", "--poll-interval", "200ms"};

  private static Sandbox sandbox;
  private static EtcdWatch watch;
  private static final List<AgentProcess> agents = new ArrayList<>();
  private static final List<String> keys = new ArrayList<>();

  @BeforeAll
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  static void startSandboxAndAgents() {
    sandbox = SANDBOX.get();
    watch = EtcdWatch.start(sandbox.etcd(), Records.GROUP, sandbox.dir().resolve("watch.log"));
    for (int i = 0; i < 3; i++) {
      agents.add(Agents.start(sandbox, i, TIMING));
      keys.add(Records.key(Agents.id(sandbox, i)));
    }
    awaitHealthy();
  }

  @AfterAll
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  static void stopAll() {
    agents.forEach(AgentProcess::close);
    if (watch != null) {
      watch.close();
    }
  }

  /** Restarts whatever a test stopped and waits for the three records to be right again. */
  @AfterEach
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void heal() {
    for (ServerProcess server : sandbox.redis()) {
      if (!server.isAlive()) {
        server.restart();
      }
    }
    for (ServerProcess server : sandbox.sentinels()) {
      if (!server.isAlive()) {
        server.restart();
      }
    }
    sandbox.awaitSettled();
    awaitHealthy();
  }

  @Test
  void row06_redisKilledThenRestartedAsAReplica() {
    String master = sandbox.redis().get(0).address();
    assertThat(sandbox.currentMasterAddress()).isEqualTo(master);
    RedisServer victim = sandbox.redis().get(2);
    String key = keys.get(2);

    long t0 = System.nanoTime();
    victim.kill();
    EtcdWatch.State withdrawn =
        watch.awaitFirst(
            "record of the killed Redis withdrawn",
            t0,
            DOWN_AFTER.plusSeconds(6),
            s -> !s.entries().containsKey(key));
    long removedMs = millis(t0, withdrawn.seenNanos());
    System.out.printf(
        "row 6: record withdrawn %d ms after Redis was killed (--down-after %d ms; bound: not"
            + " before it, and within it + 2000 ms)%n",
        removedMs, DOWN_AFTER.toMillis());
    assertThat(removedMs)
        .as("ms from kill to record withdrawn")
        .isGreaterThanOrEqualTo(DOWN_AFTER.toMillis())
        .isLessThanOrEqualTo(DOWN_AFTER.toMillis() + 2000);
    assertThat(agents.get(2).isAlive()).as("its agent keeps running").isTrue();

    victim.restart(); // same port and config (replicaof the master); returns once it answers
    long answers = System.nanoTime();
    EtcdWatch.State first =
        watch.awaitFirst(
            "a record back", answers, Duration.ofSeconds(10), s -> s.entries().containsKey(key));
    EtcdWatch.State correct =
        watch.awaitFirst(
            "the correct record back",
            answers,
            Duration.ofSeconds(10),
            s -> record(s, key).map(r -> isReplicaOf(r, master)).orElse(false));
    long ms = millis(answers, correct.seenNanos());
    System.out.printf(
        "row 6: after Redis answered again, first record (%s) in %d ms, correct record (replica,"
            + " link up) in %d ms (bound 2000 ms)%n",
        record(first, key).map(Records::role).orElse("?"), millis(answers, first.seenNanos()), ms);
    assertThat(ms).as("ms from Redis answering to correct record").isLessThanOrEqualTo(2000);
  }

  @Test
  void row07_oneOfThreeSentinelsDown() {
    Map<String, JsonNode> before = Records.all(sandbox.etcd());
    String masterKey = sandbox.etcd().get(Records.MASTER_KEY).orElseThrow();
    String master = sandbox.redis().get(0).address();

    long t0 = System.nanoTime();
    sandbox.sentinels().get(2).kill();
    // The agents see it (2 of 3 reachable) ...
    EtcdWatch.State seen =
        watch.awaitFirst(
            "all three records say 2 Sentinels reachable",
            t0,
            Duration.ofSeconds(10),
            s -> keys.stream().allMatch(k -> reachable(s, k) == 2));
    System.out.printf(
        "row 7: one Sentinel down; all records show 2/3 reachable after %d ms%n",
        millis(t0, seen.seenNanos()));
    // ... and the verdict is unchanged: same roles, still confirmed, same master.
    await("verdicts unchanged with one Sentinel down")
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(6))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> sandbox.etcd().get(Records.MASTER_KEY).filter(masterKey::equals).isPresent());
    for (EtcdWatch.State s : watch.statesSince(t0)) {
      for (int i = 0; i < 3; i++) {
        JsonNode r = record(s, keys.get(i)).orElse(null);
        assertThat(r).as("record %d at revision %d", i, s.revision()).isNotNull();
        assertThat(Records.role(r))
            .as("role of record %d at revision %d", i, s.revision())
            .isEqualTo(Records.role(before.get(Agents.id(sandbox, i))));
        assertThat(r.path("sentinel").path("confirmed").asBoolean())
            .as("confirmed in record %d at revision %d", i, s.revision())
            .isTrue();
        assertThat(r.path("sentinel").path("master").asText()).isEqualTo(master);
      }
    }
  }

  @Test
  void row08_allSentinelsDown() {
    long t0 = System.nanoTime();
    for (SentinelServer sentinel : sandbox.sentinels()) {
      sentinel.kill();
    }
    EtcdWatch.State noMaster =
        watch.awaitFirst(
            "no master advertised; replicas unconfirmed",
            t0,
            Duration.ofSeconds(10),
            s ->
                !s.entries().containsKey(Records.MASTER_KEY)
                    && record(s, keys.get(0))
                        .map(r -> !Records.role(r).equals("master"))
                        .orElse(true)
                    && isUnconfirmedReplica(s, keys.get(1))
                    && isUnconfirmedReplica(s, keys.get(2)));
    System.out.printf(
        "row 8: all Sentinels down; master withdrawn (record %s, master key gone) and replicas"
            + " unconfirmed after %d ms%n",
        record(noMaster, keys.get(0)).map(Records::role).orElse("absent"),
        millis(t0, noMaster.seenNanos()));
    // It stays that way: no master is advertised without Sentinels, replicas keep their records.
    await("no master while the Sentinels are down")
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(6))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> agents.stream().allMatch(AgentProcess::isAlive));
    for (EtcdWatch.State s : watch.statesSince(noMaster.seenNanos())) {
      assertThat(s.entries()).as("revision %d", s.revision()).doesNotContainKey(Records.MASTER_KEY);
      assertThat(record(s, keys.get(0)).map(Records::role))
          .as("old master's record at revision %d", s.revision())
          .isNotEqualTo(Optional.of("master"));
      assertThat(isUnconfirmedReplica(s, keys.get(1))).as("revision %d", s.revision()).isTrue();
      assertThat(isUnconfirmedReplica(s, keys.get(2))).as("revision %d", s.revision()).isTrue();
    }
    assertThat(watch.statesSince(t0))
        .as("revisions since the Sentinels went down with a replica's record missing")
        .noneMatch(
            s -> !s.entries().containsKey(keys.get(1)) || !s.entries().containsKey(keys.get(2)));
  }

  /** Waits until the records say master, replica, replica, all confirmed by 3 Sentinels. */
  private static void awaitHealthy() {
    String master = sandbox.redis().get(0).address();
    await("records master, replica, replica, all confirmed by 3 Sentinels")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .ignoreExceptions()
        .until(
            () -> {
              Map<String, JsonNode> all = Records.all(sandbox.etcd());
              JsonNode m = all.get(Agents.id(sandbox, 0));
              return all.size() == 3
                  && Records.role(m).equals("master")
                  && m.path("sentinel").path("reachable").asInt() == 3
                  && isReplicaOf(all.get(Agents.id(sandbox, 1)), master)
                  && isReplicaOf(all.get(Agents.id(sandbox, 2)), master)
                  && all.values().stream()
                      .allMatch(r -> r.path("sentinel").path("reachable").asInt() == 3)
                  && sandbox.etcd().get(Records.MASTER_KEY).isPresent();
            });
  }

  private static boolean isReplicaOf(JsonNode r, String master) {
    return r != null
        && Records.role(r).equals("replica")
        && Records.followed(r).equals(master)
        && r.path("link").asText().equals("up")
        && r.path("sentinel").path("confirmed").asBoolean();
  }

  private static boolean isUnconfirmedReplica(EtcdWatch.State s, String key) {
    return record(s, key)
        .map(
            r ->
                Records.role(r).equals("replica")
                    && !r.path("sentinel").path("confirmed").asBoolean(true))
        .orElse(false);
  }

  private static int reachable(EtcdWatch.State s, String key) {
    return record(s, key).map(r -> r.path("sentinel").path("reachable").asInt()).orElse(-1);
  }
}
