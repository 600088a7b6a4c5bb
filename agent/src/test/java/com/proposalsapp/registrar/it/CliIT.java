package com.proposalsapp.registrar.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The command-line contract, each command run as a separate JVM from the built jar: option
 * validation, --help and --version, the environment, and what {@code register}, {@code deregister},
 * {@code status} and {@code check} do to (and say about) a real etcd.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CliIT {
  @RegisterExtension
  static final SandboxExtension SANDBOX = SandboxExtension.of(Sandbox.Options.defaults());

  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
  private static final String VERSION = "redis-registrar 0.1.0";
  private static final List<String> HEADER =
      List.of(
          "DC", "ID", "ROLE", "ADDRESS", "MASTER", "LINK", "SENTINEL", "FENCE", "LEASE TTL LEFT");

  private static Sandbox sandbox;
  private static EtcdServer etcd;

  @BeforeAll
  static void startSandbox() {
    sandbox = SANDBOX.get();
    etcd = sandbox.etcd();
  }

  @BeforeEach
  void emptyEtcd() {
    etcd.etcdctl("del", "--prefix", "--", Records.PREFIX + "/");
  }

  // --- options -------------------------------------------------------------------------------

  static Stream<Arguments> badOptions() {
    return Stream.of(
        bad("--poll-interval", "5x"),
        bad("--redis", "127.0.0.1:0"),
        bad("--redis", "127.0.0.1:70000"),
        bad("--id", "a b"),
        bad("--prefix", "/service/../x"),
        bad("--lease-ttl", "1500ms"),
        bad("--http", "127.0.0.1:70000"),
        bad("--log-format", "xml"),
        bad("--log-level", "LOUD"),
        // issue 10, case 5: durations that overflowed, outlived their Redis or burned a core
        bad("--poll-interval", "3000000h"),
        bad("--lease-ttl", "2500000h"),
        bad("--poll-interval", "1ms"),
        // issue 10, case 8: addresses that were accepted but wrong
        bad("--redis", "redis://127.0.0.1:6379"),
        bad("--redis", "a/b:6379"),
        bad("--redis", "127.0.0.1:6379,127.0.0.1:6380"),
        bad("--redis", "127.0.0.1:+6379"),
        bad("--redis", "::1:6379"),
        Arguments.of(
            "--announce with a control character, shown escaped",
            List.of("run", "--dc", "dc1", "--announce", "host\u0007:6379"),
            Map.of(),
            List.of("--announce", "'host\\u0007:6379'")),
        bad("--etcd", "http://127.0.0.1:2379/v3"),
        bad("--etcd", "http://127.0.0.1:2379?x=1"),
        Arguments.of(
            "etcd credentials in the URL (issue 10, case 3), never printed",
            List.of("run", "--dc", "dc1", "--etcd", "http://u:pw9@127.0.0.1:2379"),
            Map.of(),
            List.of("--etcd", "credentials inside a URL", "'http://u:****@127.0.0.1:2379'")),
        Arguments.of(
            "a log level from the environment that Logback would read as DEBUG",
            List.of("run", "--dc", "dc1"),
            Map.of("REGISTRAR_LOG_LEVEL", "LOUD"),
            List.of("REGISTRAR_LOG_LEVEL", "LOUD")),
        Arguments.of("missing --dc", List.of("run"), Map.of(), List.of("--dc")),
        Arguments.of(
            "unknown option",
            List.of("run", "--dc", "dc1", "--no-such-option"),
            Map.of(),
            List.of("--no-such-option")),
        Arguments.of(
            "bad value from the environment",
            List.of("run", "--dc", "dc1"),
            Map.of("REGISTRAR_POLL_INTERVAL", "5x"),
            List.of("REGISTRAR_POLL_INTERVAL", "5x")),
        Arguments.of(
            "register with a bad prefix",
            List.of("register", "--dc", "dc1", "--prefix", "/service/../x"),
            Map.of(),
            List.of("--prefix", "/service/../x")),
        Arguments.of(
            "status with a bad prefix",
            List.of("status", "--prefix", "relative"),
            Map.of(),
            List.of("--prefix", "relative")),
        Arguments.of(
            "route without --haproxy-socket",
            List.of("route", "--dc", "dc1"),
            Map.of(),
            List.of("--haproxy-socket")),
        Arguments.of(
            "route with a weight out of range",
            List.of(
                "route", "--dc", "dc1", "--haproxy-socket", "/run/h.sock", "--local-weight", "0"),
            Map.of(),
            List.of("--local-weight", "0")),
        Arguments.of(
            "route reading and writing on one port",
            List.of(
                "route",
                "--dc",
                "dc1",
                "--haproxy-socket",
                "/run/h.sock",
                "--read-bind",
                "127.0.0.1:6380"),
            Map.of(),
            List.of("--read-bind", "127.0.0.1:6380")),
        Arguments.of(
            "route with bad slots from the environment",
            List.of("route", "--dc", "dc1", "--haproxy-socket", "/run/h.sock"),
            Map.of("ROUTE_SLOTS", "1"),
            List.of("ROUTE_SLOTS", "1")));
  }

  private static Arguments bad(String option, String value) {
    return Arguments.of(
        option + " " + value,
        List.of("run", "--dc", "dc1", option, value),
        Map.of(),
        List.of(option, value));
  }

  /**
   * Every server address points at a socket that accepts connections but never answers: a command
   * that connected anywhere before validating would be caught, and one that waited for an answer
   * would hang.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("badOptions")
  void aBadOptionExitsTwoWithOneLineBeforeAnyConnection(
      String name, List<String> args, Map<String, String> env, List<String> named)
      throws IOException {
    try (Tarpit tarpit = new Tarpit()) {
      List<String> command = new ArrayList<>(args);
      // Defaults for what the case does not set itself; the case's own values come first.
      for (String[] option :
          new String[][] {
            {"--redis", tarpit.address()},
            {"--sentinels", tarpit.address()},
            {"--etcd", "http://" + tarpit.address()}
          }) {
        boolean route = args.get(0).equals("route"); // takes no Redis or Sentinel
        if (!args.contains(option[0]) && (!route || option[0].equals("--etcd"))) {
          command.addAll(Arrays.asList(option));
        }
      }
      Map<String, String> environment = new HashMap<>(env);
      environment.putIfAbsent("REGISTRAR_DC", ""); // empty counts as unset
      environment.putIfAbsent("NOMAD_DC", "");

      long t0 = System.nanoTime();
      AgentProcess.Result result = cli(environment, command.toArray(String[]::new));
      long ms = millisSince(t0);
      System.out.printf(
          "CliIT: %s -> exit %d in %d ms: %s", name, result.exitCode(), ms, result.stderr());

      assertThat(result.exitCode()).isEqualTo(2);
      assertThat(result.stdout()).isEmpty();
      assertThat(result.stderr().lines().toList()).singleElement().asString().contains(named);
      assertThat(tarpit.connected()).as("a connection was made").isFalse();
      assertThat(ms).as("ms to exit").isLessThan(10_000);
    }
  }

  @Test
  void versionPrintsTheAgentNameAndVersion() {
    AgentProcess.Result result = cli(Map.of(), "--version");

    assertThat(result.exitCode()).isZero();
    assertThat(result.stdout().strip()).isEqualTo(VERSION);
  }

  @ParameterizedTest(name = "{0} --help")
  @ValueSource(strings = {"", "run", "register", "deregister", "status", "check", "route"})
  void helpOnEveryCommandExitsZero(String command) {
    List<String> args = new ArrayList<>();
    if (!command.isEmpty()) {
      args.add(command);
    }
    args.add("--help");

    AgentProcess.Result result = cli(Map.of(), args.toArray(String[]::new));

    assertThat(result.exitCode()).isZero();
    assertThat(result.stdout())
        .startsWith("Usage: redis-registrar" + (command.isEmpty() ? "" : " " + command));
    assertThat(result.stdout()).contains(command.isEmpty() ? "Commands:" : "--etcd");
    assertThat(result.stderr()).isEmpty();
  }

  // --- environment ---------------------------------------------------------------------------

  @Test
  void environmentVariablesSetOptionsAndAFlagWins() {
    RedisServer redis = sandbox.redis().get(1);
    Map<String, String> env = new HashMap<>();
    env.put("REGISTRAR_DC", "dcenv");
    env.put("REGISTRAR_REDIS", redis.address());
    env.put("REGISTRAR_SENTINELS", sandbox.sentinelAddresses());
    env.put("REGISTRAR_ETCD", etcd.endpoint());
    env.put("REGISTRAR_LEASE_TTL", "40s"); // not the default, and outlasts this test
    env.put("REGISTRAR_ID", "");

    // Environment only.
    assertThat(cli(env, "register").exitCode()).isZero();
    String fromEnv = Records.defaultId("dcenv", redis);
    assertThat(Records.get(etcd, fromEnv).orElseThrow().path("dc").asText()).isEqualTo("dcenv");
    assertThat(Records.lease(etcd, etcd.leaseOf(Records.key(fromEnv))).grantedTtl()).isEqualTo(40);

    // Flags win over the environment, whose etcd does not even exist.
    env.put("REGISTRAR_ETCD", "http://127.0.0.1:" + Ports.free());
    env.put("REGISTRAR_ID", "id-from-env");
    AgentProcess.Result flagged =
        cli(env, "register", "--dc", "dcflag", "--id", "id-from-flag", "--etcd", etcd.endpoint());
    assertThat(flagged.exitCode()).as(flagged.stderr()).isZero();
    assertThat(Records.get(etcd, "id-from-flag").orElseThrow().path("dc").asText())
        .isEqualTo("dcflag");
    assertThat(etcd.get(Records.key("id-from-env"))).isEmpty();

    // The fallbacks: ETCDCTL_ENDPOINTS for etcd, NOMAD_DC for the datacenter.
    env.put("REGISTRAR_ETCD", "");
    env.put("ETCDCTL_ENDPOINTS", etcd.endpoint());
    env.put("REGISTRAR_DC", "");
    env.put("NOMAD_DC", "dcnomad");
    env.put("REGISTRAR_ID", "");
    assertThat(cli(env, "register").exitCode()).isZero();
    assertThat(Records.get(etcd, Records.defaultId("dcnomad", redis))).isPresent();

    // REGISTRAR_ETCD comes before ETCDCTL_ENDPOINTS, REGISTRAR_DC before NOMAD_DC.
    env.put("ETCDCTL_ENDPOINTS", "http://127.0.0.1:" + Ports.free());
    env.put("REGISTRAR_ETCD", etcd.endpoint());
    env.put("REGISTRAR_DC", "dcfirst");
    assertThat(cli(env, "register").exitCode()).isZero();
    assertThat(Records.get(etcd, Records.defaultId("dcfirst", redis))).isPresent();

    assertThat(Records.all(etcd).keySet())
        .containsExactlyInAnyOrder(
            fromEnv,
            "id-from-flag",
            Records.defaultId("dcnomad", redis),
            Records.defaultId("dcfirst", redis));
  }

  // --- register and deregister ---------------------------------------------------------------

  @Test
  void registerWritesTheRecordOnAFreshLeaseAndPrintsExactlyWhatItWrote() {
    String id = Agents.id(sandbox, 0);
    String key = Records.key(id);

    AgentProcess.Result first = cli(Map.of(), target(0, "register", "--lease-ttl", "7s"));

    assertThat(first.exitCode()).as(first.stderr()).isZero();
    assertThat(first.stdout().lines().toList()).hasSize(1);
    assertThat(etcd.get(key)).contains(first.stdout().strip());
    JsonNode record = Records.parse(first.stdout());
    assertThat(record.path("id").asText()).isEqualTo(id);
    assertThat(Records.role(record)).isEqualTo("master");
    long lease = etcd.leaseOf(key);
    Records.LeaseInfo info = Records.lease(etcd, lease);
    assertThat(info.grantedTtl()).isEqualTo(7);
    assertThat(info.ttl()).isBetween(5L, 7L);

    // A second registration takes a fresh lease; it is not kept alive, so it runs out.
    AgentProcess.Result second = cli(Map.of(), target(0, "register", "--lease-ttl", "2s"));
    assertThat(second.exitCode()).as(second.stderr()).isZero();
    assertThat(etcd.get(key)).contains(second.stdout().strip());
    long secondLease = etcd.leaseOf(key);
    assertThat(secondLease).isNotZero().isNotEqualTo(lease);
    long t0 = System.nanoTime();
    await("registered record expires with its lease")
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> etcd.get(key).isEmpty());
    System.out.printf(
        "CliIT: a record registered with --lease-ttl 2s expired %d ms later%n", millisSince(t0));
  }

  @Test
  void registerExitsOneWithOneLineWhenEtcdIsUnreachable() {
    String dead = "http://127.0.0.1:" + Ports.free();

    long t0 = System.nanoTime();
    AgentProcess.Result result =
        cli(
            Map.of(),
            "register",
            "--dc",
            "dc1",
            "--redis",
            sandbox.redis().get(0).address(),
            "--sentinels",
            sandbox.sentinelAddresses(),
            "--etcd",
            dead);
    System.out.printf(
        "CliIT: register, etcd unreachable -> exit %d in %d ms: %s",
        result.exitCode(), millisSince(t0), result.stderr());

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.stdout()).isEmpty();
    assertThat(result.stderr().lines().toList())
        .singleElement()
        .asString()
        .startsWith("redis-registrar: ")
        .contains(dead);
  }

  @Test
  void deregisterRemovesTheRecordAndPrintsWhatItRemoved() {
    assertThat(cli(Map.of(), target(1, "register", "--id", "leaving")).exitCode()).isZero();
    assertThat(cli(Map.of(), target(2, "register")).exitCode()).isZero();
    String value = etcd.get(Records.key("leaving")).orElseThrow();
    String staying = etcd.get(Records.key(Agents.id(sandbox, 2))).orElseThrow();

    AgentProcess.Result result =
        cli(Map.of(), "deregister", "--id", "leaving", "--etcd", etcd.endpoint());

    assertThat(result.exitCode()).as(result.stderr()).isZero();
    assertThat(result.stdout().strip()).isEqualTo(value);
    assertThat(etcd.get(Records.key("leaving"))).isEmpty();
    assertThat(etcd.get(Records.key(Agents.id(sandbox, 2)))).contains(staying);

    AgentProcess.Result again =
        cli(Map.of(), "deregister", "--id", "leaving", "--etcd", etcd.endpoint());
    assertThat(again.exitCode()).isZero();
    assertThat(again.stdout()).isEmpty();
    assertThat(again.stderr()).contains("leaving");
  }

  // --- status --------------------------------------------------------------------------------

  @Test
  void statusListsEveryRecordAsATableOrAsJson() {
    long t0 = System.nanoTime();
    for (int i = 0; i < 3; i++) {
      AgentProcess.Result registered = cli(Map.of(), target(i, "register", "--lease-ttl", "30s"));
      assertThat(registered.exitCode()).as(registered.stderr()).isZero();
    }
    String master = sandbox.redis().get(0).address();

    AgentProcess.Result table = cli(Map.of(), "status", "--etcd", etcd.endpoint());
    // Each command is a cold JVM: under load the three registers and the status take seconds.
    long elapsed = (System.nanoTime() - t0) / 1_000_000_000L;

    assertThat(table.exitCode()).as(table.stderr()).isZero();
    List<List<String>> rows = table.stdout().lines().map(CliIT::columns).toList();
    assertThat(rows).hasSize(4);
    assertThat(rows.get(0)).isEqualTo(HEADER);
    for (int i = 0; i < 3; i++) {
      List<String> row = rows.get(i + 1);
      assertThat(row).hasSize(HEADER.size());
      assertThat(row.subList(0, 4))
          .containsExactly(
              Agents.dc(i),
              Agents.id(sandbox, i),
              i == 0 ? "master" : "replica",
              sandbox.redis().get(i).address());
      assertThat(row.subList(4, 6))
          .containsExactlyElementsOf(i == 0 ? List.of("-", "-") : List.of(master, "up"));
      assertThat(row.get(6)).isEqualTo("3/3 confirmed");
      assertThat(row.get(7)).as("no agent, no HTTP address: no fence to tell").isEqualTo("-");
      assertThat(row.get(8)).matches("\\d+s");
      assertThat(Integer.parseInt(row.get(8).replace("s", "")))
          .as("TTL left, %d s after the first register started", elapsed)
          .isBetween((int) Math.max(1, 30 - elapsed - 1), 30);
    }

    AgentProcess.Result json = cli(Map.of(), "status", "--etcd", etcd.endpoint(), "-o", "json");

    assertThat(json.exitCode()).as(json.stderr()).isZero();
    JsonNode array = Records.parse(json.stdout());
    assertThat(array.isArray()).isTrue();
    assertThat(array).hasSize(3);
    for (JsonNode entry : array) {
      String key = entry.path("key").asText();
      assertThat(key).startsWith(Records.INSTANCES);
      assertThat(entry.path("valid").asBoolean()).isTrue();
      assertThat(entry.path("record")).isEqualTo(Records.parse(etcd.get(key).orElseThrow()));
      assertThat(entry.path("lease").asText()).isEqualTo(Long.toHexString(etcd.leaseOf(key)));
      assertThat(entry.path("ttl_left").asLong())
          .isBetween(Math.max(1, 30 - (System.nanoTime() - t0) / 1_000_000_000L - 1), 30L);
    }
  }

  @Test
  void statusShowsAnInvalidRecordAsInvalidAndStillExitsZero() {
    assertThat(cli(Map.of(), target(0, "register")).exitCode()).isZero();
    etcd.put(Records.key("broken"), "{not json");

    AgentProcess.Result table = cli(Map.of(), "status", "--etcd", etcd.endpoint());

    assertThat(table.exitCode()).as(table.stderr()).isZero();
    List<List<String>> rows = table.stdout().lines().map(CliIT::columns).toList();
    assertThat(rows).hasSize(3);
    assertThat(rows)
        .anySatisfy(row -> assertThat(row).startsWith("dc1", Agents.id(sandbox, 0), "master"));
    assertThat(rows)
        .filteredOn(row -> row.contains("broken"))
        .singleElement()
        .satisfies(row -> assertThat(row.get(2)).isEqualTo("INVALID"));

    AgentProcess.Result json = cli(Map.of(), "status", "--etcd", etcd.endpoint(), "-o", "json");
    assertThat(json.exitCode()).isZero();
    JsonNode broken = null;
    for (JsonNode entry : Records.parse(json.stdout())) {
      if (entry.path("key").asText().equals(Records.key("broken"))) {
        broken = entry;
      }
    }
    assertThat(broken).isNotNull();
    assertThat(broken.path("valid").asBoolean(true)).isFalse();
    assertThat(broken.path("raw").asText()).isEqualTo("{not json");
  }

  // --- check ---------------------------------------------------------------------------------

  @Test
  void checkPrintsTheVerdictAndTheRecordAndWritesNothing() {
    // Earlier tests' short leases could expire during the check and move the revision: none left
    // (one may expire between the listing and its revoke).
    for (long lease : Records.leases(etcd)) {
      etcd.leaseRevokeIfPresent(lease);
    }
    long revision = Records.revision(etcd);
    List<Long> leases = Records.leases(etcd);

    AgentProcess.Result result = cli(Map.of(), target(0, "check"));

    assertThat(result.exitCode()).as(result.stderr()).isZero();
    List<String> lines = result.stdout().lines().toList();
    assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("verdict").contains("master"));
    String recordLine =
        lines.stream().filter(l -> l.startsWith("record")).findFirst().orElseThrow();
    JsonNode record = Records.parse(recordLine.substring("record".length()).strip());
    assertThat(record.path("id").asText()).isEqualTo(Agents.id(sandbox, 0));
    assertThat(Records.role(record)).isEqualTo("master");
    assertThat(record.path("sentinel").path("agreeing").asInt()).isEqualTo(3);
    assertThat(Records.revision(etcd)).as("etcd revision after check").isEqualTo(revision);
    assertThat(Records.leases(etcd)).as("leases after check").isEqualTo(leases);
  }

  @Test
  void checkExitsOneWhenEtcdIsUnreachable() {
    String dead = "http://127.0.0.1:" + Ports.free();

    AgentProcess.Result result =
        cli(
            Map.of(),
            "check",
            "--dc",
            "dc2",
            "--redis",
            sandbox.redis().get(1).address(),
            "--sentinels",
            sandbox.sentinelAddresses(),
            "--etcd",
            dead);

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.stdout()).contains("replica");
    assertThat(result.stderr()).contains("etcd");
  }

  @Test
  void checkExitsOneWhenRedisIsUnreachable() {
    AgentProcess.Result result =
        cli(
            Map.of(),
            "check",
            "--dc",
            "dc9",
            "--redis",
            "127.0.0.1:" + Ports.free(),
            "--sentinels",
            sandbox.sentinelAddresses(),
            "--etcd",
            etcd.endpoint());

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.stderr()).contains("Redis");
    assertThat(Records.all(etcd)).isEmpty();
  }

  // --- helpers -------------------------------------------------------------------------------

  private static AgentProcess.Result cli(Map<String, String> env, String... args) {
    return AgentProcess.run(COMMAND_TIMEOUT, env, args);
  }

  /** {@code command} aimed at Redis number {@code index} (dc<index+1>), then {@code more}. */
  private static String[] target(int index, String command, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                command,
                "--dc",
                Agents.dc(index),
                "--redis",
                sandbox.redis().get(index).address(),
                "--sentinels",
                sandbox.sentinelAddresses(),
                "--etcd",
                etcd.endpoint()));
    args.addAll(List.of(more));
    return args.toArray(String[]::new);
  }

  /** A table row's columns: they are separated by two spaces or more. */
  private static List<String> columns(String row) {
    return List.of(row.strip().split("\\s{2,}"));
  }

  private static long millisSince(long t0) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
  }

  /** A loopback socket that completes TCP handshakes (the kernel does) but never answers. */
  private static final class Tarpit implements AutoCloseable {
    private final ServerSocket socket;

    Tarpit() throws IOException {
      socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    }

    String address() {
      return "127.0.0.1:" + socket.getLocalPort();
    }

    /** Whether anyone connected so far (connections wait in the backlog until accepted). */
    boolean connected() {
      try {
        socket.setSoTimeout(200);
        try (Socket ignored = socket.accept()) {
          return true;
        }
      } catch (SocketTimeoutException e) {
        return false;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
