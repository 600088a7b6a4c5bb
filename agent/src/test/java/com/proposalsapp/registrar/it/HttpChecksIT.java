package com.proposalsapp.registrar.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.Jedis;

/**
 * The agents' HTTP checks on a real sandbox: roles, the replication-lag bound, answers while Redis
 * is SIGSTOPped, and SIGTERM turning the checks to 503 before the record goes.
 *
 * <p>The tests run in order on one sandbox; the last one stops an agent.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HttpChecksIT {
  private static final String[] TIMING = {"--lease-ttl", "3s", "--poll-interval", "200ms"};
  private static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(30);

  /** What an HTTP check may take, whatever Redis or etcd are doing: HAProxy's check timeout. */
  private static final Duration CHECK_BUDGET = Duration.ofMillis(250);

  private static final String[] PATHS = {
    "/master", "/replica", "/replica?lag=1000", "/read-only", "/health", "/liveness", "/status"
  };

  private static Sandbox sandbox;
  private static EtcdWatch watch;
  private static final List<AgentProcess> agents = new ArrayList<>();
  private static final List<String> http = new ArrayList<>();

  @BeforeAll
  static void startSandboxAndAgents() {
    sandbox = Sandbox.start("HttpChecksIT");
    watch = EtcdWatch.start(sandbox.etcd(), Records.GROUP, sandbox.dir().resolve("watch.log"));
    for (int i = 0; i < 3; i++) {
      agents.add(Agents.start(sandbox, i, TIMING));
    }
    for (AgentProcess a : agents) {
      http.add(AgentHttp.address(a));
    }
  }

  @AfterAll
  static void stopAll() {
    agents.forEach(AgentProcess::close);
    if (watch != null) {
      watch.close();
    }
    if (sandbox != null) {
      sandbox.close();
    }
  }

  @Test
  @Order(1)
  void theMasterAndTheReplicasAnswerTheirRolesAndTheRecordsNameTheChecks() {
    for (int i = 0; i < 3; i++) {
      String address = http.get(i);
      String role = i == 0 ? "master" : "replica";
      await("agent " + i + " healthy")
          .atMost(PUBLISH_TIMEOUT)
          .pollInterval(Duration.ofMillis(100))
          .until(() -> AgentHttp.get(address, "/health").code() == 200);
      assertThat(AgentHttp.get(address, "/master").code()).isEqualTo(i == 0 ? 200 : 503);
      assertThat(AgentHttp.get(address, "/replica").code()).isEqualTo(i == 0 ? 503 : 200);
      assertThat(AgentHttp.get(address, "/read-only").code()).isEqualTo(200);
      assertThat(AgentHttp.get(address, "/liveness").code()).isEqualTo(200);
      assertThat(AgentHttp.get(address, "/nope").code()).isEqualTo(404);
      JsonNode status = AgentHttp.get(address, "/status").json();
      assertThat(status.path("published_role").asText()).isEqualTo(role);
      assertThat(status.path("phase").asText()).isEqualTo("running");
      assertThat(status.path("sentinels").path("agreeing").asInt()).isEqualTo(3);
      assertThat(status.toString()).doesNotContain("password");
      JsonNode record = Records.get(sandbox.etcd(), Agents.id(sandbox, i)).orElseThrow();
      assertThat(record.path("http").asText()).isEqualTo(address);
    }
    String page = AgentHttp.get(http.get(0), "/metrics").body();
    AgentProcess.Result lint = AgentHttp.promtool(sandbox.dir(), page);
    assertThat(lint.exitCode()).as("promtool: %s%s", lint.stdout(), lint.stderr()).isZero();
    assertThat(AgentHttp.metric(page, "redis_registrar_role{role=\"master\"}")).isEqualTo(1.0);
    assertThat(AgentHttp.metric(page, "redis_registrar_published")).isEqualTo(1.0);
    assertThat(AgentHttp.metric(page, "redis_registrar_sentinels_reachable")).isEqualTo(3.0);
    assertThat(page).doesNotContain("password");
    JsonNode master = AgentHttp.get(http.get(0), "/master").json();
    assertThat(master.path("ok").asBoolean()).isTrue();
    assertThat(master.path("role").asText()).isEqualTo("master");
  }

  @Test
  @Order(2)
  void aLagBoundFailsWhileAReplicaFallsBehindAndPassesOnceItCatchesUp() {
    RedisServer replica = sandbox.redis().get(1);
    String address = http.get(1);
    await("replica within 1 kB")
        .atMost(Duration.ofSeconds(10))
        .until(() -> AgentHttp.get(address, "/replica?lag=1024").code() == 200);

    // A replica held by CLIENT PAUSE WRITE stops applying its master's stream, link still up.
    try (Jedis r = replica.jedis();
        Jedis m = sandbox.redis().get(0).jedis()) {
      r.clientPause(6000, redis.clients.jedis.args.ClientPauseMode.WRITE);
      String value = "x".repeat(1000);
      for (int i = 0; i < 100; i++) {
        m.set("lag-" + i, value);
      }
      AgentHttp.Answer behind =
          await("lag bound failing")
              .atMost(Duration.ofSeconds(5))
              .pollInterval(Duration.ofMillis(50))
              .until(() -> AgentHttp.get(address, "/replica?lag=1024"), a -> a.code() == 503);
      assertThat(behind.json().path("reason").asText()).contains("replication lag");
      assertThat(AgentHttp.get(address, "/replica").code())
          .as("without a bound the linked replica still passes")
          .isEqualTo(200);
      assertThat(AgentHttp.get(address, "/read-only?lag=1024").code()).isEqualTo(503);
      assertThat(AgentHttp.get(address, "/replica?lag=10000000").code()).isEqualTo(200);
      r.clientUnpause();
    }
    await("lag bound passing again")
        .atMost(Duration.ofSeconds(10))
        .until(() -> AgentHttp.get(address, "/replica?lag=1024").code() == 200);
  }

  @Test
  @Order(3)
  void withRedisSigstoppedEveryEndpointStillAnswersWithinItsBudget() {
    RedisServer replica = sandbox.redis().get(2);
    String address = http.get(2);
    replica.pause();
    try {
      // A cycle blocked on the stopped Redis ends after its 1 s timeout; then /status says so.
      await("a cycle that found Redis unreachable")
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(50))
          .until(
              () ->
                  !AgentHttp.get(address, "/status")
                      .json()
                      .path("redis")
                      .path("reachable")
                      .asBoolean(true));
      assertThat(AgentHttp.get(address, "/health").code()).isEqualTo(503);
      for (int round = 0; round < 5; round++) {
        for (String path : PATHS) {
          AgentHttp.Answer a = AgentHttp.get(address, path, Duration.ofSeconds(2));
          assertThat(a.took()).as("%s with Redis stopped", path).isLessThan(CHECK_BUDGET);
          assertThat(a.code()).isIn(200, 503);
        }
      }
      assertThat(AgentHttp.get(address, "/liveness").code())
          .as("a Redis outage does not fail liveness")
          .isEqualTo(200);
      assertThat(
              AgentHttp.get(address, "/status").json().path("redis").path("reachable").asBoolean())
          .isFalse();
    } finally {
      replica.resume();
    }
    replica.awaitReady();
    await("healthy again")
        .atMost(Duration.ofSeconds(15))
        .until(() -> AgentHttp.get(address, "/health").code() == 200);
  }

  @Test
  @Order(4)
  void aPortInUseIsOneLineAndExitOne() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      AgentProcess.Result r =
          AgentProcess.run(
              Duration.ofSeconds(30),
              Map.of(),
              "run",
              "--dc",
              "dc9",
              "--redis",
              sandbox.redis().get(0).address(),
              "--sentinels",
              sandbox.sentinelAddresses(),
              "--etcd",
              sandbox.etcd().endpoint(),
              "--http",
              "127.0.0.1:" + taken.getLocalPort());
      assertThat(r.exitCode()).isEqualTo(1);
      assertThat(r.stderr().lines().filter(l -> l.startsWith("redis-registrar:")).toList())
          .singleElement()
          .asString()
          .contains("--http", "127.0.0.1:" + taken.getLocalPort());
      assertThat(Records.all(sandbox.etcd()))
          .doesNotContainKey("dc9-127.0.0.1-" + sandbox.redis().get(0).port());
    }
  }

  @Test
  @Order(5)
  void sigtermTurnsHealthTo503BeforeTheRecordIsDeleted() {
    AgentProcess agent = agents.get(1);
    String address = http.get(1);
    String key = Records.key(Agents.id(sandbox, 1));
    await("healthy")
        .atMost(Duration.ofSeconds(10))
        .until(() -> AgentHttp.get(address, "/health").code() == 200);
    AtomicLong first503 = new AtomicLong();
    Thread poller =
        new Thread(
            () -> {
              while (first503.get() == 0) {
                try {
                  if (AgentHttp.get(address, "/health", Duration.ofMillis(500)).code() == 503) {
                    first503.set(System.nanoTime());
                  }
                } catch (IllegalStateException e) {
                  return; // the server is gone
                }
              }
            },
            "health-poller");
    poller.start();

    long t0 = System.nanoTime();
    agent.signal("TERM");
    EtcdWatch.State gone =
        watch.awaitFirst(
            "record deleted", t0, Duration.ofSeconds(5), s -> !s.entries().containsKey(key));
    await("poller done").atMost(Duration.ofSeconds(5)).until(() -> !poller.isAlive());

    assertThat(first503.get()).as("a 503 was seen before the server went").isNotZero();
    System.out.printf(
        "HttpChecksIT: SIGTERM -> /health 503 after %.1f ms, record deleted after %.1f ms%n",
        (first503.get() - t0) / 1e6, (gone.seenNanos() - t0) / 1e6);
    assertThat(agent.waitForExit(Duration.ofSeconds(10))).isZero();
    // The two client-side channels (HTTP, etcd watch) are scheduled independently on a busy
    // machine; the order is proven in the agent's own log, one stream written in order.
    List<String> log = agent.stderrLines();
    int answered = indexOf(log, "stopping: HTTP checks answer 503, first sent after");
    int deregistered = indexOf(log, "deregistered id=");
    assertThat(answered).as("a 503 sent to the poller, logged").isNotNegative();
    assertThat(answered).as("the 503 went out before deregistering").isLessThan(deregistered);
  }

  private static int indexOf(List<String> lines, String text) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains(text)) {
        return i;
      }
    }
    return -1;
  }
}
