package com.proposalsapp.registrar.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One agent (beside a replica) on one sandbox, and faults made from outside: its key deleted or
 * overwritten, its lease revoked, etcd killed and restarted, etcd paused past the lease TTL. Each
 * test leaves etcd running and the record published, so they share the agent.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RecoveryIT {
  @RegisterExtension
  static final SandboxExtension SANDBOX = SandboxExtension.of(Sandbox.Options.defaults());

  private static final Duration LEASE_TTL = Duration.ofSeconds(3);
  private static final Duration RESYNC = Duration.ofSeconds(1);
  private static final String[] TIMING = {
    "--lease-ttl", "3s", "--poll-interval", "200ms", "--resync-interval", "1s"
  };
  private static final int INDEX = 1;

  private static Sandbox sandbox;
  private static AgentProcess agent;
  private static String key;

  private EtcdServer etcd;
  private String published;
  private long lease;

  @BeforeAll
  static void startSandboxAndAgent() {
    sandbox = SANDBOX.get();
    agent = Agents.start(sandbox, INDEX, TIMING);
    key = Records.key(Agents.id(sandbox, INDEX));
  }

  @AfterAll
  static void stopAll() {
    if (agent != null) {
      agent.close();
    }
  }

  /** Waits for the agent's record, and notes it and its lease. */
  @BeforeEach
  void awaitPublished() {
    etcd = sandbox.etcd();
    assertThat(agent.isAlive()).as("agent running").isTrue();
    published =
        await("record published")
            .atMost(Duration.ofSeconds(15))
            .pollInterval(Duration.ofMillis(100))
            .ignoreExceptions()
            .until(() -> etcd.get(key).filter(Records::isObject), Optional::isPresent)
            .orElseThrow();
    lease = etcd.leaseOf(key);
    assertThat(Records.role(Records.parse(published))).isEqualTo("replica");
    assertThat(lease).isNotZero();
  }

  /** Leaves etcd running for the next test, whatever this one did to it. */
  @AfterEach
  void leaveEtcdRunning() {
    if (etcd.isPaused()) {
      etcd.resume();
      etcd.awaitReady();
    } else if (!etcd.isAlive()) {
      etcd.restart();
    }
  }

  @Test
  void aDeletedRecordIsRestoredWithinTheResyncInterval() {
    etcd.delete(key);
    long t0 = System.nanoTime();

    awaitRecordBack("deleted record restored", RESYNC.plusSeconds(3), t0);
    assertThat(etcd.get(key)).contains(published);
    assertThat(etcd.leaseOf(key)).isEqualTo(lease);
  }

  @Test
  void anOverwrittenRecordIsRestored() {
    etcd.put(key, "garbage: not a record");
    long t0 = System.nanoTime();

    awaitRecordBack("overwritten record restored", RESYNC.plusSeconds(3), t0);
    assertThat(etcd.get(key)).contains(published);
    assertThat(etcd.leaseOf(key)).as("back on the agent's lease").isEqualTo(lease);
  }

  @Test
  void aRecordAlteredOnTheAgentsOwnLeaseIsRestored() {
    ObjectNode altered = (ObjectNode) Records.parse(published);
    altered.put("role", "master");
    altered.remove(List.of("master_host", "master_port", "link"));
    etcd.put(key, altered.toString(), lease);
    long t0 = System.nanoTime();

    await("altered record restored")
        .atMost(RESYNC.plusSeconds(3))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> etcd.get(key), v -> v.equals(Optional.of(published)));
    System.out.printf(
        "RecoveryIT: record altered on the agent's lease restored in %d ms%n", millisSince(t0));
    assertThat(etcd.leaseOf(key)).isEqualTo(lease);
  }

  @Test
  void aRevokedLeaseIsReplacedByANewOne() {
    etcd.leaseRevoke(lease);
    long t0 = System.nanoTime();
    assertThat(etcd.leaseTtl(lease)).isEqualTo(-1);

    long newLease = awaitRecordBack("record back on a new lease", Duration.ofSeconds(5), t0);
    assertThat(newLease).isNotEqualTo(lease);
    assertThat(Records.lease(etcd, newLease).grantedTtl()).isEqualTo(LEASE_TTL.toSeconds());
    assertThat(etcd.get(key)).contains(published);
    await("lease re-granted line")
        .atMost(Duration.ofSeconds(2))
        .untilAsserted(
            () ->
                assertThat(agent.stderrLines())
                    .filteredOn(l -> l.contains("lease re-granted"))
                    .filteredOn(l -> l.contains(Long.toHexString(newLease)))
                    .singleElement()
                    .asString()
                    .contains(Agents.id(sandbox, INDEX)));
    assertKeptAlive(newLease);
  }

  @Test
  void theRecordIsBackAfterEtcdIsKilledAndRestarted() {
    etcd.kill();
    await("agent running while etcd is down")
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(4))
        .until(agent::isAlive);
    etcd.restart(); // the same data directory and port; returns once healthy
    long t0 = System.nanoTime();

    long leaseAfter =
        awaitRecordBack("record present after the restart", Duration.ofSeconds(10), t0);
    assertThat(Records.parse(etcd.get(key).orElseThrow())).isEqualTo(Records.parse(published));
    // The keepalive stream broke with the restart: the record must not simply run out its TTL.
    assertKeptAlive(leaseAfter);
    assertThat(agent.isAlive()).isTrue();
  }

  @Test
  void theRecordIsBackAfterEtcdWasPausedPastTheLeaseTtl() {
    int warningsBefore = warnings();
    etcd.pause();
    // The outage itself: the agent must ride it out, not exit.
    await("agent running while etcd is paused")
        .during(LEASE_TTL.plusSeconds(2))
        .atMost(LEASE_TTL.plusSeconds(4))
        .until(agent::isAlive);
    etcd.resume();
    etcd.awaitReady();
    long t0 = System.nanoTime();

    long leaseAfter = awaitRecordBack("record back after the pause", Duration.ofSeconds(10), t0);
    assertThat(etcd.leaseTtl(lease)).as("old lease expired during the pause").isEqualTo(-1);
    assertThat(leaseAfter).as("a new lease").isNotEqualTo(lease);
    assertThat(Records.parse(etcd.get(key).orElseThrow())).isEqualTo(Records.parse(published));
    assertKeptAlive(leaseAfter);
    // One warning for the outage, not one per retry.
    assertThat(warnings() - warningsBefore).as("WARN lines for one outage").isEqualTo(1);
  }

  /**
   * Waits until the key holds a valid record on a live lease, prints how long that took since
   * {@code t0}, and returns the lease.
   */
  private long awaitRecordBack(String what, Duration atMost, long t0) {
    long leaseNow =
        await(what)
            .atMost(atMost)
            .pollInterval(Duration.ofMillis(50))
            .ignoreExceptions()
            .until(
                () -> etcd.get(key).filter(Records::isObject).isPresent() ? etcd.leaseOf(key) : 0L,
                l -> l != 0L);
    System.out.printf("RecoveryIT: %s in %d ms%n", what, millisSince(t0));
    JsonNode record = Records.parse(etcd.get(key).orElseThrow());
    assertThat(record.path("id").asText()).isEqualTo(Agents.id(sandbox, INDEX));
    return leaseNow;
  }

  /**
   * The record stays on {@code leaseId} for two TTLs: the agent keeps it alive (a restarted etcd
   * extends every lease by a TTL plus an election timeout).
   */
  private void assertKeptAlive(long leaseId) {
    await("record kept alive on lease " + Long.toHexString(leaseId))
        .during(LEASE_TTL.multipliedBy(2))
        .atMost(LEASE_TTL.multipliedBy(2).plusSeconds(2))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> etcd.leaseOf(key) == leaseId && etcd.leaseTtl(leaseId) > 0);
  }

  private static int warnings() {
    return (int) agent.stderrLines().stream().filter(l -> l.contains(" WARN ")).count();
  }

  private static long millisSince(long t0) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
  }
}
