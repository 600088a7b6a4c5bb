package com.proposalsapp.registrar.nomad;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Volume;
import com.proposalsapp.registrar.nomad.JobSpec.Block;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.output.ToStringConsumer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Both forms of the Redis job run as Nomad would run them, without Nomad: each group's tasks from
 * the job spec's own config (image, command, args, env, user, volume), with its templates rendered
 * from a Consul KV map and the {@code NOMAD_*} variables a client would set, started in lifecycle
 * order (prestart sidecar first) and stopped in Nomad's documented order (leader, main tasks with
 * their shutdown_delay, sidecars), each with {@code docker stop -t kill_timeout}.
 *
 * <p>Host networking stands in as one network namespace per group (its Sentinel container's, which
 * the other tasks join), each with its own address on a Docker network, as each group would have
 * its node's. Needs the images {@code -Pimage} builds (and the bases of image/build-base.sh):
 * {@code redis-registrar-base:bookworm} plays {@code -var redis_image=...}. Their records and their
 * stop are observed from outside: etcd through etcdctl, Redis through PING.
 */
@EnabledIfSystemProperty(
    named = "registrar.sidecar.image",
    matches = ".+",
    disabledReason = "no images built: run with -Pimage (scripts/test.sh does)")
@EnabledIfSystemProperty(
    named = "registrar.image",
    matches = ".+",
    disabledReason = "no images built: run with -Pimage (scripts/test.sh does)")
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class RedisJobIT {

  private static final String REDIS_IMAGE = "redis-registrar-base:bookworm";
  private static final String ROOTFS_IMAGE = "redis-registrar-debian:bookworm";

  /** The redis user of REDIS_IMAGE (Debian's), as -var redis_uid / redis_gid would give it. */
  private static final String REDIS_IMAGE_UID_GID = "100:101";

  private static final String GROUP_KEYS = "/service/redis/proposalsapp-redis/";
  private static final String PASSWORD = "it" + UUID.randomUUID().toString().replace("-", "");
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Map<String, String> INITIAL_KV = Map.of("redis/password", PASSWORD);
  private static final ObjectMapper JSON = new ObjectMapper();

  // Under target/it like every IT's (its files are bound into the containers, so they must be on
  // the Docker daemon's own file system, and its logs are kept).
  private static Path dir;

  private static Network network;
  private static String subnetPrefix;
  private static GenericContainer<?> etcd;
  private static final Map<String, ToStringConsumer> logs = new LinkedHashMap<>();
  private static final List<GenericContainer<?>> started = new ArrayList<>();

  /** The job file under test, so that both runs' container logs are kept apart. */
  private static String run = "";

  @BeforeAll
  static void networkAndEtcd() {
    dir = com.proposalsapp.registrar.it.Sandbox.createDir("RedisJobIT");
    network = networkOfItsOwn();
    String etcdIp = subnetPrefix + "2";
    etcd =
        container(ROOTFS_IMAGE, "etcd")
            .withNetwork(network)
            .withCreateContainerCmdModifier(
                c ->
                    c.withIpv4Address(etcdIp)
                        .getHostConfig()
                        .withBinds(bind("/usr/bin/etcd", "/usr/local/bin/etcd", AccessMode.ro)))
            .withCommand(
                "etcd",
                "--data-dir=/tmp/etcd",
                "--listen-client-urls=http://0.0.0.0:2379",
                "--advertise-client-urls=http://" + etcdIp + ":2379")
            .waitingFor(Wait.forLogMessage(".*ready to serve client requests.*", 1));
    etcd.start();
  }

  @AfterAll
  static void cleanUp() {
    logs.forEach((name, log) -> System.out.println("=== " + name + "\n" + log.toUtf8String()));
    started.forEach(GenericContainer::stop);
    if (etcd != null) {
      etcd.stop();
    }
    if (network != null) {
      network.close();
    }
  }

  /** A Docker network with a /24 of its own, so that every group can have a fixed address. */
  private static Network networkOfItsOwn() {
    RuntimeException last = null;
    for (int attempt = 0; attempt < 20; attempt++) {
      String prefix = "172.29." + (100 + (int) (Math.random() * 150)) + ".";
      Network candidate =
          Network.builder()
              .createNetworkCmdModifier(
                  cmd ->
                      cmd.withIpam(
                          new com.github.dockerjava.api.model.Network.Ipam()
                              .withConfig(
                                  new com.github.dockerjava.api.model.Network.Ipam.Config()
                                      .withSubnet(prefix + "0/24"))))
              .build();
      try {
        candidate.getId();
        subnetPrefix = prefix;
        return candidate;
      } catch (RuntimeException e) {
        last = e; // the subnet overlaps another network: try another
      }
    }
    throw last;
  }

  /**
   * A bind mount given to Docker as is: Testcontainers' own withFileSystemBind first checks file
   * mounting with an alpine container, which cannot be pulled here.
   */
  private static Bind bind(String host, String container, AccessMode mode) {
    return new Bind(host, new Volume(container), mode);
  }

  private static GenericContainer<?> container(String image, String name) {
    ToStringConsumer log = new ToStringConsumer();
    logs.put(run + name, log);
    return new GenericContainer<>(DockerImageName.parse(image))
        .withImagePullPolicy(i -> false)
        .withLogConsumer(log);
  }

  private static String etcdEndpoint() {
    return "http://" + subnetPrefix + "2:2379";
  }

  /** One group as a Nomad client would run it: its address, its tasks' containers by name. */
  private record Group(
      String dc,
      String ip,
      Map<String, GenericContainer<?>> tasks,
      Map<String, Map<String, String>> envs,
      Map<String, Path> dirs) {}

  private static java.util.Set<java.nio.file.attribute.PosixFilePermission> perms(String octal) {
    int mode = Integer.parseInt(octal, 8);
    StringBuilder text = new StringBuilder();
    for (int shift = 6; shift >= 0; shift -= 3) {
      int bits = (mode >> shift) & 7;
      text.append((bits & 4) != 0 ? 'r' : '-')
          .append((bits & 2) != 0 ? 'w' : '-')
          .append((bits & 1) != 0 ? 'x' : '-');
    }
    return PosixFilePermissions.fromString(text.toString());
  }

  private static void chown(Path file, String uidGid) throws IOException {
    try {
      Process chown = new ProcessBuilder("chown", uidGid, file.toString()).inheritIO().start();
      assertThat(chown.waitFor(10, TimeUnit.SECONDS) && chown.exitValue() == 0)
          .as("chown " + uidGid + " " + file)
          .isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  /** A task directory as Nomad makes it (secrets/, local/): mode 0777. */
  private static Path writable(Path path) throws IOException {
    Files.createDirectories(path);
    Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxrwxrwx"));
    return path;
  }

  private static Group start(JobSpec spec, Block group, String initialMaster, String ip)
      throws IOException {
    Map<String, String> nomadEnv = new LinkedHashMap<>();
    nomadEnv.put("NOMAD_DC", group.name());
    nomadEnv.put("NOMAD_GROUP_NAME", group.name());
    nomadEnv.put("NOMAD_META_initial_master", initialMaster);
    group
        .staticPorts()
        .forEach(
            (label, port) -> {
              nomadEnv.put("NOMAD_IP_" + label, ip);
              nomadEnv.put("NOMAD_PORT_" + label, port.toString());
            });
    Map<String, String> kv = INITIAL_KV;
    Path data = writable(dir.resolve(group.name()).resolve("data"));

    // Lifecycle order: prestart tasks first; the first one (Sentinel) holds the group's network.
    List<Block> tasks = new ArrayList<>(group.children("task"));
    tasks.sort((a, b) -> Boolean.compare(a.hook().isEmpty(), b.hook().isEmpty()));
    Map<String, GenericContainer<?>> containers = new LinkedHashMap<>();
    Map<String, Map<String, String>> envs = new LinkedHashMap<>();
    Map<String, Path> dirs = new LinkedHashMap<>();
    String owner = null;
    for (Block task : tasks) {
      Map<String, String> env = new LinkedHashMap<>(nomadEnv);
      env.put("NOMAD_TASK_NAME", task.name());
      task.env().forEach((k, v) -> env.put(k, v.toString()));
      // As -var etcd_endpoints=... would.
      env.computeIfPresent("REGISTRAR_ETCD", (k, v) -> etcdEndpoint());
      Path taskDir = dir.resolve(group.name()).resolve(task.name());
      Path secrets = writable(taskDir.resolve("secrets"));
      Path local = writable(taskDir.resolve("local"));
      ConsulTemplate renderer = new ConsulTemplate(kv, env);
      Map<String, String> templateEnv = new LinkedHashMap<>();
      for (Map<String, Object> template : task.blocks("template")) {
        String destination = (String) template.get("destination");
        String text = renderer.render(JobSpec.dedent((String) template.get("data")));
        Path file = taskDir.resolve(destination);
        Files.writeString(file, text, StandardCharsets.UTF_8);
        // As Nomad writes a template: as root, perms 644 unless the template says otherwise.
        Files.setPosixFilePermissions(file, perms((String) template.getOrDefault("perms", "644")));
        if (template.get("uid") != null) {
          // As -var redis_uid=... -var redis_gid=... would for the image used here.
          assertThat(((Number) template.get("uid")).intValue())
              .isEqualTo(((Number) spec.variable("redis_uid").get("default")).intValue());
          chown(file, REDIS_IMAGE_UID_GID);
        }
        if (Boolean.TRUE.equals(template.get("env"))) {
          text.lines()
              .filter(l -> l.contains("="))
              .forEach(
                  l ->
                      templateEnv.put(
                          l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1)));
        }
      }
      env.putAll(templateEnv);

      // As -var redis_image=... and -var registrar_image=... would: the images built here.
      String image = (String) task.config().get("image");
      if (image.equals(spec.variable("redis_image").get("default"))) {
        image = REDIS_IMAGE;
      } else if (image.equals("redis-registrar-sidecar:0.1.0")) {
        image = System.getProperty("registrar.sidecar.image");
      } else {
        assertThat(image).isEqualTo("redis-registrar:0.1.0");
        image = System.getProperty("registrar.image");
      }
      List<String> command = new ArrayList<>();
      Optional.ofNullable((String) task.config().get("command")).ifPresent(command::add);
      command.addAll(withoutUnknownHttpFlag(image, task.args()));

      List<Bind> binds = new ArrayList<>();
      binds.add(bind(secrets.toString(), "/secrets", AccessMode.rw));
      binds.add(bind(local.toString(), "/local", AccessMode.rw));
      for (Map<String, Object> mount : task.blocks("volume_mount")) {
        binds.add(bind(data.toString(), (String) mount.get("destination"), AccessMode.rw));
      }
      GenericContainer<?> container =
          container(image, group.name() + "/" + task.name())
              .withEnv(env)
              .withCommand(command.toArray(String[]::new));
      String user = task.string("user");
      String ownerId = owner;
      container.withCreateContainerCmdModifier(
          c -> {
            c.getHostConfig().withBinds(binds);
            if (user != null) {
              c.withUser(user);
            }
            if (ownerId == null) {
              c.withIpv4Address(ip);
            }
          });
      if (owner == null) {
        container.withNetwork(network);
      } else {
        container.withNetworkMode("container:" + owner);
      }
      container.start();
      started.add(container);
      if (owner == null) {
        owner = container.getContainerId();
      }
      containers.put(task.name(), container);
      envs.put(task.name(), env);
      dirs.put(task.name(), taskDir);
    }
    return new Group(group.name(), ip, containers, envs, dirs);
  }

  /** Drops "--http ADDR" while the image's agent does not know it yet (issue 8). */
  private static List<String> withoutUnknownHttpFlag(String image, List<String> args) {
    if (!args.contains("--http") || image.equals(REDIS_IMAGE) || agentKnowsHttp) {
      return args;
    }
    System.out.println(
        "RedisJobIT: the agent in " + image + " has no --http yet; dropped from " + args);
    List<String> kept = new ArrayList<>(args);
    int at = kept.indexOf("--http");
    kept.remove(at + 1);
    kept.remove(at);
    return kept;
  }

  private static final boolean agentKnowsHttp = agentHelpMentions("--http");

  /**
   * Consul KV changed: re-renders the group's templates as consul-template would and, for each file
   * that changed, does what its change_mode says (only "script" and "noop" occur here; any other
   * fails, as a restart would need simulating). Returns the destinations that changed.
   */
  private static List<String> applyKvChange(Block spec, Group group, Map<String, String> kv)
      throws Exception {
    List<String> changed = new ArrayList<>();
    for (Block task : spec.children("task")) {
      ConsulTemplate renderer = new ConsulTemplate(kv, group.envs().get(task.name()));
      for (Map<String, Object> template : task.blocks("template")) {
        String destination = (String) template.get("destination");
        Path file = group.dirs().get(task.name()).resolve(destination);
        String text = renderer.render(JobSpec.dedent((String) template.get("data")));
        if (text.equals(Files.readString(file))) {
          continue;
        }
        Files.writeString(file, text, StandardCharsets.UTF_8);
        changed.add(task.name() + ":" + destination);
        String mode = (String) template.getOrDefault("change_mode", "restart");
        if (mode.equals("script")) {
          Map<String, Object> script = JobSpec.map(template.get("change_script"));
          List<String> command = new ArrayList<>(List.of((String) script.get("command")));
          @SuppressWarnings("unchecked")
          List<String> args = (List<String>) script.getOrDefault("args", List.of());
          command.addAll(args);
          var result =
              group.tasks().get(task.name()).execInContainer(command.toArray(String[]::new));
          assertThat(result.getExitCode()).as("change_script " + command + ": " + result).isZero();
        } else {
          assertThat(mode).as(destination + " change_mode").isEqualTo("noop");
        }
      }
    }
    return changed;
  }

  /** What the test saw at one moment of a stop: the group's record, and Redis answering. */
  private record Observation(long nanos, boolean recorded, boolean answers) {
    Observation withBoth() {
      return new Observation(nanos, true, true);
    }
  }

  private static boolean agentHelpMentions(String flag) {
    String image = System.getProperty("registrar.sidecar.image", "");
    if (image.isEmpty()) {
      return false;
    }
    try (GenericContainer<?> help =
        new GenericContainer<>(DockerImageName.parse(image))
            .withImagePullPolicy(i -> false)
            .withCommand("run", "--help")
            .withStartupCheckStrategy(
                new org.testcontainers.containers.startupcheck.OneShotStartupCheckStrategy()
                    .withTimeout(Duration.ofSeconds(30)))) {
      help.start();
      return help.getLogs().contains(flag);
    }
  }

  /**
   * Stops a group in Nomad's order (the leader, then main tasks each after its own shutdown_delay,
   * then sidecars), each with docker stop -t kill_timeout, observing the group's record and its
   * Redis all along.
   */
  private static List<Observation> stopInNomadsOrder(Block spec, Group group) {
    List<Block> tasks = spec.children("task");
    List<Block> order = new ArrayList<>();
    tasks.stream().filter(t -> t.flag("leader")).forEach(order::add);
    tasks.stream().filter(t -> !t.flag("leader") && !t.sidecar()).forEach(order::add);
    tasks.stream().filter(Block::sidecar).forEach(order::add);
    List<Observation> timeline = new ArrayList<>();
    timeline.add(observe(group)); // before anything is stopped
    for (Block task : order) {
      // Nomad's shutdown_delay: the task keeps running meanwhile.
      long delayEnd =
          System.nanoTime() + task.duration("shutdown_delay").orElse(Duration.ZERO).toNanos();
      while (System.nanoTime() < delayEnd) {
        timeline.add(observe(group));
      }
      GenericContainer<?> container = group.tasks().get(task.name());
      int killTimeout =
          (int) task.duration("kill_timeout").orElse(Duration.ofSeconds(5)).toSeconds();
      CompletableFuture<Void> stopping =
          CompletableFuture.runAsync(
              () ->
                  container
                      .getDockerClient()
                      .stopContainerCmd(container.getContainerId())
                      .withTimeout(killTimeout)
                      .exec());
      do {
        timeline.add(observe(group));
      } while (!stopping.isDone());
      stopping.join();
    }
    timeline.add(observe(group));
    return timeline;
  }

  private static Observation observe(Group group) {
    boolean recorded;
    try {
      recorded = !role(group.dc(), group.ip()).equals("absent");
    } catch (Exception e) {
      throw new AssertionError("etcd unreadable", e);
    }
    boolean answers;
    try {
      answers = ping(group.ip()).equals("PONG");
    } catch (RuntimeException e) {
      answers = false;
    }
    return new Observation(System.nanoTime(), recorded, answers);
  }

  private static Map<String, JsonNode> etcdRecords() throws Exception {
    ProcessBuilder builder =
        new ProcessBuilder(
                "etcdctl", "--endpoints=" + etcdEndpoint(), "get", "--prefix", GROUP_KEYS)
            .redirectErrorStream(true);
    builder.environment().put("ETCDCTL_API", "3");
    Process etcdctl = builder.start();
    String out = new String(etcdctl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(etcdctl.waitFor(20, TimeUnit.SECONDS)).isTrue();
    List<String> lines = out.lines().toList();
    Map<String, JsonNode> records = new LinkedHashMap<>();
    for (int i = 0; i + 1 < lines.size(); i += 2) {
      records.put(lines.get(i).substring(GROUP_KEYS.length()), JSON.readTree(lines.get(i + 1)));
    }
    return records;
  }

  private static Optional<String> masterAddress() throws Exception {
    JsonNode master = etcdRecords().get("master");
    return master == null
        ? Optional.empty()
        : Optional.of(master.path("host").asText() + ":" + master.path("port").asInt());
  }

  private static String role(String dc, String ip) throws Exception {
    JsonNode record = etcdRecords().get("instances/" + dc + "-" + ip + "-6379");
    return record == null ? "absent" : record.path("role").asText();
  }

  private static String ping(String ip) {
    try (Jedis redis = new Jedis(ip, 6379)) {
      redis.auth(PASSWORD);
      return redis.ping();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"redis.nomad.hcl", "redis-entrypoint.nomad.hcl"})
  void threeGroupsFormASentinelSetPublishFollowAFailoverAndAStoppedGroupsRecordGoesBeforeItsRedis(
      String file) throws Exception {
    JobSpec spec = JobSpec.parse(file);
    run = file + " ";
    etcdctl("del", "--prefix", GROUP_KEYS);
    List<Block> groups = spec.groups();
    String initialMaster = subnetPrefix + "11";
    List<Group> running = new ArrayList<>();
    try {
      for (int i = 0; i < groups.size(); i++) {
        running.add(start(spec, groups.get(i), initialMaster, subnetPrefix + (11 + i)));
      }
      publishFollowAFailoverAndStopAReplicasGroup(groups, running, initialMaster);
    } finally {
      for (Group group : running) {
        group.tasks().values().forEach(GenericContainer::stop);
      }
    }
  }

  private static void publishFollowAFailoverAndStopAReplicasGroup(
      List<Block> groups, List<Group> running, String initialMaster) throws Exception {
    await("dc1 master, dc2 and dc3 replicas, the master key on dc1")
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              assertThat(role("dc1", running.get(0).ip())).isEqualTo("master");
              assertThat(role("dc2", running.get(1).ip())).isEqualTo("replica");
              assertThat(role("dc3", running.get(2).ip())).isEqualTo("replica");
              assertThat(masterAddress()).contains(initialMaster + ":6379");
            });

    // Sentinel refuses (NOGOODSLAVE) until it has refreshed its replicas' INFO: ask until it
    // agrees.
    await("Sentinel accepts SENTINEL FAILOVER")
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(500))
        .ignoreException(JedisDataException.class)
        .until(
            () -> {
              try (Jedis sentinel = new Jedis(initialMaster, 26379)) {
                sentinel.auth(PASSWORD);
                return sentinel.sentinelFailover("proposalsapp-redis");
              }
            },
            "OK"::equals);
    String newMaster =
        await("the master key moved away from dc1")
            .atMost(WAIT)
            .pollInterval(Duration.ofMillis(200))
            .until(
                RedisJobIT::masterAddress,
                m -> m.isPresent() && !m.get().startsWith(initialMaster + ":"))
            .orElseThrow();
    Group master =
        running.stream().filter(g -> newMaster.startsWith(g.ip() + ":")).findFirst().orElseThrow();
    await("dc1 follows the new master")
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(role(master.dc(), master.ip())).isEqualTo("master");
              assertThat(role("dc1", initialMaster)).isEqualTo("replica");
            });

    // Stop the third group (a replica) in Nomad's order, watching its record and its Redis.
    Group stopped =
        running.stream()
            .filter(g -> g != master && !g.dc().equals("dc1"))
            .findFirst()
            .orElseThrow();
    Block stoppedSpec =
        groups.stream().filter(g -> g.name().equals(stopped.dc())).findFirst().orElseThrow();
    List<Observation> timeline = stopInNomadsOrder(stoppedSpec, stopped);

    assertThat(timeline.get(0)).as("before the stop").isEqualTo(timeline.get(0).withBoth());
    assertThat(timeline)
        .as("never a record for a Redis that does not answer")
        .noneMatch(o -> o.recorded() && !o.answers());
    long recordGone =
        timeline.stream().filter(o -> !o.recorded()).findFirst().orElseThrow().nanos();
    long lastAnswer =
        timeline.stream().filter(Observation::answers).reduce((a, b) -> b).orElseThrow().nanos();
    System.out.printf(
        "RedisJobIT %s: Redis answered for %d ms after its record was gone (%d observations)%n",
        stopped.dc(), (lastAnswer - recordGone) / 1_000_000, timeline.size());
    assertThat(Duration.ofNanos(lastAnswer - recordGone))
        .as("Redis answered on after its record was gone (the drain)")
        .isGreaterThanOrEqualTo(Duration.ofSeconds(1));
    assertThat(timeline.get(timeline.size() - 1))
        .as("after the stop")
        .isEqualTo(new Observation(timeline.get(timeline.size() - 1).nanos(), false, false));
    assertThat(stopped.tasks().values()).noneMatch(GenericContainer::isRunning);
    assertThat(role(master.dc(), master.ip())).isEqualTo("master");
  }

  private static void etcdctl(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("etcdctl", "--endpoints=" + etcdEndpoint()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("ETCDCTL_API", "3");
    Process etcdctl = builder.start();
    etcdctl.getInputStream().readAllBytes();
    assertThat(etcdctl.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(etcdctl.exitValue()).isZero();
  }
}
