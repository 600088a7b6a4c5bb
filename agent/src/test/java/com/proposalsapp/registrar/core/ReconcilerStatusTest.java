package com.proposalsapp.registrar.core;

import static com.proposalsapp.registrar.core.Fixtures.AGENT;
import static com.proposalsapp.registrar.core.Fixtures.IDENTITY;
import static com.proposalsapp.registrar.core.Fixtures.MASTER;
import static com.proposalsapp.registrar.core.Fixtures.SELF;
import static com.proposalsapp.registrar.core.Fixtures.master;
import static com.proposalsapp.registrar.core.Fixtures.replicaOf;
import static com.proposalsapp.registrar.core.Fixtures.sentinels;
import static org.assertj.core.api.Assertions.assertThat;

import com.proposalsapp.registrar.core.Counters.ErrorKind;
import com.proposalsapp.registrar.core.Counters.RoleChange;
import com.proposalsapp.registrar.core.FakeRegistry.Op;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The status snapshot a cycle leaves behind, and {@code check} reaching it the same way. */
class ReconcilerStatusTest {

  private static final Instant T0 = Instant.parse("2026-11-25T17:02:11.400Z");
  private static final Duration DOWN_AFTER = Duration.ofSeconds(3);

  private final FakeClock clock = new FakeClock(T0);
  private final FakeTopologySource source = new FakeTopologySource(clock);
  private final FakeRegistry registry = new FakeRegistry();
  private final Reconciler reconciler = reconcilerOn(registry);

  @BeforeEach
  void healthyReplica() {
    source.answers(replicaOf(MASTER), sentinels(MASTER, MASTER, MASTER));
  }

  @Test
  void aPublishedReplicaIsPublishedUnderItsLeaseWithOneWriteAndOneRoleChange() {
    Status s = cycle();

    assertThat(s.phase()).isEqualTo(Status.Phase.RUNNING);
    assertThat(s.published()).isTrue();
    assertThat(s.publishedRole()).isEqualTo(Role.REPLICA);
    assertThat(s.lease()).isEqualTo(registry.currentLease()).isNotZero();
    assertThat(s.masterClaimed()).isFalse();
    assertThat(s.redisReachable()).isTrue();
    assertThat(s.etcdReachable()).isTrue();
    assertThat(s.counters().cycles()).isEqualTo(1);
    assertThat(s.counters().etcdWrites()).containsExactlyEntriesOf(java.util.Map.of("record", 1L));
    assertThat(s.counters().roleChanges())
        .containsExactlyEntriesOf(java.util.Map.of(new RoleChange("none", "replica"), 1L));

    Status again = cycle();
    assertThat(again.counters().etcdWrites())
        .as("nothing changed, nothing written")
        .isEqualTo(s.counters().etcdWrites());
    assertThat(again.detectionToCommit()).as("no change committed").isNull();
  }

  @Test
  void detectionToCommitRunsFromTheObservationThatSawTheChangeToTheWriteThatLandedIt() {
    cycle();
    source.answers(master(), sentinels(SELF, SELF, SELF));
    registry.fail("etcd at http://127.0.0.1:2379: write timed out", Op.WRITE);
    Status failed = cycle();
    assertThat(failed.published()).isFalse();
    assertThat(failed.etcdReachable()).isFalse();
    assertThat(failed.counters().errors()).containsEntry(new ErrorKind("etcd", "unavailable"), 1L);

    registry.heal();
    clock.advance(Duration.ofMillis(1500));
    Status s = cycle();

    assertThat(s.publishedRole()).isEqualTo(Role.MASTER);
    assertThat(s.masterClaimed()).isTrue();
    assertThat(s.detectionToCommit()).isEqualTo(Duration.ofMillis(1500));
    assertThat(s.counters().roleChanges()).containsEntry(new RoleChange("replica", "master"), 1L);
    assertThat(s.counters().etcdWrites()).containsEntry("record_and_claim", 1L);
  }

  @Test
  void aLostLeaseCountsOneReGrantAndNoRoleChange() {
    cycle();
    registry.loseLease();

    Status s = cycle();

    assertThat(s.counters().leaseRegrants()).isEqualTo(1);
    assertThat(s.counters().roleChanges())
        .containsExactlyEntriesOf(java.util.Map.of(new RoleChange("none", "replica"), 1L));
    assertThat(s.published()).isTrue();
  }

  @Test
  void unreachableRedisAndSentinelsAreCountedByTarget() {
    cycle();
    source.redisDown("Redis at 127.0.0.1:6379: connection refused", sentinels(MASTER, null, null));
    Status s = cycle();

    assertThat(s.redisReachable()).isFalse();
    assertThat(s.verdict()).isNull();
    assertThat(s.counters().errors())
        .containsEntry(new ErrorKind("redis", "unreachable"), 1L)
        .containsEntry(new ErrorKind("sentinel", "unreachable"), 2L);

    clock.advance(DOWN_AFTER);
    Status withdrawn = cycle();
    assertThat(withdrawn.desired()).isNull();
    assertThat(withdrawn.publishedRole()).isNull();
    assertThat(withdrawn.counters().roleChanges())
        .containsEntry(new RoleChange("replica", "none"), 1L);
    assertThat(withdrawn.detectionToCommit()).isEqualTo(Duration.ZERO);
  }

  @Test
  void theReplicationLagIsTheMasterOffsetMinusTheReplicaOffset() {
    Observation obs =
        new Observation(T0, replicaOf(MASTER), null, sentinels(MASTER, MASTER, MASTER), 1300L);
    Status s = Status.starting(T0);
    Status withObs =
        new Status(
            Status.Phase.RUNNING,
            T0,
            T0,
            Duration.ZERO,
            obs,
            null,
            null,
            false,
            false,
            0,
            null,
            null,
            Counters.NONE,
            FenceStatus.off());

    assertThat(s.replicationLag()).isNull();
    assertThat(withObs.replicationLag()).isEqualTo(1300L - replicaOf(MASTER).offset());
  }

  @Test
  void checkReachesTheVerdictOfACycleAndWritesNothing() {
    Status before = reconcilerOn(registry).check();
    assertThat(before.verdict().role()).isEqualTo(Role.REPLICA);
    assertThat(before.published()).isFalse();
    assertThat(before.lease()).isZero();
    assertThat(registry.count(Op.WRITE)).isZero();
    assertThat(registry.grants()).isZero();

    Status ran = cycle();
    Status after = reconcilerOn(registry).check();

    assertThat(after.verdict()).isEqualTo(ran.verdict());
    assertThat(after.desired()).isEqualTo(ran.desired());
    assertThat(after.published()).isTrue();
    assertThat(after.lease()).isEqualTo(ran.lease());
    assertThat(registry.count(Op.WRITE)).isEqualTo(1);

    source.answers(master(), sentinels(SELF, SELF, SELF));
    Status differs = reconcilerOn(registry).check();
    assertThat(differs.verdict().role()).isEqualTo(Role.MASTER);
    assertThat(differs.published()).as("etcd still says replica").isFalse();
  }

  @Test
  void theBoardSaysStoppingOnceAskedWhateverTheLoopPublishesAfter() {
    StatusBoard board = new StatusBoard(T0);
    assertThat(board.current().phase()).isEqualTo(Status.Phase.STARTING);
    java.util.List<Status.Phase> seen = new java.util.ArrayList<>();
    board.onPublish(st -> seen.add(st.phase()));
    board.publish(cycle());
    assertThat(board.current().phase()).isEqualTo(Status.Phase.RUNNING);

    board.stopping();
    board.publish(cycle());

    assertThat(board.current().phase()).isEqualTo(Status.Phase.STOPPING);
    assertThat(board.current().published()).as("the facts stay").isTrue();
    assertThat(seen).containsExactly(Status.Phase.RUNNING, Status.Phase.STOPPING);
  }

  private Status cycle() {
    Instant start = clock.instant();
    Outcome o = reconciler.reconcile(false);
    return reconciler.status(o, T0, start, clock.instant());
  }

  private Reconciler reconcilerOn(Registry r) {
    return new Reconciler(
        IDENTITY, source, r, new Reconciler.Policy(true, DOWN_AFTER, AGENT), clock);
  }
}
