package com.proposalsapp.registrar.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.command.InspectContainerResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.output.ToStringConsumer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;
import redis.clients.jedis.Jedis;

/**
 * The container image as deployed: the agent is the entrypoint (PID 1) and Redis its child. Runs
 * only with {@code -Pimage} (which builds the image with Jib into the local Docker first), as
 * {@code scripts/test.sh} does; the image is never pulled.
 */
@EnabledIfSystemProperty(
    named = "registrar.image",
    matches = ".+",
    disabledReason = "no image built: run with -Pimage (scripts/test.sh does)")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ImageIT {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String DC = "dc1";

  private static EtcdServer etcd;

  @BeforeAll
  static void startEtcd() throws Exception {
    etcd = EtcdServer.start(Sandbox.createDir("ImageIT"), "etcd");
  }

  @AfterAll
  static void stopEtcd() {
    if (etcd != null) {
      etcd.close();
    }
  }

  @Test
  void theImagePublishesRedisAndOnDockerStopRemovesTheRecordThenStopsRedis() throws Exception {
    int port = Ports.free();
    String id = DC + "-127.0.0.1-" + port;
    String key = Records.INSTANCES + id;
    ToStringConsumer output = new ToStringConsumer();
    try (GenericContainer<?> container =
        new GenericContainer<>(DockerImageName.parse(System.getProperty("registrar.image")))
            .withImagePullPolicy(image -> false)
            // The host's network: the agent reaches etcd on 127.0.0.1 as a sidecar would.
            .withNetworkMode("host")
            .withEnv("REGISTRAR_DC", DC)
            .withEnv("REGISTRAR_REDIS", "127.0.0.1:" + port)
            .withEnv("REGISTRAR_ETCD", etcd.endpoint())
            .withEnv("REGISTRAR_SENTINELS", "127.0.0.1:" + Ports.free())
            .withEnv("REGISTRAR_REQUIRE_SENTINEL_MAJORITY", "false")
            .withEnv("REGISTRAR_MASTER_NAME", Sandbox.MASTER_NAME)
            .withEnv("REGISTRAR_DRAIN_DELAY", "2s")
            .withEnv("REGISTRAR_HTTP", "127.0.0.1:0") // the host's network: any free port
            .withCommand(
                "exec", "--", "redis-server", "--port", Integer.toString(port), "--save", "")
            .withLogConsumer(output)
            .waitingFor(Wait.forLogMessage(".*registered id=" + id + ".*\\n", 1))
            .withStartupTimeout(WAIT)) {
      container.start();

      JsonNode record =
          await("record in etcd")
              .atMost(WAIT)
              .until(() -> Records.get(etcd, id), Optional::isPresent)
              .orElseThrow();
      assertThat(Records.role(record)).isEqualTo("master");
      assertThat(record.path("host").asText()).isEqualTo("127.0.0.1");
      assertThat(record.path("port").asInt()).isEqualTo(port);
      try (Jedis redis = new Jedis("127.0.0.1", port)) {
        assertThat(redis.ping()).isEqualTo("PONG");
      }
      // The agent's JVM is PID 1 and runs as redis; Redis is its child. (No ps in the image.)
      List<String> processes =
          List.of(
              container
                  .execInContainer(
                      "sh",
                      "-c",
                      "for p in /proc/[0-9]*; do echo \"${p#/proc/} $(stat -c %U $p)"
                          + " $(awk '/^PPid/ {print $2}' $p/status) $(cat $p/comm)\"; done")
                  .getStdout()
                  .strip()
                  .split("\n"));
      assertThat(processes).as("pid user ppid command").contains("1 redis 0 java");
      assertThat(processes).anyMatch(p -> p.matches("\\d+ redis 1 redis-server"));

      // docker stop: SIGTERM to PID 1. The record goes first; Redis serves on through the drain.
      String containerId = container.getContainerId();
      CompletableFuture<Void> stopping =
          CompletableFuture.runAsync(
              () ->
                  container.getDockerClient().stopContainerCmd(containerId).withTimeout(20).exec());
      await("record removed after docker stop").atMost(WAIT).until(() -> etcd.get(key).isEmpty());
      try (Jedis redis = new Jedis("127.0.0.1", port)) {
        assertThat(redis.ping()).as("Redis still answers during --drain-delay").isEqualTo("PONG");
      }
      stopping.get(WAIT.toSeconds(), TimeUnit.SECONDS);

      InspectContainerResponse.ContainerState state =
          container.getDockerClient().inspectContainerCmd(containerId).exec().getState();
      assertThat(state.getRunning()).isFalse();
      assertThat(state.getExitCodeLong()).as("Redis's exit status").isZero();
      String log = output.toUtf8String();
      assertThat(log).contains("deregistered id=" + id, "draining for 2s", "Received SIGTERM");
    } finally {
      System.out.println("ImageIT container output:\n" + output.toUtf8String());
    }
  }
}
