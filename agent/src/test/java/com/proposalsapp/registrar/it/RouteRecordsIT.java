package com.proposalsapp.registrar.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.proposalsapp.registrar.it.HaproxyServer.ServerState;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * The router against records written by hand (no agents), under a master name of each test's own,
 * so that etcd can say exactly what a test needs: no master, a record that is not JSON, more
 * instances than HAProxy has slots. The sandbox's three Redis are the servers routed to.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RouteRecordsIT {

  @RegisterExtension
  static final SandboxExtension SANDBOX = SandboxExtension.of(Sandbox.Options.defaults());

  private static final String W = "redis_write";
  private static final String R = "redis_read";

  private static int started;

  private Sandbox sandbox;
  private String masterName;
  private HaproxyServer haproxy;
  private AgentProcess route;

  @BeforeEach
  void names(TestInfo test) {
    sandbox = SANDBOX.get();
    masterName = "hand-" + test.getTestMethod().orElseThrow().getName();
  }

  @AfterEach
  void stop() {
    if (route != null) {
      route.close();
    }
    if (haproxy != null) {
      haproxy.kill();
    }
  }

  private void startTier(int slots) {
    // A short directory name: a Unix socket's path has at most 107 bytes.
    haproxy = Routers.startHaproxy(sandbox, "haproxy-" + (++started), slots);
    route =
        Routers.start(sandbox, haproxy, "route-" + masterName, "dc1", "--master-name", masterName);
  }

  private void putInstance(String id, String dc, RedisServer redis, String role) {
    sandbox
        .etcd()
        .put(
            Records.instanceKey(masterName, id),
            Records.instanceJson(masterName, id, dc, redis.address(), role));
  }

  private List<String> active(String backend) {
    return haproxy.active(backend).stream().map(ServerState::address).toList();
  }

  private void awaitActive(String backend, List<String> addresses) {
    await(backend + " routes to " + addresses)
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(20))
        .ignoreExceptions()
        .until(
            () ->
                active(backend).stream()
                    .sorted()
                    .toList()
                    .equals(addresses.stream().sorted().toList()));
  }

  /**
   * A record saying master but no master key: the write listener has no server, and a write through
   * it fails at once instead of reaching anything; reads still work. With the key, writes go
   * through; when the key is deleted, the open write connection is cut.
   */
  @Test
  void noMasterMeansWritesFailFast() {
    RedisServer master = sandbox.redis().get(0);
    putInstance("dc1-a", "dc1", master, "master");
    putInstance("dc2-b", "dc2", sandbox.redis().get(1), "replica");
    startTier(3);
    awaitActive(R, List.of(master.address(), sandbox.redis().get(1).address()));
    assertThat(active(W)).isEmpty();

    long started = System.nanoTime();
    assertThatThrownBy(
            () -> {
              try (Jedis w = new Jedis("127.0.0.1", haproxy.writePort(), 5000)) {
                w.set("k", "v");
              }
            })
        .isInstanceOf(JedisConnectionException.class);
    assertThat((System.nanoTime() - started) / 1_000_000).as("ms to fail").isLessThan(1000);
    try (Jedis r = new Jedis("127.0.0.1", haproxy.readPort())) {
      assertThat(r.ping()).isEqualTo("PONG");
    }

    sandbox
        .etcd()
        .put(
            Records.masterKey(masterName), Records.masterJson("dc1-a", "dc1", master.address(), 1));
    awaitActive(W, List.of(master.address()));
    try (Jedis w = new Jedis("127.0.0.1", haproxy.writePort(), 5000)) {
      assertThat(w.set("k", "v")).isEqualTo("OK");
      sandbox.etcd().delete(Records.masterKey(masterName));
      awaitActive(W, List.of());
      assertThatThrownBy(w::ping)
          .as("the open write connection is shut down")
          .isInstanceOf(JedisConnectionException.class);
    }
  }

  /** A value that is not JSON: ignored, said once in the log, and the valid records still route. */
  @Test
  void anInvalidRecordIsIgnoredWithOneLogLine() {
    RedisServer master = sandbox.redis().get(0);
    putInstance("dc1-a", "dc1", master, "master");
    sandbox
        .etcd()
        .put(
            Records.masterKey(masterName), Records.masterJson("dc1-a", "dc1", master.address(), 1));
    sandbox.etcd().put(Records.instanceKey(masterName, "garbled"), "{not json");
    startTier(3);
    awaitActive(W, List.of(master.address()));
    awaitActive(R, List.of(master.address()));
    // More reads of etcd (one a second, and one per change) must not log it again.
    putInstance("dc2-b", "dc2", sandbox.redis().get(1), "replica");
    awaitActive(R, List.of(master.address(), sandbox.redis().get(1).address()));
    await("still one line after two more reads of etcd")
        .during(Duration.ofMillis(2200))
        .atMost(Duration.ofSeconds(3))
        .until(() -> linesAbout("instances/garbled") == 1);
    assertThat(route.stderrLines())
        .filteredOn(l -> l.contains("instances/garbled"))
        .singleElement()
        .asString()
        .contains("WARN", "ignoring", "not JSON");
  }

  /** More instances than slots: a clear error, once, and the slots there are still used. */
  @Test
  void moreInstancesThanSlotsIsAClearError() {
    RedisServer master = sandbox.redis().get(0);
    putInstance("dc1-a", "dc1", master, "master");
    putInstance("dc2-b", "dc2", sandbox.redis().get(1), "replica");
    putInstance("dc3-c", "dc3", sandbox.redis().get(2), "replica");
    startTier(2);
    await("the error")
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> linesAbout("wanted but only") >= 1);
    assertThat(route.stderrLines())
        .filteredOn(l -> l.contains("wanted but only"))
        .singleElement()
        .asString()
        .contains(
            "ERROR",
            "read listener: 3 servers wanted but only 2 slots; 1 left out (raise --slots and restart"
                + " HAProxy on the new configuration)");
    assertThat(active(R)).hasSize(2);
  }

  private long linesAbout(String text) {
    return route.stderrLines().stream().filter(l -> l.contains(text)).count();
  }
}
