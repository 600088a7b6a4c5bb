package com.proposalsapp.registrar.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.Jedis;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SandboxIT {
  private static Sandbox sandbox;

  @BeforeAll
  static void startSandbox() {
    long started = System.nanoTime();
    sandbox = Sandbox.start("SandboxIT");
    System.out.printf(
        "Sandbox.start took %d ms%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
  }

  @AfterAll
  static void closeSandbox() {
    if (sandbox != null) {
      sandbox.close();
    }
  }

  @Test
  @Order(1)
  void startsEtcdAndAReplicatedRedisUnderThreeSentinels() {
    assertThat(sandbox.etcd().isReady()).isTrue();
    assertThat(sandbox.redis())
        .extracting(RedisServer::role)
        .containsExactly("master", "slave", "slave");
    assertThat(sandbox.currentMasterAddress()).isEqualTo(sandbox.redis().get(0).address());
    assertThat(sandbox.sentinelAddresses().split(","))
        .hasSize(3)
        .allMatch(a -> a.matches("127\\.0\\.0\\.1:\\d+"));
    for (SentinelServer sentinel : sandbox.sentinels()) {
      assertThat(sentinel.replicas(Sandbox.MASTER_NAME)).hasSize(2);
      assertThat(sentinel.otherSentinels(Sandbox.MASTER_NAME)).hasSize(2);
    }
    assertThat(sandbox.redis().get(0).logFile()).isNotEmptyFile();
    assertThat(sandbox.etcd().logFile()).isNotEmptyFile();
  }

  @Test
  @Order(2)
  void etcdctlRoundTrips() {
    EtcdServer etcd = sandbox.etcd();
    String awkward = "-starts with a dash,\nhas a newline and ünïcode";
    etcd.put("/it/a", "1");
    etcd.put("/it/b", awkward);
    etcd.put("/other", "x");

    assertThat(etcd.get("/it/b")).contains(awkward);
    assertThat(etcd.get("/it/missing")).isEmpty();
    assertThat(etcd.getPrefix("/it/"))
        .containsExactly(Map.entry("/it/a", "1"), Map.entry("/it/b", awkward));
    assertThat(etcd.leaseOf("/it/a")).isZero();

    long lease = etcd.leaseGrant(10);
    etcd.put("/it/leased", "v", lease);
    assertThat(etcd.leaseOf("/it/leased")).isEqualTo(lease);
    assertThat(etcd.leaseTtl(lease)).isBetween(1L, 10L);

    etcd.leaseRevoke(lease);
    assertThat(etcd.get("/it/leased")).isEmpty();
    assertThat(etcd.leaseTtl(lease)).isEqualTo(-1);

    etcd.delete("/it/a");
    assertThat(etcd.getPrefix("/it/")).containsOnlyKeys("/it/b");
    assertThatThrownBy(() -> etcd.leaseRevoke(lease)).hasMessageContaining("lease not found");
  }

  @Test
  @Order(3)
  void failoverPromotesAReplicaAndDemotesTheOldMaster() {
    String oldMaster = sandbox.currentMasterAddress();

    String newMaster = sandbox.failover();

    assertThat(newMaster).isNotEqualTo(oldMaster);
    assertThat(sandbox.currentMasterAddress()).isEqualTo(newMaster);
    assertThat(sandbox.redisAt(newMaster).role()).isEqualTo("master");
    // Sentinel demotes the old master about 10 s after the switch (it waits 4 hello periods).
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(sandbox.redisAt(oldMaster).role()).isEqualTo("slave"));
    sandbox.awaitSettled();
  }

  @Test
  @Order(4)
  void aKilledReplicaRestartsOnTheSamePortAndRelinks() {
    RedisServer master = sandbox.redisAt(sandbox.currentMasterAddress());
    RedisServer replica =
        sandbox.redis().stream().filter(r -> r != master).findFirst().orElseThrow();
    int port = replica.port();
    try (Jedis jedis = master.jedis()) {
      jedis.set("written-while-down", "yes");
    }
    long oldPid = replica.pid();

    replica.kill();
    assertThat(replica.isAlive()).isFalse();
    assertThat(replica.isReady()).isFalse();

    replica.restart();
    assertThat(replica.pid()).isNotEqualTo(oldPid);
    assertThat(replica.port()).isEqualTo(port);
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> assertThat(replica.infoReplication()).containsEntry("master_link_status", "up"));
    try (Jedis jedis = replica.jedis()) {
      assertThat(jedis.get("written-while-down")).isEqualTo("yes");
    }
    sandbox.awaitSettled();
  }

  @Test
  @Order(5)
  void pausedEtcdStopsAnsweringAndResumesWithItsData() {
    EtcdServer etcd = sandbox.etcd();
    etcd.put("/it/kept", "across pause");

    etcd.pause();
    assertThat(etcd.isPaused()).isTrue();
    assertThat(etcd.isAlive()).isTrue();
    assertThat(etcd.isReady()).isFalse();
    assertThatThrownBy(() -> etcd.etcdctl("--command-timeout=1s", "get", "/it/kept"))
        .isInstanceOf(IllegalStateException.class);

    etcd.resume();
    etcd.awaitReady();
    assertThat(etcd.get("/it/kept")).contains("across pause");
  }

  @Test
  @Order(6)
  void anEtcdOnlySandboxClosesEvenWhilePaused() {
    try (Sandbox etcdOnly = Sandbox.etcdOnly("SandboxIT-etcdOnly")) {
      assertThat(etcdOnly.redis()).isEmpty();
      assertThatThrownBy(etcdOnly::failover).isInstanceOf(IllegalStateException.class);
      etcdOnly.etcd().put("k", "v");
      etcdOnly.etcd().pause();
      etcdOnly.close();
      assertThat(etcdOnly.etcd().isAlive()).isFalse();
    }
  }
}
