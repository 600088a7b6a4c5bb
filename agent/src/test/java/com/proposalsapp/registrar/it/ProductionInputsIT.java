package com.proposalsapp.registrar.it;

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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.Jedis;

/**
 * Issue 10's cases 1 and 4 on real servers (case 6 is {@link MisconfigurationIT}; hostnames beyond
 * {@code localhost} and IPv6 are {@link EndpointsIT}). An operator who writes {@code --redis
 * localhost:PORT} where the Sentinels report {@code 127.0.0.1}: the addresses are one endpoint, so
 * the master is published as master (issue 10, case 1; before, it was {@code stale} and etcd had no
 * master key) and a replica as a replica. One Sentinel under two names counts once (case 4).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ProductionInputsIT {

  private static Sandbox sandbox;

  @BeforeAll
  static void startSandbox() {
    sandbox = Sandbox.start("ProductionInputsIT");
  }

  @AfterAll
  static void stop() {
    if (sandbox != null) {
      sandbox.close();
    }
  }

  @Test
  void aMasterNamedByHostnameIsPublishedAsMasterWithTheMasterKey() {
    int master = indexWithRole("master");
    int replica = indexWithRole("slave");
    List<AgentProcess> agents = new ArrayList<>();
    try {
      agents.add(start(master));
      agents.add(start(replica));
      String masterId = "dc" + (master + 1) + "-localhost-" + sandbox.redis().get(master).port();
      String replicaId = "dc" + (replica + 1) + "-localhost-" + sandbox.redis().get(replica).port();

      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(200))
          .untilAsserted(
              () -> {
                assertThat(role(masterId)).contains("master");
                assertThat(role(replicaId)).contains("replica");
                assertThat(sandbox.etcd().get(Records.MASTER_KEY))
                    .hasValueSatisfying(
                        v -> assertThat(Records.parse(v).get("id").asText()).isEqualTo(masterId));
              });
      JsonNode record = Records.get(sandbox.etcd(), masterId).orElseThrow();
      assertThat(record.toString())
          .as("what the operator chose to announce is published")
          .contains("localhost");
    } finally {
      agents.forEach(AgentProcess::close);
    }
  }

  @Test
  void oneSentinelUnderTwoNamesCountsOnceAndIsNamedInAnError() {
    int master = indexWithRole("master");
    SentinelServer first = sandbox.sentinels().get(0);
    String twice = first.address() + ",localhost:" + first.port();
    try (AgentProcess agent =
        Agents.start(
            sandbox,
            master,
            "agent-aliases",
            sandbox.etcd().endpoint(),
            twice,
            Map.of(),
            "--poll-interval",
            "200ms")) {
      String id = Agents.id(sandbox, master);

      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(200))
          .untilAsserted(
              () -> {
                Optional<JsonNode> record = Records.get(sandbox.etcd(), id);
                assertThat(record).as("record of " + id).isPresent();
                JsonNode sentinel = record.get().get("sentinel");
                // three Sentinels in all (two found through the first), the first listed twice
                assertThat(sentinel.get("agreeing").asInt()).isEqualTo(3);
                assertThat(sentinel.get("reachable").asInt()).isEqualTo(3);
              });
      assertThat(agent.stderrLines())
          .filteredOn(l -> l.contains("ERROR") && l.contains("same Sentinel as"))
          .hasSize(1)
          .first()
          .asString()
          .contains("localhost:" + first.port())
          .contains(first.address());
    }
  }

  private static Optional<String> role(String id) {
    return Records.get(sandbox.etcd(), id).map(Records::role);
  }

  private static AgentProcess start(int index) {
    RedisServer redis = sandbox.redis().get(index);
    return AgentProcess.start(
        sandbox.dir(),
        "agent-localhost-" + index,
        Map.of(),
        "run",
        "--dc",
        "dc" + (index + 1),
        "--redis",
        "localhost:" + redis.port(),
        "--sentinels",
        sandbox.sentinelAddresses(),
        "--etcd",
        sandbox.etcd().endpoint(),
        "--poll-interval",
        "200ms");
  }

  private static int indexWithRole(String role) {
    for (int i = 0; i < sandbox.redis().size(); i++) {
      RedisServer r = sandbox.redis().get(i);
      try (Jedis j = new Jedis("127.0.0.1", r.port())) {
        if (j.info("replication").contains("role:" + role)) {
          return i;
        }
      }
    }
    throw new IllegalStateException("no Redis with role " + role);
  }
}
