package com.proposalsapp.registrar.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.Jedis;

/**
 * Real HAProxy in front of all three Redis, one backend checked with {@code option httpchk GET
 * /master} against each agent: clients' writes reach only the master, and follow a planned
 * failover; the agents' metrics move with it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HaproxyRoutingIT {
  private static final String[] TIMING = {"--lease-ttl", "3s", "--poll-interval", "200ms"};
  private static final Duration CONVERGE = Duration.ofSeconds(15);

  private static Sandbox sandbox;
  private static HaproxyServer haproxy;
  private static final List<AgentProcess> agents = new ArrayList<>();
  private static final List<String> http = new ArrayList<>();

  @BeforeAll
  static void start() {
    sandbox = Sandbox.start("HaproxyRoutingIT");
    for (int i = 0; i < 3; i++) {
      agents.add(Agents.start(sandbox, i, TIMING));
    }
    for (AgentProcess a : agents) {
      http.add(AgentHttp.address(a));
    }
    for (String address : http) {
      await("agent at " + address + " published")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> AgentHttp.get(address, "/health").code() == 200);
    }
    haproxy = HaproxyServer.start(sandbox.dir(), "haproxy", HaproxyRoutingIT::config);
  }

  @AfterAll
  static void stop() {
    if (haproxy != null) {
      haproxy.close();
    }
    agents.forEach(AgentProcess::close);
    if (sandbox != null) {
      sandbox.close();
    }
  }

  /** The documented check: one TCP backend, each server checked on its agent's /master. */
  private static String config(HaproxyServer h) {
    StringBuilder servers = new StringBuilder();
    for (int i = 0; i < 3; i++) {
      int checkPort = Integer.parseInt(http.get(i).substring(http.get(i).lastIndexOf(':') + 1));
      servers.append(
          String.format(
              "  server redis%d %s check port %d inter 200ms fall 1 rise 1"
                  + " on-marked-down shutdown-sessions%n",
              i, sandbox.redis().get(i).address(), checkPort));
    }
    return """
        global
          stats socket %s level admin
        defaults
          mode tcp
          timeout connect 1s
          timeout client 330s
          timeout server 330s
          timeout check 1s
        frontend redis_write
          bind 127.0.0.1:%d
          default_backend redis_master
        backend redis_master
          option httpchk GET /master
          http-check expect status 200
        %s"""
        .formatted(h.socket(), h.port(), servers);
  }

  @Test
  void writesGoOnlyToTheMasterAndFollowAPlannedFailover() {
    int oldIndex = 0;
    awaitOnlyUp(oldIndex);
    assertAllNewConnectionsReach(oldIndex);
    List<String> before = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      before.add(metricsOf(i));
    }

    // Clients keep writing, one fresh connection per write, through the failover.
    Map<Integer, AtomicInteger> landed = new ConcurrentHashMap<>();
    AtomicInteger failed = new AtomicInteger();
    AtomicBoolean running = new AtomicBoolean(true);
    Thread writer =
        new Thread(
            () -> {
              for (int n = 0; running.get(); n++) {
                try (Jedis j = new Jedis("127.0.0.1", haproxy.port(), 1000)) {
                  j.set("k" + n, "v");
                  landed.computeIfAbsent(tcpPort(j), p -> new AtomicInteger()).incrementAndGet();
                } catch (RuntimeException e) {
                  failed.incrementAndGet(); // no server UP for a moment, or a READONLY replica
                }
              }
            },
            "writer");
    writer.start();

    int newIndex = indexOf(sandbox.failover());
    awaitOnlyUp(newIndex);
    long convergedFailures = failed.get();
    Map<Integer, Integer> atConvergence = snapshot(landed);
    int newPortNow = sandbox.redis().get(newIndex).port();
    int landedNew = atConvergence.getOrDefault(newPortNow, 0);
    await("50 more writes after convergence")
        .atMost(Duration.ofSeconds(20))
        .until(() -> landed.getOrDefault(newPortNow, new AtomicInteger()).get() >= landedNew + 50);
    running.set(false);
    try {
      writer.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Map<Integer, Integer> after = snapshot(landed);
    int oldPort = sandbox.redis().get(oldIndex).port();
    int newPort = sandbox.redis().get(newIndex).port();
    System.out.printf(
        "HaproxyRoutingIT: writes by port before convergence %s, after %s; failed %d (%d after"
            + " convergence)%n",
        atConvergence, after, failed.get(), failed.get() - convergedFailures);
    assertThat(after.getOrDefault(oldPort, 0))
        .as("no write reached the old master once HAProxy converged")
        .isEqualTo(atConvergence.getOrDefault(oldPort, 0));
    assertThat(after.getOrDefault(newPort, 0))
        .isGreaterThan(atConvergence.getOrDefault(newPort, 0));
    assertThat(after.keySet())
        .as("writes only ever reached a master")
        .containsAnyOf(oldPort, newPort)
        .allMatch(p -> p == oldPort || p == newPort);
    assertThat(failed.get() - convergedFailures).as("failed writes after convergence").isZero();
    assertAllNewConnectionsReach(newIndex);

    // The new master's agent saw the change: its metrics moved.
    String now = metricsOf(newIndex);
    assertThat(AgentHttp.metric(before.get(newIndex), "redis_registrar_role{role=\"replica\"}"))
        .isEqualTo(1.0);
    assertThat(AgentHttp.metric(now, "redis_registrar_role{role=\"master\"}")).isEqualTo(1.0);
    assertThat(AgentHttp.metric(now, "redis_registrar_master_claimed")).isEqualTo(1.0);
    // replica -> master, by way of stale while it says master before the Sentinels name it
    List<String> changes =
        now.lines().filter(l -> l.startsWith("redis_registrar_role_changes_total{")).toList();
    System.out.printf("HaproxyRoutingIT: new master's role changes %s%n", changes);
    assertThat(changes)
        .anyMatch(
            l ->
                l.matches(
                    "redis_registrar_role_changes_total\\{from=\"(replica|syncing|stale)\",to=\"master\"} 1\\.0"));
    assertThat(AgentHttp.metric(now, "redis_registrar_detection_to_commit_seconds_count"))
        .isGreaterThan(
            AgentHttp.metric(
                before.get(newIndex), "redis_registrar_detection_to_commit_seconds_count"));
    String old = metricsOf(oldIndex);
    assertThat(AgentHttp.metric(old, "redis_registrar_role{role=\"master\"}")).isEqualTo(0.0);
    assertThat(AgentHttp.metric(old, "redis_registrar_master_claimed")).isEqualTo(0.0);
    AgentProcess.Result lint = AgentHttp.promtool(sandbox.dir(), now);
    assertThat(lint.exitCode()).as("promtool: %s%s", lint.stdout(), lint.stderr()).isZero();
  }

  private static void awaitOnlyUp(int index) {
    await("HAProxy: only redis" + index + " UP")
        .atMost(CONVERGE)
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              // HAProxy starts with every server UP: count only servers whose check has run.
              Map<String, Map<String, String>> s = haproxy.stat("redis_master");
              for (int i = 0; i < 3; i++) {
                Map<String, String> server = s.getOrDefault("redis" + i, Map.of());
                boolean up = server.getOrDefault("status", "").startsWith("UP");
                boolean checked = server.getOrDefault("check_status", "").startsWith("L7");
                if (!checked || up != (i == index)) {
                  return false;
                }
              }
              return true;
            });
  }

  private static void assertAllNewConnectionsReach(int index) {
    int port = sandbox.redis().get(index).port();
    for (int n = 0; n < 20; n++) {
      try (Jedis j = new Jedis("127.0.0.1", haproxy.port(), 2000)) {
        assertThat(tcpPort(j)).as("connection %d through HAProxy", n).isEqualTo(port);
        assertThat(j.set("probe-" + n, "x")).isEqualTo("OK");
      }
    }
  }

  private static int tcpPort(Jedis j) {
    for (String line : j.info("server").split("\r?\n")) {
      if (line.startsWith("tcp_port:")) {
        return Integer.parseInt(line.substring("tcp_port:".length()).trim());
      }
    }
    throw new IllegalStateException("INFO server without tcp_port");
  }

  private static int indexOf(String address) {
    for (int i = 0; i < 3; i++) {
      if (sandbox.redis().get(i).address().equals(address)) {
        return i;
      }
    }
    throw new IllegalStateException("no Redis at " + address);
  }

  private static String metricsOf(int index) {
    return AgentHttp.get(http.get(index), "/metrics").body();
  }

  private static Map<Integer, Integer> snapshot(Map<Integer, AtomicInteger> m) {
    Map<Integer, Integer> out = new java.util.TreeMap<>();
    m.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }
}
