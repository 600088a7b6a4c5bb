package com.proposalsapp.registrar.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Three agents, one beside each Redis (dc1 the master), run as separate JVMs from the built jar:
 * publication, record content, the lease, then one signal per agent (HUP, TERM, KILL, INT).
 *
 * <p>The tests run in order on one sandbox: the last three each stop one agent.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AgentLifecycleIT {
  @RegisterExtension
  static final SandboxExtension SANDBOX = SandboxExtension.of(Sandbox.Options.defaults());

  private static final Duration LEASE_TTL = Duration.ofSeconds(3);
  private static final String[] TIMING = {
    "--lease-ttl",
    "3s",
    "--poll-interval",
    "200ms",
    // Long, so that only SIGHUP can explain a resync during the test.
    "--resync-interval",
    "1m"
  };
  private static final String AGENT = "redis-registrar 0.1.0";
  // Three cold JVMs on two shared cores: about 3 s idle, up to 9 s seen under a load of 15.
  private static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(20);

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static Sandbox sandbox;
  private static EtcdWatch watch;
  private static final List<AgentProcess> agents = new ArrayList<>();
  private static Instant started;

  @BeforeAll
  static void startSandbox() {
    sandbox = SANDBOX.get();
    watch = EtcdWatch.start(sandbox.etcd(), Records.GROUP, sandbox.dir().resolve("watch.log"));
  }

  @AfterAll
  static void stopAll() {
    agents.forEach(AgentProcess::close);
    if (watch != null) {
      watch.close();
    }
  }

  @Test
  @Order(1)
  void threeAgentsPublishWithinSeconds() {
    started = Instant.now();
    long t0 = System.nanoTime();
    for (int i = 0; i < 3; i++) {
      agents.add(Agents.start(sandbox, i, TIMING));
    }

    for (int i = 0; i < 3; i++) {
      String key = Records.key(Agents.id(sandbox, i));
      EtcdWatch.State published =
          watch.awaitFirst(
              "record of " + Agents.dc(i), t0, PUBLISH_TIMEOUT, s -> s.entries().containsKey(key));
      System.out.printf(
          "AgentLifecycleIT: %s published %d ms after its JVM was started%n",
          Agents.dc(i), millisSince(t0, published.seenNanos()));
    }
    assertThat(Records.all(sandbox.etcd()))
        .containsOnlyKeys(Agents.id(sandbox, 0), Agents.id(sandbox, 1), Agents.id(sandbox, 2));
    assertThat(agents).allMatch(AgentProcess::isAlive);
    for (int i = 0; i < 3; i++) {
      String id = Agents.id(sandbox, i);
      String role = i == 0 ? "master" : "replica";
      String address = sandbox.redis().get(i).address();
      AgentProcess agent = agents.get(i);
      // One INFO line per transition, naming the id, the role and the address (the agent logs it
      // just after the write, so it may reach us a moment after the record).
      await("registered line of " + id)
          .atMost(Duration.ofSeconds(2))
          .untilAsserted(
              () ->
                  assertThat(agent.stderrLines())
                      .filteredOn(l -> l.contains("registered"))
                      .singleElement()
                      .asString()
                      .contains(id, role, address));
    }
  }

  @Test
  @Order(2)
  void eachRecordDescribesItsInstance() {
    String master = sandbox.redis().get(0).address();
    for (int i = 0; i < 3; i++) {
      RedisServer redis = sandbox.redis().get(i);
      String id = "dc" + (i + 1) + "-127.0.0.1-" + redis.port();
      JsonNode r = Records.get(sandbox.etcd(), id).orElseThrow();

      assertThat(r.path("id").asText()).isEqualTo(id);
      assertThat(r.path("master_name").asText()).isEqualTo(Sandbox.MASTER_NAME);
      assertThat(r.path("dc").asText()).isEqualTo("dc" + (i + 1));
      assertThat(r.path("host").asText()).isEqualTo("127.0.0.1");
      assertThat(r.path("port").isInt()).as("port is a JSON number").isTrue();
      assertThat(r.path("port").asInt()).isEqualTo(redis.port());
      if (i == 0) {
        assertThat(Records.role(r)).isEqualTo("master");
        assertThat(r.has("master_host")).as("master_host on a master").isFalse();
        assertThat(r.has("master_port")).as("master_port on a master").isFalse();
      } else {
        assertThat(Records.role(r)).isEqualTo("replica");
        assertThat(r.path("master_host").asText()).isEqualTo("127.0.0.1");
        assertThat(r.path("master_port").isInt()).as("master_port is a JSON number").isTrue();
        assertThat(Records.followed(r)).isEqualTo(master);
        assertThat(r.path("link").asText()).isEqualTo("up");
      }
      JsonNode sentinel = r.path("sentinel");
      assertThat(sentinel.path("confirmed").isBoolean()).isTrue();
      assertThat(sentinel.path("confirmed").asBoolean()).isTrue();
      assertThat(sentinel.path("master").asText()).isEqualTo(master);
      assertThat(sentinel.path("agreeing").asInt()).isEqualTo(3);
      assertThat(sentinel.path("reachable").asInt()).isEqualTo(3);
      assertThat(r.path("agent").asText()).isEqualTo(AGENT);
      Instant since = Instant.parse(r.path("since").asText());
      assertThat(since).isBetween(started.truncatedTo(ChronoUnit.SECONDS), Instant.now());

      List<String> fields = new ArrayList<>();
      r.fieldNames().forEachRemaining(fields::add);
      List<String> expected =
          new ArrayList<>(List.of("id", "master_name", "dc", "host", "port", "role"));
      if (i != 0) {
        expected.addAll(List.of("master_host", "master_port", "link"));
      }
      expected.addAll(List.of("sentinel", "agent", "since", "http"));
      assertThat(fields).containsExactlyInAnyOrderElementsOf(expected);
      assertThat(r.path("http").asText())
          .as("the agent's HTTP checks, as its log says")
          .isEqualTo(AgentHttp.address(agents.get(i)));
    }

    // The master's agent also names it under the master key.
    JsonNode masterKey = Records.parse(sandbox.etcd().get(Records.MASTER_KEY).orElseThrow());
    assertThat(masterKey.path("id").asText()).isEqualTo(Agents.id(sandbox, 0));
    assertThat(masterKey.path("host").asText() + ":" + masterKey.path("port").asInt())
        .isEqualTo(master);
  }

  @Test
  @Order(3)
  void eachRecordIsBoundToALeaseKeptAliveWithoutRewrites() {
    EtcdServer etcd = sandbox.etcd();
    List<Long> leases = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String key = Records.key(Agents.id(sandbox, i));
      long lease = etcd.leaseOf(key);
      assertThat(lease).as("lease of %s", key).isNotZero();
      Records.LeaseInfo info = Records.lease(etcd, lease);
      assertThat(info.grantedTtl()).isEqualTo(LEASE_TTL.toSeconds());
      assertThat(info.ttl()).isBetween(1L, LEASE_TTL.toSeconds());
      if (i == 0) {
        assertThat(info.keys()).containsExactlyInAnyOrder(key, Records.MASTER_KEY);
      } else {
        assertThat(info.keys()).containsExactly(key);
      }
      leases.add(lease);
    }
    assertThat(leases).as("one lease per agent").doesNotHaveDuplicates();

    // Past two TTLs the same leases still hold the same records, and nobody wrote anything:
    // in a steady state the agents only send keepalives.
    long quietFrom = System.nanoTime();
    List<String> values = agentValues();
    await("records kept on their leases")
        .during(LEASE_TTL.multipliedBy(2).plusSeconds(1))
        .atMost(LEASE_TTL.multipliedBy(2).plusSeconds(5))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> agentLeases().equals(leases) && agentValues().equals(values));
    assertThat(watch.statesSince(quietFrom)).as("writes in a steady state").isEmpty();
  }

  @Test
  @Order(4)
  void sighupForcesAnImmediateResyncAndTheAgentKeepsRunning() throws Exception {
    AgentProcess agent = agents.get(1);
    String key = Records.key(Agents.id(sandbox, 1));
    String before = sandbox.etcd().get(key).orElseThrow();
    long lease = sandbox.etcd().leaseOf(key);
    long quietFrom = System.nanoTime();
    // A full resync reads etcd back; the agents' watch would resync on any change we made, so
    // count etcd's reads instead. In a steady state (poll and events only, resync 1m) nobody
    // reads: etcd's count of Range calls holds still.
    long reads = etcdReads();
    await("no reads from etcd in a steady state")
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(3))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> etcdReads() == reads);

    long t0 = System.nanoTime();
    agent.signal("HUP");
    await("etcd read back after SIGHUP")
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(10))
        .until(() -> etcdReads() > reads);
    System.out.printf(
        "AgentLifecycleIT: SIGHUP -> agent read etcd back after %d ms%n",
        millisSince(t0, System.nanoTime()));

    await("agent still running after SIGHUP")
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(3))
        .until(agent::isAlive);
    // Nothing differed, so nothing was written.
    assertThat(watch.statesSince(quietFrom)).isEmpty();
    assertThat(sandbox.etcd().get(key)).contains(before);
    assertThat(sandbox.etcd().leaseOf(key)).isEqualTo(lease);
  }

  @Test
  @Order(5)
  void sigtermRemovesTheRecordRevokesTheLeaseAndExitsZero() {
    assertDeregistersOn("TERM", 2);
  }

  @Test
  @Order(6)
  void sigkillLeavesTheRecordOnlyUntilTheLeaseExpires() {
    AgentProcess agent = agents.get(1);
    String key = Records.key(Agents.id(sandbox, 1));
    long lease = sandbox.etcd().leaseOf(key);

    long t0 = System.nanoTime();
    agent.signal("KILL");
    assertThat(agent.waitForExit(Duration.ofSeconds(3))).isEqualTo(128 + 9);
    assertThat(sandbox.etcd().get(key)).as("record right after SIGKILL").isPresent();

    EtcdWatch.State gone =
        watch.awaitFirst(
            "record expired with its lease",
            t0,
            LEASE_TTL.plusSeconds(2),
            s -> !s.entries().containsKey(key));
    System.out.printf(
        "AgentLifecycleIT: SIGKILL -> record gone in %d ms (lease TTL %d s)%n",
        millisSince(t0, gone.seenNanos()), LEASE_TTL.toSeconds());
    assertThat(sandbox.etcd().leaseTtl(lease)).isEqualTo(-1);
    assertThat(Records.all(sandbox.etcd())).containsOnlyKeys(Agents.id(sandbox, 0));
  }

  @Test
  @Order(7)
  void sigintDeregistersLikeSigtermAndReleasesTheMasterKey() {
    assertThat(sandbox.etcd().get(Records.MASTER_KEY)).isPresent();
    assertDeregistersOn("INT", 0);
    assertThat(sandbox.etcd().get(Records.MASTER_KEY)).isEmpty();
  }

  /** Sends {@code signal} to agent {@code index}: its record must go, then the JVM exit 0. */
  private static void assertDeregistersOn(String signal, int index) {
    AgentProcess agent = agents.get(index);
    String id = Agents.id(sandbox, index);
    String key = Records.key(id);
    long lease = sandbox.etcd().leaseOf(key);
    List<String> others =
        Records.all(sandbox.etcd()).keySet().stream().filter(k -> !k.equals(id)).toList();
    assertThat(lease).isNotZero();

    long t0 = System.nanoTime();
    agent.signal(signal);
    int exitCode = agent.waitForExit(Duration.ofSeconds(3));
    long exitedMs = millisSince(t0, System.nanoTime());
    EtcdWatch.State gone =
        watch.awaitFirst(
            "record deleted", t0, Duration.ofSeconds(3), s -> !s.entries().containsKey(key));
    System.out.printf(
        "AgentLifecycleIT: SIG%s -> record gone in %d ms, JVM exited %d after %d ms%n",
        signal, millisSince(t0, gone.seenNanos()), exitCode, exitedMs);

    assertThat(exitCode).isZero();
    assertThat(sandbox.etcd().leaseTtl(lease)).as("lease revoked").isEqualTo(-1);
    assertThat(Records.all(sandbox.etcd())).containsOnlyKeys(others);
    assertThat(agent.stderrLines())
        .filteredOn(l -> l.contains("deregistered"))
        .singleElement()
        .asString()
        .contains(id, sandbox.redis().get(index).address());
  }

  private static List<Long> agentLeases() {
    List<Long> leases = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      leases.add(sandbox.etcd().leaseOf(Records.key(Agents.id(sandbox, i))));
    }
    return leases;
  }

  private static List<String> agentValues() {
    List<String> values = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      values.add(sandbox.etcd().get(Records.key(Agents.id(sandbox, i))).orElse(null));
    }
    return values;
  }

  /** How many reads (gRPC Range calls) etcd has served, from its Prometheus metrics. */
  private static long etcdReads() throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(sandbox.etcd().endpoint() + "/metrics"))
            .timeout(Duration.ofSeconds(2))
            .build();
    String metrics = HTTP.send(request, HttpResponse.BodyHandlers.ofString()).body();
    return metrics
        .lines()
        .filter(l -> l.startsWith("grpc_server_started_total{grpc_method=\"Range\""))
        .mapToLong(l -> Long.parseLong(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }

  private static long millisSince(long startNanos, long endNanos) {
    return TimeUnit.NANOSECONDS.toMillis(endNanos - startNanos);
  }
}
