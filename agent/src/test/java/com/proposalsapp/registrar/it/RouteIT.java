package com.proposalsapp.registrar.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.proposalsapp.registrar.it.HaproxyServer.ServerState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * The routing tier end to end, seen by clients: etcd, three Redis (dc1-dc3) under three Sentinels,
 * an agent beside each Redis, and on the application's node (dc2) HAProxy started on the printed
 * configuration with {@code redis-registrar route} beside it. Failovers and faults are real: {@code
 * SENTINEL FAILOVER}, SIGKILL, SIGSTOP, restarts.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.MethodName.class)
class RouteIT {

  @RegisterExtension
  static final SandboxExtension SANDBOX =
      SandboxExtension.of(Sandbox.Options.defaults()).healedBeforeEachTest();

  private static final String[] AGENT_TIMING = {"--poll-interval", "200ms", "--lease-ttl", "10s"};
  private static final String LOCAL_DC = "dc2";
  private static final int SLOTS = 4;
  private static final String W = "redis_write";
  private static final String R = "redis_read";

  private static Sandbox sandbox;
  private static final List<AgentProcess> agents = new ArrayList<>();
  private static HaproxyServer haproxy;
  private static AgentProcess route;

  @BeforeAll
  static void startTheTier() {
    sandbox = SANDBOX.get();
    for (int i = 0; i < 3; i++) {
      agents.add(Agents.start(sandbox, i, AGENT_TIMING));
    }
    haproxy = Routers.startHaproxy(sandbox, "haproxy", SLOTS);
    route = Routers.start(sandbox, haproxy, "route", LOCAL_DC);
  }

  @AfterAll
  static void stopTheTier() {
    if (route != null) {
      route.close();
    }
    agents.forEach(AgentProcess::close);
  }

  /** Before each test: every agent running and HAProxy routing writes to the current master. */
  @BeforeEach
  void awaitRouted() {
    for (int i = 0; i < 3; i++) {
      if (!agents.get(i).isAlive()) {
        agents.set(i, Agents.start(sandbox, i, AGENT_TIMING));
      }
    }
    if (!route.isAlive()) {
      route = Routers.start(sandbox, haproxy, "route", LOCAL_DC);
    }
    awaitRoutes(sandbox.currentMasterAddress(), 3, Duration.ofSeconds(20));
  }

  /** Waits until the write listener has exactly {@code master} and the read one {@code n}. */
  private static void awaitRoutes(String master, int readers, Duration atMost) {
    await("write listener on " + master + " and " + readers + " readers")
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(20))
        .ignoreExceptions()
        .until(
            () ->
                haproxy.active(W).stream()
                        .map(ServerState::address)
                        .toList()
                        .equals(List.of(master))
                    && haproxy.active(R).size() == readers);
  }

  private static int portOf(String address) {
    return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
  }

  private static String localRedis() {
    return sandbox.redis().get(1).address(); // Agents: index 1 is dc2
  }

  @Test
  void aLocalWeightsTenToOneAndSendsWritesToTheMasterAlone() {
    Map<String, Integer> weights = new HashMap<>();
    haproxy.active(R).forEach(s -> weights.put(s.address(), s.weight()));
    assertThat(weights)
        .containsEntry(localRedis(), 10)
        .containsEntry(sandbox.redis().get(0).address(), 1)
        .containsEntry(sandbox.redis().get(2).address(), 1);
    assertThat(haproxy.active(W)).hasSize(1);

    try (Jedis w = new Jedis("127.0.0.1", haproxy.writePort())) {
      assertThat(w.configGet("port").get("port"))
          .isEqualTo(Integer.toString(portOf(sandbox.currentMasterAddress())));
      assertThat(w.set("route-it", "1")).isEqualTo("OK");
    }
    // Round robin over fresh connections follows the weights: 10 of every 12 stay local.
    int local = 0;
    for (int i = 0; i < 24; i++) {
      try (Jedis r = new Jedis("127.0.0.1", haproxy.readPort())) {
        if (r.configGet("port").get("port").equals(Integer.toString(portOf(localRedis())))) {
          local++;
        }
      }
    }
    assertThat(local).as("reads served by dc2 out of 24 connections").isBetween(18, 22);
  }

  /**
   * {@code SENTINEL FAILOVER} with a writer on one long-lived connection to the write listener and
   * a reader on the read listener: the writer's connection to the old master is shut down, it
   * reconnects to the new master within a second or two of the Sentinels agreeing, and it never
   * sees READONLY, even after Sentinel has made the old master a replica.
   */
  @Test
  void bPlannedFailoverIsSeenByClientsThroughBothListeners() {
    String old = sandbox.currentMasterAddress();
    try (LongLivedClient writer =
            LongLivedClient.writer("127.0.0.1", haproxy.writePort(), "route-planned");
        LongLivedClient reader =
            LongLivedClient.reader("127.0.0.1", haproxy.readPort(), "route-planned")) {
      awaitServed(writer, portOf(old));
      long before = System.nanoTime();
      String promoted = sandbox.failover();
      long agreed = System.nanoTime();
      LongLivedClient.Op first =
          await("writer acknowledged by the new master " + promoted)
              .atMost(Duration.ofSeconds(5))
              .pollInterval(Duration.ofMillis(10))
              .until(() -> writer.firstOkOn(portOf(promoted), before), o -> o.isPresent())
              .orElseThrow();
      long reconnectMs = (first.nanos() - agreed) / 1_000_000;
      // Until Sentinel reconfigures the old master (about 10 s here) it would still take writes: no
      // write may reach it once the router has moved on.
      await("old master reconfigured as a replica")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(100))
          .ignoreExceptions()
          .until(() -> "slave".equals(sandbox.redisAt(old).role()));
      long reconfigured = System.nanoTime();
      awaitRoutes(promoted, 3, Duration.ofSeconds(10));
      await("reads continue after the failover")
          .atMost(Duration.ofSeconds(5))
          .until(
              () -> reader.since(System.nanoTime() - 200_000_000L).stream().anyMatch(o -> o.ok()));

      System.out.printf(
          "RouteIT planned failover: first write on the new master %d ms after the Sentinels"
              + " agreed; longest stretch without an acknowledged write %d ms; %d connections%n",
          reconnectMs, writer.longestGapMillis(before), writer.connections());
      List<LongLivedClient.Op> writes = writer.since(before);
      assertThat(writes).noneMatch(o -> String.valueOf(o.error()).startsWith("READONLY"));
      assertThat(writes)
          .as("no write acknowledged by the old master after the new one took one")
          .noneMatch(o -> o.ok() && o.servedBy() == portOf(old) && o.nanos() > first.nanos());
      assertThat(writer.since(first.nanos()))
          .filteredOn(o -> o.nanos() < reconfigured)
          .allMatch(o -> o.ok() && o.servedBy() == portOf(promoted), "served by the new master");
      assertThat(reconnectMs)
          .as("from Sentinels agreeing to the first write on the new master, ms")
          .isLessThan(2000);
      assertThat(
              reader.ops().stream().filter(o -> String.valueOf(o.error()).startsWith("READONLY")))
          .as("reads never get READONLY")
          .isEmpty();
    }
  }

  /** The master SIGKILLed: writes resume on the promoted replica through the same listener. */
  @Test
  void cCrashFailoverIsSeenByClientsThroughBothListeners() {
    String old = sandbox.currentMasterAddress();
    try (LongLivedClient writer =
            LongLivedClient.writer("127.0.0.1", haproxy.writePort(), "route-crash");
        LongLivedClient reader =
            LongLivedClient.reader("127.0.0.1", haproxy.readPort(), "route-crash")) {
      awaitServed(writer, portOf(old));
      long killed = System.nanoTime();
      sandbox.redisAt(old).kill();
      String promoted =
          await("Sentinels promote a replica")
              .atMost(Duration.ofSeconds(30))
              .pollInterval(Duration.ofMillis(50))
              .ignoreExceptions()
              .until(sandbox::currentMasterAddress, a -> !a.equals(old));
      LongLivedClient.Op first =
          await("writer acknowledged by " + promoted)
              .atMost(Duration.ofSeconds(10))
              .pollInterval(Duration.ofMillis(10))
              .until(() -> writer.firstOkOn(portOf(promoted), killed), o -> o.isPresent())
              .orElseThrow();
      System.out.printf(
          "RouteIT crash failover: first write on the new master %d ms after the SIGKILL%n",
          (first.nanos() - killed) / 1_000_000);
      assertThat(writer.since(first.nanos())).allMatch(o -> o.servedBy() != portOf(old));
      await("the read listener without the dead Redis")
          .atMost(Duration.ofSeconds(15))
          .pollInterval(Duration.ofMillis(50))
          .until(
              () ->
                  haproxy.active(R).stream().noneMatch(s -> s.address().equals(old))
                      && haproxy.active(R).size() == 2);
      long after = System.nanoTime();
      await("reads served after the crash")
          .atMost(Duration.ofSeconds(5))
          .until(() -> reader.since(after).stream().anyMatch(LongLivedClient.Op::ok));
      assertThat(writer.ops()).noneMatch(o -> String.valueOf(o.error()).startsWith("READONLY"));
    }
  }

  /** HAProxy restarted (all slots back in maintenance): routes re-applied within a second. */
  @Test
  void dRestartedHaproxyGetsItsRoutesBackWithinASecond() {
    String master = sandbox.currentMasterAddress();
    haproxy.restart();
    long ready = System.nanoTime();
    awaitRoutes(master, 3, Duration.ofSeconds(1));
    long ms = (System.nanoTime() - ready) / 1_000_000;
    assertThat(ms).isLessThanOrEqualTo(1000);
    // the routes can be back before the line that says so is read from route's stderr
    await("route says it re-applied")
        .atMost(Duration.ofSeconds(2))
        .untilAsserted(
            () ->
                assertThat(route.stderrLines())
                    .anyMatch(l -> l.contains("HAProxy differed from the routes")));
    try (Jedis w = new Jedis("127.0.0.1", haproxy.writePort())) {
      assertThat(w.configGet("port").get("port")).isEqualTo(Integer.toString(portOf(master)));
    }
  }

  /** A restarted router reads HAProxy's state and leaves the connections that are right alone. */
  @Test
  void eRestartedRouteKeepsTheSessionsThatAreRight() {
    try (Jedis w = new Jedis("127.0.0.1", haproxy.writePort());
        Jedis r = new Jedis("127.0.0.1", haproxy.readPort())) {
      assertThat(w.ping()).isEqualTo("PONG");
      assertThat(r.ping()).isEqualTo("PONG");
      List<ServerState> before = haproxy.servers();
      route.signal("TERM");
      assertThat(route.waitForExit(Duration.ofSeconds(10))).isZero();
      route = Routers.start(sandbox, haproxy, "route-restarted", LOCAL_DC);
      AgentProcess restarted = route;
      await("restarted route has read the routes")
          .atMost(Duration.ofSeconds(15))
          .pollInterval(Duration.ofMillis(50))
          .until(
              () -> restarted.stderrLines().stream().anyMatch(l -> l.contains("read listener ->")));
      await("HAProxy unchanged over several of the router's cycles (200 ms each)")
          .during(Duration.ofSeconds(1))
          .atMost(Duration.ofSeconds(2))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> haproxy.servers().equals(before));
      assertThat(w.ping()).as("the write connection survived").isEqualTo("PONG");
      assertThat(r.ping()).as("the read connection survived").isEqualTo("PONG");
      assertThat(restarted.stderrLines()).noneMatch(l -> l.contains("HAProxy differed"));
    }
  }

  /**
   * etcd SIGSTOPped: the router keeps the routes it had, says so once, and writes keep flowing to
   * the master; when etcd answers again it says so.
   */
  @Test
  void fPausedEtcdKeepsTheLastRoutes() {
    String master = sandbox.currentMasterAddress();
    List<ServerState> before = haproxy.servers();
    try (LongLivedClient writer =
        LongLivedClient.writer("127.0.0.1", haproxy.writePort(), "route-etcd")) {
      awaitServed(writer, portOf(master));
      sandbox.etcd().pause();
      try {
        await("route notices etcd is away")
            .atMost(Duration.ofSeconds(10))
            .pollInterval(Duration.ofMillis(50))
            .until(() -> count(route, "etcd unavailable") == 1);
        long paused = System.nanoTime();
        await("HAProxy unchanged while etcd is away")
            .during(Duration.ofSeconds(3))
            .atMost(Duration.ofSeconds(4))
            .pollInterval(Duration.ofMillis(50))
            .until(() -> haproxy.servers().equals(before));
        assertThat(count(route, "etcd unavailable")).as("logged once").isEqualTo(1);
        assertThat(writer.since(paused)).isNotEmpty().allMatch(LongLivedClient.Op::ok);
        assertThat(writer.longestGapMillis(paused)).isLessThan(500);
        AgentHttp.Answer status = AgentHttp.get(AgentHttp.address(route), "/status");
        assertThat(status.json().path("etcd").path("reachable").asBoolean(true)).isFalse();
        assertThat(status.json().path("etcd").path("error").asText()).contains("timed out");
        assertThat(AgentHttp.get(AgentHttp.address(route), "/health").code())
            .as("still routing: healthy")
            .isEqualTo(200);
      } finally {
        sandbox.etcd().resume();
      }
      await("route says etcd is back")
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> count(route, "etcd reachable again") >= 1);
    }
  }

  /**
   * {@code /health}, {@code /status} and {@code /metrics} on the router's HTTP server: healthy, the
   * routes and slots as HAProxy has them, changes counted, servers by state.
   */
  @Test
  void gServesHealthStatusAndMetrics() {
    String http = AgentHttp.address(route);
    AgentHttp.Answer health = AgentHttp.get(http, "/health");
    assertThat(health.code()).isEqualTo(200);
    assertThat(health.json().path("etcd_reachable").asBoolean()).isTrue();
    AgentHttp.Answer status = AgentHttp.get(http, "/status");
    String master = sandbox.currentMasterAddress();
    assertThat(status.json().path("routes").path("write").has(master)).isTrue();
    assertThat(status.json().path("routes").path("read").path(localRedis()).asInt()).isEqualTo(10);
    String metrics = AgentHttp.get(http, "/metrics").body();
    assertThat(metrics)
        .contains("redis_registrar_route_servers{listener=\"write\",state=\"ready\"} 1.0\n")
        .contains("redis_registrar_route_servers{listener=\"read\",state=\"ready\"} 3.0\n")
        .contains("redis_registrar_route_etcd_reachable 1.0\n")
        .contains("redis_registrar_route_haproxy_reachable 1.0\n");
    assertThat(metrics).containsPattern("redis_registrar_route_changes_applied_total \\d+\\.0\n");
    AgentProcess.Result lint = AgentHttp.promtool(sandbox.dir(), metrics);
    assertThat(lint.exitCode()).as("promtool: %s%s", lint.stdout(), lint.stderr()).isZero();
  }

  private static long count(AgentProcess p, String text) {
    return p.stderrLines().stream().filter(l -> l.contains(text)).count();
  }

  private static void awaitServed(LongLivedClient client, int redisPort) {
    await("client served by " + redisPort)
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(10))
        .until(() -> client.servedBy() == redisPort && !client.ops().isEmpty());
  }
}
