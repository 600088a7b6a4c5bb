package com.proposalsapp.registrar.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.Jedis;

/**
 * A replica that replicates through a {@link TcpProxy}, so that its link can be cut for real: the
 * lag-bounded {@code /replica?lag=N} fails when the link is cut or silently black-holed, and passes
 * again once it is restored. No Sentinels: the agent runs with {@code
 * --no-require-sentinel-majority}, and logs JSON.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ReplicaLagIT {
  private static final String LAG = "/replica?lag=4096";

  private Path dir;
  private EtcdServer etcd;
  private RedisServer master;
  private TcpProxy link;
  private RedisServer replica;
  private AgentProcess agent;
  private String http;

  @BeforeEach
  void start() {
    dir = Sandbox.createDir("ReplicaLagIT");
    etcd = EtcdServer.start(dir, "etcd");
    master = RedisServer.start(dir, "master", 0);
    link = TcpProxy.start("127.0.0.1", master.port());
    // A long repl-timeout: a black-holed link stays "up" in INFO, as a dead path does for a while.
    replica = RedisServer.start(dir, "replica", link.port(), "repl-timeout 120");
    agent =
        AgentProcess.start(
            dir,
            "agent",
            Map.of(),
            "run",
            "--dc",
            "dc2",
            "--redis",
            replica.address(),
            "--sentinels",
            "127.0.0.1:" + Ports.free(),
            "--no-require-sentinel-majority",
            "--no-sentinel-events",
            "--etcd",
            etcd.endpoint(),
            "--poll-interval",
            "200ms",
            "--http",
            "127.0.0.1:0",
            "--log-format",
            "json");
    http = AgentHttp.address(agent);
    await("replica within the bound")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> AgentHttp.get(http, LAG).code() == 200);
  }

  @AfterEach
  void stop() {
    for (AutoCloseable c : new AutoCloseable[] {agent, replica, link, master, etcd}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        // best effort: the next test starts its own servers
      }
    }
  }

  @Test
  void aBlackHoledLinkFailsTheLagBoundWhileReplicaAlonePasses() {
    link.blackhole();
    writeToMaster(200);

    AgentHttp.Answer a =
        await("lag bound failing")
            .atMost(Duration.ofSeconds(10))
            .pollInterval(Duration.ofMillis(100))
            .until(() -> AgentHttp.get(http, LAG), x -> x.code() == 503);
    System.out.printf("ReplicaLagIT: black-holed link -> %s%n", a.body().strip());
    assertThat(replica.infoReplication().get("master_link_status"))
        .as("Redis itself still believes its link is up")
        .isEqualTo("up");
    assertThat(AgentHttp.get(http, "/replica").code()).isEqualTo(200);
    assertThat(AgentHttp.get(http, "/read-only?lag=4096").code()).isEqualTo(503);

    link.restore();
    await("lag bound passing again")
        .atMost(Duration.ofSeconds(20))
        .until(() -> AgentHttp.get(http, LAG).code() == 200);
  }

  @Test
  void aCutLinkFailsReplicaAndTheLagBoundAndTheRecordSaysSyncing() {
    link.cut();
    writeToMaster(50);

    await("replica failing")
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> AgentHttp.get(http, "/replica").code() == 503);
    assertThat(AgentHttp.get(http, LAG).code()).isEqualTo(503);
    JsonNode status = AgentHttp.get(http, "/status").json();
    assertThat(status.path("redis").path("link").asText()).isEqualTo("down");
    assertThat(status.path("published_role").asText()).isEqualTo("syncing");

    link.restore();
    await("lag bound passing again")
        .atMost(Duration.ofSeconds(30))
        .until(() -> AgentHttp.get(http, LAG).code() == 200);
  }

  @Test
  void jsonLogLinesCarryIdDcAndRoleAsFields() {
    List<JsonNode> lines =
        agent.stderrLines().stream().filter(l -> l.startsWith("{")).map(Records::parse).toList();
    assertThat(lines).isNotEmpty();
    assertThat(agent.stderrLines()).allMatch(l -> l.startsWith("{"));
    for (JsonNode l : lines) {
      assertThat(l.path("id").asText()).isEqualTo("dc2-127.0.0.1-" + replica.port());
      assertThat(l.path("dc").asText()).isEqualTo("dc2");
      assertThat(l.has("role")).isTrue();
      assertThat(l.has("level")).isTrue();
      assertThat(l.has("formattedMessage")).isTrue();
    }
    assertThat(lines)
        .anySatisfy(
            l -> {
              assertThat(l.path("formattedMessage").asText()).startsWith("registered");
              assertThat(l.path("role").asText()).isIn("none", "replica");
            });
  }

  private void writeToMaster(int n) {
    try (Jedis m = master.jedis()) {
      String value = "x".repeat(1000);
      for (int i = 0; i < n; i++) {
        m.set("lag-" + i, value);
      }
    }
  }
}
