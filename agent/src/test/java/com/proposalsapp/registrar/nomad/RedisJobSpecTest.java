package com.proposalsapp.registrar.nomad;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.proposalsapp.registrar.config.Durations;
import com.proposalsapp.registrar.nomad.JobSpec.Block;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What must hold in both forms of the Redis job ({@code nomad/redis.nomad.hcl}, the sidecar form,
 * and {@code nomad/redis-entrypoint.nomad.hcl}): read by a real HCL2 parser, checked against each
 * other, against the registrar's flags and against the README.
 */
class RedisJobSpecTest {

  /** Nomad's default max_kill_timeout on a client: a longer kill_timeout is silently capped. */
  private static final Duration MAX_KILL_TIMEOUT = Duration.ofSeconds(30);

  /** Time a JVM needs to exit after its shutdown work, on top of the agent's own bounds. */
  private static final Duration EXIT_MARGIN = Duration.ofSeconds(1);

  /** What Redis may spend saving its data at SIGTERM, on top of its own shutdown-timeout. */
  private static final Duration SAVE_ALLOWANCE = Duration.ofSeconds(10);

  private static final String MASTER_NAME = "proposalsapp-redis";

  /** A host in a template: a literal, or a template action such as {{ env "NOMAD_IP_redis" }}. */
  private static final String HOST = "(?:\\{\\{[^}]*\\}\\}|[^\\s{]+)";

  static Stream<String> files() {
    return Stream.of("redis.nomad.hcl", "redis-entrypoint.nomad.hcl");
  }

  /**
   * The task that runs the registrar: its own in the sidecar form, Redis's in the entrypoint form.
   */
  private static Block registrar(Block group) {
    return group.children("task").stream().anyMatch(t -> t.name().equals("registrar"))
        ? group.task("registrar")
        : group.task("redis");
  }

  private static boolean sidecarForm(Block group) {
    return registrar(group).name().equals("registrar");
  }

  /** The value after {@code flag} in the registrar's args. */
  private static String flag(Block task, String flag) {
    List<String> args = task.args();
    int at = args.indexOf(flag);
    assertThat(at).as(task.name() + " args " + args + " have " + flag).isNotNegative();
    return args.get(at + 1);
  }

  private static int port(String hostPort) {
    return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
  }

  private static String line(String text, String regex, String what) {
    Matcher m = Pattern.compile(regex, Pattern.MULTILINE).matcher(text);
    assertThat(m.find()).as(what + " (" + regex + ") in:\n" + text).isTrue();
    return m.group(1);
  }

  @ParameterizedTest
  @MethodSource("files")
  void oneGroupPerDatacenterPinnedByAHardConstraint(String file) {
    JobSpec spec = JobSpec.parse(file);
    List<String> datacenters = List.of("dc1", "dc2", "dc3");
    assertThat(spec.variable("datacenters").get("default")).isEqualTo(datacenters);
    assertThat(spec.groups()).extracting(Block::name).containsExactlyElementsOf(datacenters);
    for (Block group : spec.groups()) {
      assertThat(group.integer("count")).isEqualTo(1);
      assertThat(group.body()).as("a spread is not a pin").doesNotContainKey("spread");
      // hcl4j reads "${node.datacenter}" as "node.datacenter"; no operator means "=".
      assertThat(group.blocks("constraint"))
          .containsExactly(Map.of("attribute", "node.datacenter", "value", group.name()));
    }
  }

  @ParameterizedTest
  @MethodSource("files")
  void theThreeGroupsDifferOnlyInTheirDatacenter(String file) throws IOException {
    ObjectMapper json = new ObjectMapper();
    List<Block> groups = JobSpec.parse(file).groups();
    String first = json.writeValueAsString(groups.get(0).body());
    for (Block group : groups) {
      assertThat(json.writeValueAsString(group.body()).replace(group.name(), "dc1"))
          .as(group.name() + " is dc1's group with its own name")
          .isEqualTo(first);
    }
  }

  @ParameterizedTest
  @MethodSource("files")
  void eachGroupRunsRedisSentinelAndTheRegistrarOnTheHostNetwork(String file) {
    JobSpec spec = JobSpec.parse(file);
    for (Block group : spec.groups()) {
      assertThat(JobSpec.map(group.body().get("network")).get("mode")).isEqualTo("host");
      Block sentinel = group.task("sentinel");
      assertThat(sentinel.template("secrets/sentinel.conf"))
          .as("Sentinel rewrites its file: it must own it")
          .containsEntry("uid", spec.variable("redis_uid").get("default"))
          .containsEntry("gid", spec.variable("redis_gid").get("default"))
          .containsEntry("perms", "600");
      assertThat(sentinel.string("user")).isEqualTo("redis");
      assertThat(sentinel.config().get("command")).isEqualTo("redis-server");
      assertThat(sentinel.args()).containsExactly("/secrets/sentinel.conf", "--sentinel");
      Block redis = group.task("redis");
      Block registrar = registrar(group);
      if (sidecarForm(group)) {
        assertThat(registrar.args().get(0)).isEqualTo("run");
        assertThat(redis.config().get("command")).isEqualTo("redis-server");
        assertThat(redis.args()).containsExactly("/secrets/redis.conf");
        assertThat(group.children("task")).hasSize(3);
      } else {
        List<String> args = registrar.args();
        assertThat(args.get(0)).isEqualTo("exec");
        assertThat(args.subList(args.indexOf("--"), args.size()))
            .containsExactly("--", "redis-server", "/secrets/redis.conf");
        assertThat(group.children("task")).hasSize(2);
      }
      for (Block task : group.children("task")) {
        assertThat(task.string("driver")).isEqualTo("docker");
        assertThat(task.config().get("network_mode")).as(task.name()).isEqualTo("host");
      }
      assertThat(redis.blocks("volume_mount"))
          .containsExactly(Map.of("volume", "data", "destination", "/data"));
      assertThat(JobSpec.map(group.body().get("volume")))
          .containsEntry("data", Map.of("type", "host", "source", "redis-data"));
      assertThat(redis.templates().get("secrets/redis.conf")).contains("\ndir /data\n");
    }
  }

  @ParameterizedTest
  @MethodSource("files")
  void portsAgreeBetweenTheNetworkRedisSentinelTheRegistrarAndTheChecks(String file) {
    for (Block group : JobSpec.parse(file).groups()) {
      Map<String, Integer> ports = group.staticPorts();
      assertThat(ports).containsOnlyKeys("redis", "sentinel", "http");
      int redisPort = ports.get("redis");
      int sentinelPort = ports.get("sentinel");
      String redisConf = group.task("redis").templates().get("secrets/redis.conf");
      String sentinelConf = group.task("sentinel").templates().get("secrets/sentinel.conf");
      Block registrar = registrar(group);

      assertThat(Integer.parseInt(line(redisConf, "^port (\\d+)$", "Redis's port")))
          .isEqualTo(redisPort);
      assertThat(Integer.parseInt(line(redisConf, "replicaof " + HOST + " (\\d+)", "replicaof")))
          .isEqualTo(redisPort);
      assertThat(Integer.parseInt(line(sentinelConf, "^port (\\d+)$", "Sentinel's port")))
          .isEqualTo(sentinelPort);
      Matcher monitor =
          Pattern.compile("^sentinel monitor (\\S+) " + HOST + " (\\d+) (\\d+)$", Pattern.MULTILINE)
              .matcher(sentinelConf);
      assertThat(monitor.find()).as("sentinel monitor line").isTrue();
      assertThat(monitor.group(1))
          .isEqualTo(MASTER_NAME)
          .isEqualTo(flag(registrar, "--master-name"));
      assertThat(Integer.parseInt(monitor.group(2))).as("monitored port").isEqualTo(redisPort);
      assertThat(monitor.group(3)).as("quorum").isEqualTo("2");
      for (String directive : List.of("auth-pass", "down-after-milliseconds", "failover-timeout")) {
        assertThat(sentinelConf).contains("sentinel " + directive + " " + MASTER_NAME + " ");
      }

      assertThat(flag(registrar, "--redis")).isEqualTo("127.0.0.1:" + redisPort);
      assertThat(flag(registrar, "--sentinels")).isEqualTo("127.0.0.1:" + sentinelPort);
      assertThat(port(flag(registrar, "--http"))).isEqualTo(ports.get("http"));
      String announce =
          line(
              registrar.templates().get("local/registrar.env"),
              "^REGISTRAR_ANNOUNCE=(.+)$",
              "the announced address");
      assertThat(announce).isEqualTo("{{ env \"NOMAD_IP_redis\" }}:" + redisPort);
      assertThat(registrar.template("local/registrar.env")).containsEntry("env", true);
      assertThat(group.task("redis").templates().get("local/reload.sh"))
          .contains("redis-cli -p " + redisPort + " ");

      Map<String, String> checks = new LinkedHashMap<>();
      for (Map<String, Object> service : group.blocks("service")) {
        assertThat(ports).containsKey((String) service.get("port"));
        assertThat(service.get("tags")).isEqualTo(List.of(group.name()));
        Map<String, Object> check = JobSpec.map(service.get("check"));
        if ("http".equals(check.get("type"))) {
          assertThat(check.get("port")).isEqualTo("http");
          checks.put((String) service.get("name"), (String) check.get("path"));
        }
      }
      assertThat(checks)
          .containsExactly(Map.entry("redis", "/health"), Map.entry("redis-master", "/master"));
    }
  }

  @ParameterizedTest
  @MethodSource("files")
  void theRecordGoesFirstAndRedisDrainsBeforeItStops(String file) {
    for (Block group : JobSpec.parse(file).groups()) {
      assertThat(group.duration("shutdown_delay"))
          .as("a group shutdown_delay would hold the leader, and so the record, back")
          .isEmpty();
      Block sentinel = group.task("sentinel");
      assertThat(sentinel.hook()).contains("prestart");
      assertThat(sentinel.sidecar()).as("Sentinel stops last").isTrue();
      Block redis = group.task("redis");
      assertThat(redis.hook()).as("Redis is a main task").isEmpty();
      Block registrar = registrar(group);
      if (sidecarForm(group)) {
        assertThat(registrar.flag("leader")).as("the registrar stops first").isTrue();
        assertThat(registrar.hook()).isEmpty();
        assertThat(group.children("task").stream().filter(t -> t.flag("leader"))).hasSize(1);
        assertThat(redis.duration("shutdown_delay").orElse(Duration.ZERO))
            .as("Redis's drain after the record is gone")
            .isPositive();
      } else {
        assertThat(Durations.parse(flag(registrar, "--drain-delay"))).isPositive();
        assertThat(group.children("task").stream().filter(t -> t.flag("leader"))).isEmpty();
      }
      for (Block task : group.children("task")) {
        assertThat(task.string("kill_signal")).as(task.name()).isEqualTo("SIGTERM");
      }
    }
  }

  @ParameterizedTest
  @MethodSource("files")
  void killTimeoutsCoverTheShutdownBudgetAndStayUnderNomadsCap(String file) {
    for (Block group : JobSpec.parse(file).groups()) {
      Block redis = group.task("redis");
      Block registrar = registrar(group);
      Duration redisShutdown =
          Duration.ofSeconds(
                  Long.parseLong(
                      line(
                          redis.templates().get("secrets/redis.conf"),
                          "^shutdown-timeout (\\d+)$",
                          "Redis's shutdown-timeout")))
              .plus(SAVE_ALLOWANCE);
      Duration shutdownTimeout = Durations.parse(flag(registrar, "--shutdown-timeout"));
      if (sidecarForm(group)) {
        assertThat(registrar.duration("kill_timeout").orElseThrow())
            .isGreaterThanOrEqualTo(shutdownTimeout.plus(EXIT_MARGIN));
        assertThat(redis.duration("kill_timeout").orElseThrow())
            .isGreaterThanOrEqualTo(redisShutdown);
      } else {
        Duration childTimeout = Durations.parse(flag(registrar, "--child-timeout"));
        assertThat(childTimeout)
            .as("--child-timeout covers Redis's shutdown")
            .isGreaterThanOrEqualTo(redisShutdown);
        assertThat(redis.duration("kill_timeout").orElseThrow())
            .isGreaterThanOrEqualTo(
                shutdownTimeout
                    .plus(Durations.parse(flag(registrar, "--drain-delay")))
                    .plus(childTimeout)
                    .plus(EXIT_MARGIN));
      }
      for (Block task : group.children("task")) {
        assertThat(task.duration("kill_timeout").orElseThrow())
            .as(task.name() + " kill_timeout")
            .isLessThanOrEqualTo(MAX_KILL_TIMEOUT);
      }
    }
  }

  @ParameterizedTest
  @MethodSource("files")
  void everyConsulKvKeyTheReadmeDocumentsIsReadWithItsDefault(String file) throws IOException {
    Map<String, String> documented = ConsulKv.readmeTable();
    assertThat(documented)
        .containsKeys("redis/password", "redis/maxmemory", "redis/maxmemory_policy");
    for (Block group : JobSpec.parse(file).groups()) {
      String templates =
          String.join(
              "\n",
              group.children("task").stream()
                  .flatMap(t -> t.templates().values().stream())
                  .toList());
      Matcher read =
          Pattern.compile("\\{\\{ *(key|keyOrDefault) \"([^\"]+)\"( \"([^\"]*)\")?")
              .matcher(templates);
      Map<String, String> reads = new LinkedHashMap<>();
      while (read.find()) {
        reads.put(read.group(2), read.group(1).equals("key") ? "generated" : read.group(4));
      }
      assertThat(reads).as(group.name() + ": keys read, with their defaults").isEqualTo(documented);
    }
  }

  @ParameterizedTest
  @MethodSource("files")
  void noSecretInAnyArgsOrEnvAndEverySecretInAFileUnderSecrets(String file) throws IOException {
    String text = Files.readString(JobSpec.repoRoot().resolve("nomad").resolve(file));
    assertThat(text).doesNotContainIgnoringCase("password =").doesNotContain("REDISCLI_AUTH =");
    for (Block group : JobSpec.parse(file).groups()) {
      for (Block task : group.children("task")) {
        List<String> args = new ArrayList<>(task.args());
        for (String arg : args) {
          assertThat(arg).as(task.name() + " arg").doesNotContain("{{").doesNotContain("key ");
        }
        for (int i = 0; i < args.size(); i++) {
          if (args.get(i).endsWith("-password-file")) {
            String path = args.get(i + 1);
            assertThat(path).startsWith("/secrets/");
            assertThat(task.templates())
                .as(task.name() + " renders " + path)
                .containsKey(path.substring(1));
          }
        }
        assertThat(task.env().keySet())
            .as(task.name() + " env")
            .noneMatch(k -> k.contains("PASSWORD") || k.equals("REDISCLI_AUTH"));
        task.templates()
            .forEach(
                (destination, data) -> {
                  if (data.contains("\"redis/password\"")) {
                    assertThat(destination)
                        .as("a file holding the password")
                        .startsWith("secrets/");
                  }
                });
      }
    }
  }
}
