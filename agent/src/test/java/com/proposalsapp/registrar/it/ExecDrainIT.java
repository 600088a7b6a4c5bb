package com.proposalsapp.registrar.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.Jedis;

/**
 * {@code exec} with a drain delay: on SIGTERM the checks answer 503, the record goes, and Redis
 * keeps serving through the drain while the checks still say 503; then Redis stops.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ExecDrainIT {

  private Path dir;
  private EtcdServer etcd;
  private AgentProcess agent;

  @AfterEach
  void stop() {
    if (agent != null) {
      agent.close();
    }
    if (etcd != null) {
      etcd.close();
    }
  }

  @Test
  void duringTheDrainRedisServesWhileTheChecksSay503AndTheRecordIsGone() throws Exception {
    dir = Sandbox.createDir("ExecDrainIT");
    etcd = EtcdServer.start(dir, "etcd");
    int port = Ports.free();
    agent =
        AgentProcess.start(
            dir,
            "agent",
            Map.of(),
            "exec",
            "--dc",
            "dc1",
            "--redis",
            "127.0.0.1:" + port,
            "--sentinels",
            "127.0.0.1:" + Ports.free(),
            "--no-require-sentinel-majority",
            "--no-sentinel-events",
            "--etcd",
            etcd.endpoint(),
            "--poll-interval",
            "200ms",
            "--drain-delay",
            "3s",
            "--http",
            "127.0.0.1:0",
            "--",
            "redis-server",
            "--port",
            Integer.toString(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--dir",
            dir.toString());
    String http = AgentHttp.address(agent);
    String id = "dc1-127.0.0.1-" + port;
    await("master published")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> AgentHttp.get(http, "/master").code() == 200);
    assertThat(Records.get(etcd, id)).isPresent();

    agent.signal("TERM");

    await("record gone")
        .atMost(Duration.ofSeconds(3))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> Records.get(etcd, id).isEmpty());
    // Within the 3 s drain: Redis still answers, every check says no.
    try (Jedis redis = new Jedis("127.0.0.1", port, 1000)) {
      assertThat(redis.ping()).isEqualTo("PONG");
    }
    for (String path : List.of("/master", "/read-only", "/health")) {
      assertThat(AgentHttp.get(http, path).code()).as(path + " while draining").isEqualTo(503);
    }
    assertThat(AgentHttp.get(http, "/status").json().path("phase").asText()).isEqualTo("stopping");
    assertThat(agent.waitForExit(Duration.ofSeconds(20))).isZero();
    assertThat(agent.stderrLines()).anyMatch(l -> l.contains("draining for 3s"));
  }
}
