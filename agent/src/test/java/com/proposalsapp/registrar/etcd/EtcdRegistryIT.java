package com.proposalsapp.registrar.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import com.proposalsapp.registrar.config.EtcdAccess;
import com.proposalsapp.registrar.core.InstanceRecord;
import com.proposalsapp.registrar.core.MasterRecord;
import com.proposalsapp.registrar.core.RegistryException;
import com.proposalsapp.registrar.core.Role;
import com.proposalsapp.registrar.core.SentinelSummary;
import com.proposalsapp.registrar.it.EtcdServer;
import com.proposalsapp.registrar.it.Sandbox;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The registry's transactions against a real etcd, watched through {@code etcdctl}: what each call
 * writes, in how many revisions, and what it refuses to touch.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EtcdRegistryIT {

  private static final String NAME = "proposalsapp-redis";
  private static final String GROUP = "/service/redis/" + NAME + "/";
  private static final String MASTER_KEY = GROUP + "master";
  private static final String ID = "dc1-127.0.0.1-6379";
  private static final String KEY = GROUP + "instances/" + ID;
  private static final Instant SINCE = Instant.parse("2026-11-25T17:02:11Z");

  private static EtcdServer etcd;
  private EtcdRegistry registry;
  private long lease;

  @BeforeAll
  static void startEtcd() throws Exception {
    etcd = EtcdServer.start(Sandbox.createDir("EtcdRegistryIT"), "etcd");
  }

  @AfterAll
  static void stopEtcd() {
    if (etcd != null) {
      etcd.close();
    }
  }

  @BeforeEach
  void connect() throws RegistryException {
    etcd.etcdctl("del", "--prefix", "--", "/service/");
    registry =
        new EtcdRegistry(
            EtcdAccess.plain(List.of(URI.create(etcd.endpoint()))),
            "/service/redis",
            NAME,
            Duration.ofSeconds(10),
            true,
            Duration.ofSeconds(2));
    lease = registry.lease().id();
  }

  @AfterEach
  void close() {
    if (registry != null) {
      registry.close();
    }
  }

  @Test
  void aMasterWritesItsRecordAndTheAbsentMasterKeyInOneRevision() throws Exception {
    long before = etcd.revision();

    assertThat(registry.writeAndClaimMaster(record(Role.MASTER, 4), lease)).isTrue();

    assertThat(etcd.revision()).as("one transaction").isEqualTo(before + 1);
    assertThat(etcd.modRevisionOf(MASTER_KEY)).isEqualTo(etcd.modRevisionOf(KEY));
    assertThat(RecordJson.decode(etcd.get(KEY).orElseThrow()).role()).isEqualTo(Role.MASTER);
    assertThat(master().id()).isEqualTo(ID);
    assertThat(master().epoch()).isEqualTo(4);
    assertThat(etcd.leaseOf(MASTER_KEY)).isEqualTo(lease);
    assertThat(etcd.leaseOf(KEY)).isEqualTo(lease);
  }

  @Test
  void aMasterKeyWithAHigherEpochIsLeftAloneButTheRecordIsWritten() throws Exception {
    String other = otherMaster(9);
    etcd.put(MASTER_KEY, other);

    assertThat(registry.writeAndClaimMaster(record(Role.MASTER, 4), lease)).isFalse();

    assertThat(etcd.get(MASTER_KEY)).contains(other);
    assertThat(RecordJson.decode(etcd.get(KEY).orElseThrow()).role()).isEqualTo(Role.MASTER);
  }

  @Test
  void aMasterKeyWithALowerEpochIsTakenOver() throws Exception {
    etcd.put(MASTER_KEY, otherMaster(2));

    assertThat(registry.writeAndClaimMaster(record(Role.MASTER, 4), lease)).isTrue();

    assertThat(master().id()).isEqualTo(ID);
    assertThat(etcd.leaseOf(MASTER_KEY)).isEqualTo(lease);
  }

  @Test
  void claimingAKeyThatAlreadyNamesUsWritesOnlyTheRecord() throws Exception {
    registry.writeAndClaimMaster(record(Role.MASTER, 4), lease);
    long keyRevision = etcd.modRevisionOf(MASTER_KEY);

    long recordRevision = etcd.modRevisionOf(KEY);

    assertThat(registry.writeAndClaimMaster(record(Role.MASTER, 4, "upgraded agent"), lease))
        .isTrue();
    assertThat(registry.claimMaster(MasterRecord.of(record(Role.MASTER, 4)), lease)).isTrue();

    assertThat(etcd.modRevisionOf(KEY)).isGreaterThan(recordRevision);
    assertThat(etcd.modRevisionOf(MASTER_KEY)).isEqualTo(keyRevision);
  }

  @Test
  void aDemotionDeletesTheMasterKeyAndWritesTheRecordInOneRevision() throws Exception {
    registry.writeAndClaimMaster(record(Role.MASTER, 4), lease);
    long before = etcd.revision();

    registry.writeAndReleaseMaster(record(Role.STALE, 5), lease);

    assertThat(etcd.revision()).as("one transaction").isEqualTo(before + 1);
    assertThat(etcd.get(MASTER_KEY)).isEmpty();
    assertThat(RecordJson.decode(etcd.get(KEY).orElseThrow()).role()).isEqualTo(Role.STALE);
  }

  @Test
  void aDemotionLeavesAMasterKeyThatAnotherAgentRewrote() throws Exception {
    registry.writeAndClaimMaster(record(Role.MASTER, 4), lease);
    long theirs = etcd.leaseGrant(30);
    String other = otherMaster(5);
    etcd.put(MASTER_KEY, other, theirs);

    registry.writeAndReleaseMaster(record(Role.STALE, 5), lease);

    assertThat(etcd.get(MASTER_KEY)).contains(other);
    assertThat(etcd.leaseOf(MASTER_KEY)).isEqualTo(theirs);
    assertThat(RecordJson.decode(etcd.get(KEY).orElseThrow()).role()).isEqualTo(Role.STALE);
  }

  @Test
  void aDemotionAfterARestartFindsItsMasterKeyByReadingIt() throws Exception {
    registry.writeAndClaimMaster(record(Role.MASTER, 4), lease);
    // A second registry on the same lease knows nothing of what the first one wrote.
    try (EtcdRegistry fresh =
        new EtcdRegistry(
            EtcdAccess.plain(List.of(URI.create(etcd.endpoint()))),
            "/service/redis",
            NAME,
            Duration.ofSeconds(10),
            false,
            Duration.ofSeconds(2))) {
      fresh.writeAndReleaseMaster(record(Role.REPLICA, 5), lease);
    }

    assertThat(etcd.get(MASTER_KEY)).isEmpty();
    assertThat(RecordJson.decode(etcd.get(KEY).orElseThrow()).role()).isEqualTo(Role.REPLICA);
  }

  @Test
  void aGuardedDeleteRemovesOurRecordInOneRevision() throws Exception {
    registry.write(record(Role.REPLICA, 4), lease);
    long before = etcd.revision();

    assertThat(registry.delete(ID, lease)).isTrue();

    assertThat(etcd.get(KEY)).isEmpty();
    assertThat(etcd.revision()).isEqualTo(before + 1);
  }

  @Test
  void aGuardedDeleteLeavesARecordRewrittenUnderAnotherLease() throws Exception {
    registry.write(record(Role.REPLICA, 4), lease);
    long theirs = etcd.leaseGrant(30);
    etcd.put(KEY, "theirs", theirs);

    assertThat(registry.delete(ID, lease)).isFalse();
    assertThat(registry.releaseMaster(lease)).as("no master key at all").isFalse();

    assertThat(etcd.get(KEY)).contains("theirs");
  }

  @Test
  void aGuardedDeleteOfARecordWeRewroteFromElsewhereStillDeletesIt() throws Exception {
    registry.write(record(Role.REPLICA, 4), lease);
    // Same lease, newer revision: still ours, though not as this registry last wrote it.
    etcd.put(KEY, RecordJson.encode(record(Role.REPLICA, 5)), lease);

    assertThat(registry.delete(ID, lease)).isTrue();

    assertThat(etcd.get(KEY)).isEmpty();
  }

  private static MasterRecord master() {
    return RecordJson.decodeMaster(etcd.get(MASTER_KEY).orElseThrow());
  }

  private static String otherMaster(long epoch) {
    return RecordJson.encodeMaster(
        new MasterRecord("dc2-127.0.0.1-6380", "dc2", "127.0.0.1", 6380, epoch, SINCE));
  }

  private static InstanceRecord record(Role role, long epoch) {
    return record(role, epoch, "redis-registrar test");
  }

  private static InstanceRecord record(Role role, long epoch, String agent) {
    boolean master = role == Role.MASTER;
    return new InstanceRecord(
        ID,
        NAME,
        "dc1",
        "127.0.0.1",
        6379,
        role,
        master || role == Role.STALE ? null : "127.0.0.1",
        master || role == Role.STALE ? null : 6380,
        master || role == Role.STALE ? null : "up",
        new SentinelSummary(true, master ? "127.0.0.1:6379" : "127.0.0.1:6380", 3, 3, epoch),
        agent,
        Instant.parse("2026-11-25T17:00:00Z"));
  }
}
