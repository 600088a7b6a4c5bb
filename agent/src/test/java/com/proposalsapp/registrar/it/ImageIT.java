package com.proposalsapp.registrar.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.command.InspectContainerResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.output.ToStringConsumer;
import org.testcontainers.containers.startupcheck.OneShotStartupCheckStrategy;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;
import redis.clients.jedis.Jedis;

/**
 * The container images as deployed: the entrypoint image, where the agent is PID 1 and Redis its
 * child, and the registrar-only sidecar image beside a Redis, each with the class archive trained
 * in it taken by its own JVM and flags. Runs only with {@code -Pimage} (which builds both images
 * with Jib into the local Docker first), as {@code scripts/test.sh} does, on the Java 17 images
 * and, when {@code registrar.image.java25} and {@code registrar.sidecar.image.java25} name them,
 * the Java 25 ones ({@code -Dimage.java=25}) too; the images are never pulled.
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

  static Stream<String> entrypointImages() {
    return images("registrar.image", "registrar.image.java25");
  }

  static Stream<String> sidecarImages() {
    return images("registrar.sidecar.image", "registrar.sidecar.image.java25");
  }

  static Stream<String> allImages() {
    return Stream.concat(entrypointImages(), sidecarImages());
  }

  private static Stream<String> images(String... properties) {
    return Stream.of(properties).map(p -> System.getProperty(p, "")).filter(i -> !i.isBlank());
  }

  /**
   * The image's entrypoint, run with {@code --version} and told to fail rather than start without
   * its archive ({@code -Xshare:on} for the AppCDS archive, {@code -XX:AOTMode=on} for the AOT
   * cache) and to say why ({@code -Xlog:...=off} left out): the archive trained in the image
   * matches the image's JVM, jar and flags.
   */
  @ParameterizedTest
  @MethodSource("allImages")
  void theArchiveTrainedInTheImageIsTakenByItsOwnJvmAndFlags(String image) throws Exception {
    List<String> entrypoint =
        List.of(
            DockerClientFactory.instance()
                .client()
                .inspectImageCmd(image)
                .exec()
                .getConfig()
                .getEntrypoint());
    boolean aot = entrypoint.contains("-XX:AOTCache=/app/app.aot");
    assertThat(aot || entrypoint.contains("-XX:SharedArchiveFile=/app/cds.jsa"))
        .as("%s names its archive: %s", image, entrypoint)
        .isTrue();
    List<String> strict = new ArrayList<>();
    for (String arg : entrypoint) {
      if (arg.equals("-jar")) {
        strict.add(aot ? "-XX:AOTMode=on" : "-Xshare:on");
      }
      if (!arg.startsWith("-Xlog:")) {
        strict.add(arg);
      }
    }
    strict.add("--version");
    ToStringConsumer output = new ToStringConsumer();
    try (GenericContainer<?> container =
        new GenericContainer<>(DockerImageName.parse(image))
            .withImagePullPolicy(i -> false)
            .withCreateContainerCmdModifier(
                c -> c.withEntrypoint(strict.toArray(String[]::new)).withCmd(List.of()))
            .withLogConsumer(output)
            .withStartupCheckStrategy(
                new OneShotStartupCheckStrategy().withTimeout(Duration.ofSeconds(60)))) {
      container.start();
      assertThat(output.toUtf8String()).as(String.join(" ", strict)).contains("redis-registrar ");
    } catch (RuntimeException e) {
      throw new AssertionError(
          image + " does not start with its archive:\n" + output.toUtf8String(), e);
    }
  }

  @ParameterizedTest
  @MethodSource("sidecarImages")
  void theSidecarImageRunsAsANonRootUserPublishesTheRedisBesideItAndDeregistersOnDockerStop(
      String image) throws Exception {
    RedisServer redis = RedisServer.start(Sandbox.createDir("ImageIT-sidecar"), "redis", 0);
    String id = DC + "-127.0.0.1-" + redis.port();
    ToStringConsumer output = new ToStringConsumer();
    try (redis;
        GenericContainer<?> container =
            new GenericContainer<>(DockerImageName.parse(image))
                .withImagePullPolicy(p -> false)
                .withNetworkMode("host")
                .withEnv("NOMAD_DC", DC)
                .withEnv("REGISTRAR_ETCD", etcd.endpoint())
                .withEnv("REGISTRAR_REQUIRE_SENTINEL_MAJORITY", "false")
                .withEnv("REGISTRAR_MASTER_NAME", Sandbox.MASTER_NAME)
                // The image's default command is "run"; Nomad's args replace it as these do.
                .withCommand(
                    "run", "--redis", redis.address(), "--sentinels", "127.0.0.1:" + Ports.free())
                .withLogConsumer(output)
                .waitingFor(Wait.forLogMessage(".*registered id=" + id + ".*\\n", 1))
                .withStartupTimeout(WAIT)) {
      container.start();
      assertThat(Records.get(etcd, id)).as("record of the Redis beside it").isPresent();
      assertThat(container.execInContainer("id", "-un").getStdout().strip()).isEqualTo("registrar");
      assertThat(container.execInContainer("sh", "-c", "command -v redis-server").getExitCode())
          .as("no Redis in the sidecar image")
          .isNotZero();

      container
          .getDockerClient()
          .stopContainerCmd(container.getContainerId())
          .withTimeout(10)
          .exec();
      assertThat(etcd.get(Records.INSTANCES + id)).as("record after docker stop").isEmpty();
      assertThat(
              container
                  .getDockerClient()
                  .inspectContainerCmd(container.getContainerId())
                  .exec()
                  .getState()
                  .getExitCodeLong())
          .isZero();
    } finally {
      System.out.println("ImageIT sidecar container output:\n" + output.toUtf8String());
    }
  }

  @ParameterizedTest
  @MethodSource("entrypointImages")
  void theImagePublishesRedisAndOnDockerStopRemovesTheRecordThenStopsRedis(String image)
      throws Exception {
    int port = Ports.free();
    String id = DC + "-127.0.0.1-" + port;
    String key = Records.INSTANCES + id;
    ToStringConsumer output = new ToStringConsumer();
    try (GenericContainer<?> container =
        new GenericContainer<>(DockerImageName.parse(image))
            .withImagePullPolicy(p -> false)
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
