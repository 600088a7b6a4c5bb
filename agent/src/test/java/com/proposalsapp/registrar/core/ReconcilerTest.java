package com.proposalsapp.registrar.core;

import static com.proposalsapp.registrar.core.Fixtures.AGENT;
import static com.proposalsapp.registrar.core.Fixtures.IDENTITY;
import static com.proposalsapp.registrar.core.Fixtures.MASTER;
import static com.proposalsapp.registrar.core.Fixtures.OTHER;
import static com.proposalsapp.registrar.core.Fixtures.SELF;
import static com.proposalsapp.registrar.core.Fixtures.master;
import static com.proposalsapp.registrar.core.Fixtures.replicaOf;
import static com.proposalsapp.registrar.core.Fixtures.sentinels;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.proposalsapp.registrar.core.FakeRegistry.Op;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class ReconcilerTest {

  private static final Instant T0 = Instant.parse("2026-11-25T17:02:11.400Z");
  private static final Instant T0_SECONDS = Instant.parse("2026-11-25T17:02:11Z");
  private static final Duration DOWN_AFTER = Duration.ofSeconds(3);
  private static final String ID = IDENTITY.id();
  private static final String REDIS_DOWN = "Redis at 127.0.0.1:6379: connection refused";

  private final FakeClock clock = new FakeClock(T0);
  private final FakeTopologySource source = new FakeTopologySource(clock);
  private final FakeRegistry registry = new FakeRegistry();
  private final Reconciler reconciler =
      new Reconciler(
          IDENTITY, source, registry, new Reconciler.Policy(true, DOWN_AFTER, AGENT), clock);

  @BeforeEach
  void healthyReplica() {
    source.answers(replicaOf(MASTER), sentinels(MASTER, MASTER, MASTER));
  }

  // --- publishing

  @Test
  void firstCycleWritesTheRecordOnAFreshLease() {
    Outcome o = reconciler.reconcile(false);

    assertThat(o).isEqualTo(new Outcome(o.verdict(), true, null, null));
    assertThat(o.verdict().role()).isEqualTo(Role.REPLICA);
    assertThat(registry.grants()).isEqualTo(1);
    assertThat(registry.leaseOf(ID)).isEqualTo(registry.currentLease()).isNotZero();
    assertThat(published().role()).isEqualTo(Role.REPLICA);
    assertThat(published().since()).as("truncated to seconds").isEqualTo(T0_SECONDS);
    assertThat(published()).isEqualTo(reconciler.desired());
    assertThat(reconciler.isPublished()).isTrue();
    assertThat(registry.count(Op.WRITE)).isEqualTo(1);
  }

  @ParameterizedTest(name = "fullResync={0}")
  @ValueSource(booleans = {false, true})
  void anUnchangedObservationWritesNothing(boolean fullResync) {
    reconciler.reconcile(false);
    clock.advance(Duration.ofSeconds(1));

    Outcome o = reconciler.reconcile(fullResync);

    assertThat(o.published()).isTrue();
    assertThat(registry.count(Op.WRITE)).isEqualTo(1);
    assertThat(registry.grants()).isEqualTo(1);
  }

  @Test
  void aNormalCycleTrustsWhatItWroteAndReadsNothing() {
    reconciler.reconcile(false);
    int reads = registry.count(Op.READ);

    reconciler.reconcile(false);

    assertThat(registry.count(Op.READ)).isEqualTo(reads);
  }

  @Test
  void aRoleChangeWritesOnceAndMovesSince() {
    reconciler.reconcile(false);
    clock.advance(Duration.ofSeconds(7));
    source.answers(master(), sentinels(SELF, SELF, SELF));

    reconciler.reconcile(false);
    reconciler.reconcile(false);

    assertThat(registry.count(Op.WRITE)).isEqualTo(2);
    assertThat(published().role()).isEqualTo(Role.MASTER);
    assertThat(published().masterHost()).isNull();
    assertThat(published().since()).isEqualTo(T0_SECONDS.plusSeconds(7));
  }

  @Test
  void aChangeThatKeepsTheRoleKeepsSince() {
    reconciler.reconcile(false);
    clock.advance(Duration.ofSeconds(10));
    source.answers(replicaOf(MASTER), sentinels(MASTER, MASTER, null));

    reconciler.reconcile(false);

    assertThat(registry.count(Op.WRITE)).as("the Sentinel summary changed").isEqualTo(2);
    assertThat(published().sentinel().reachable()).isEqualTo(2);
    assertThat(published().since()).isEqualTo(T0_SECONDS);
  }

  // --- changes from outside

  @Test
  void anExternalDeleteIsRestoredOnAFullResyncOnly() {
    reconciler.reconcile(false);
    registry.deleteFromOutside(ID);

    reconciler.reconcile(false);
    assertThat(registry.recordOf(ID)).isEmpty();

    Outcome o = reconciler.reconcile(true);
    assertThat(o.published()).isTrue();
    assertThat(published()).isEqualTo(reconciler.desired());
    assertThat(registry.leaseOf(ID)).isEqualTo(registry.currentLease());
    assertThat(registry.count(Op.WRITE)).isEqualTo(2);
  }

  @ParameterizedTest(name = "written under {0} lease")
  @ValueSource(strings = {"our", "another"})
  void anExternalChangeIsRestoredOnAFullResync(String whose) {
    reconciler.reconcile(false);
    long lease = whose.equals("our") ? registry.currentLease() : registry.grant();
    registry.putFromOutside(tampered(published()), lease);

    reconciler.reconcile(false);
    assertThat(published().role()).isEqualTo(Role.STALE);

    reconciler.reconcile(true);
    assertThat(published()).isEqualTo(reconciler.desired());
    assertThat(registry.leaseOf(ID)).isEqualTo(registry.currentLease());
  }

  @Test
  void aValueThatIsNotARecordIsReplaced() {
    registry.putRawFromOutside(ID, "{\"id\":", registry.grant());

    reconciler.reconcile(false);

    assertThat(published()).isEqualTo(reconciler.desired());
    assertThat(registry.leaseOf(ID)).isEqualTo(registry.currentLease());
  }

  @Test
  void aLostLeaseIsReGrantedAndTheRecordRewritten() {
    reconciler.reconcile(false);
    long first = registry.currentLease();
    registry.loseLease();
    assertThat(registry.recordOf(ID)).as("the lease took the key with it").isEmpty();

    Outcome o = reconciler.reconcile(false);

    assertThat(o.published()).isTrue();
    assertThat(registry.grants()).isEqualTo(2);
    assertThat(registry.leaseOf(ID)).isEqualTo(registry.currentLease()).isNotEqualTo(first);
    assertThat(published().since()).as("the role did not change").isEqualTo(T0_SECONDS);
  }

  // --- since across restarts

  @Test
  void sinceIsAdoptedFromAPublishedRecordWithTheSameRole() {
    Instant earlier = T0_SECONDS.minus(Duration.ofHours(1));
    registry.putFromOutside(expected(Role.REPLICA).withSince(earlier), registry.grant());

    reconciler.reconcile(false);

    assertThat(published().since()).isEqualTo(earlier);
    assertThat(registry.leaseOf(ID)).isEqualTo(registry.currentLease());
    clock.advance(Duration.ofSeconds(5));
    reconciler.reconcile(true);
    assertThat(registry.count(Op.WRITE)).as("nothing changed since").isEqualTo(1);
  }

  @Test
  void sinceIsNotAdoptedFromARecordWithAnotherRole() {
    registry.putFromOutside(
        expected(Role.SYNCING).withSince(T0_SECONDS.minus(Duration.ofHours(1))), registry.grant());

    reconciler.reconcile(false);

    assertThat(published().since()).isEqualTo(T0_SECONDS);
  }

  // --- failures

  @ParameterizedTest(name = "{0} fails")
  @EnumSource(
      value = Op.class,
      names = {"LEASE", "READ", "WRITE"})
  void aRegistryFailureIsReportedNotThrown(Op op) {
    String problem = "etcd at http://127.0.0.1:2379: " + op + " failed: connection refused";
    registry.fail(problem, op);

    Outcome o = reconciler.reconcile(false);

    assertThat(o.registryError()).isEqualTo(problem);
    assertThat(o.published()).isFalse();
    assertThat(o.healthy()).isFalse();
    assertThat(o.verdict().role())
        .as("the verdict does not depend on etcd")
        .isEqualTo(Role.REPLICA);
    assertThat(reconciler.isPublished()).isFalse();
    assertThat(registry.recordOf(ID)).isEmpty();

    registry.heal();
    assertThat(reconciler.reconcile(false)).isEqualTo(new Outcome(o.verdict(), true, null, null));
    assertThat(published()).isEqualTo(reconciler.desired());
  }

  @Test
  void aFailedWriteIsRetriedOnTheNextCycle() {
    reconciler.reconcile(false);
    source.answers(master(), sentinels(SELF, SELF, SELF));
    registry.fail("etcd at http://127.0.0.1:2379: write timed out after 2000 ms", Op.WRITE);
    reconciler.reconcile(false);
    registry.heal();

    reconciler.reconcile(false);

    assertThat(published().role()).isEqualTo(Role.MASTER);
    assertThat(reconciler.isPublished()).isTrue();
  }

  @Test
  void anUnexpectedRegistryExceptionIsReportedNotThrown() {
    registry.failUnexpectedly(new IllegalStateException("client closed"));

    Outcome o = reconciler.reconcile(false);

    assertThat(o.published()).isFalse();
    assertThat(o.registryError()).startsWith("unexpected").contains("client closed");
  }

  @Test
  void aSourceThatThrowsIsTreatedAsRedisUnreachable() {
    source.throwOnObserve(new IllegalStateException("pool shut down"));

    Outcome o = reconciler.reconcile(false);

    assertThat(o.verdict()).isNull();
    assertThat(o.redisError()).contains("pool shut down");
    assertThat(o.healthy()).isFalse();
    assertThat(registry.recordOf(ID)).isEmpty();
  }

  // --- Redis unreachable

  @Test
  void anUnreachableRedisKeepsItsRecordUntilDownAfterThenLosesIt() {
    reconciler.reconcile(false);
    clock.advance(Duration.ofSeconds(1));
    source.redisDown(REDIS_DOWN);

    Outcome first = reconciler.reconcile(false);
    assertThat(first.verdict()).isNull();
    assertThat(first.redisError()).isEqualTo(REDIS_DOWN);
    assertThat(first.healthy()).isFalse();

    clock.advance(DOWN_AFTER.minusMillis(1));
    reconciler.reconcile(false);
    assertThat(registry.recordOf(ID)).as("down for less than downAfter").isPresent();

    clock.advance(Duration.ofMillis(1));
    Outcome gone = reconciler.reconcile(false);
    assertThat(registry.recordOf(ID)).as("down for downAfter").isEmpty();
    assertThat(reconciler.desired()).isNull();
    assertThat(gone.published()).as("etcd rightly holds nothing").isTrue();
    assertThat(registry.isAlive(registry.currentLease())).as("the lease is kept").isTrue();
  }

  @Test
  void aReturningRedisIsPublishedAgainWithANewSince() {
    reconciler.reconcile(false);
    source.redisDown(REDIS_DOWN);
    reconciler.reconcile(false);
    clock.advance(DOWN_AFTER);
    reconciler.reconcile(false);
    assertThat(registry.recordOf(ID)).isEmpty();
    clock.advance(Duration.ofSeconds(2));
    source.answers(replicaOf(MASTER), sentinels(MASTER, MASTER, MASTER));

    reconciler.reconcile(false);

    assertThat(published()).isEqualTo(reconciler.desired());
    assertThat(published().since()).isEqualTo(T0_SECONDS.plusSeconds(5));
    assertThat(registry.grants()).isEqualTo(1);
  }

  @Test
  void shortOutagesDoNotAddUp() {
    reconciler.reconcile(false);
    source.redisDown(REDIS_DOWN);
    reconciler.reconcile(false);
    clock.advance(Duration.ofSeconds(2));
    source.answers(replicaOf(MASTER), sentinels(MASTER, MASTER, MASTER));
    reconciler.reconcile(false);
    source.redisDown(REDIS_DOWN);
    reconciler.reconcile(false);

    clock.advance(Duration.ofSeconds(2));
    reconciler.reconcile(false);

    assertThat(registry.recordOf(ID)).as("4 s of outage, but never 3 s in a row").isPresent();
    assertThat(published().since()).isEqualTo(T0_SECONDS);
  }

  @Test
  void nothingIsPublishedBeforeRedisFirstAnswers() {
    source.redisDown(REDIS_DOWN);

    Outcome o = reconciler.reconcile(true);

    assertThat(o.verdict()).isNull();
    assertThat(registry.grants()).isZero();
    assertThat(registry.recordOf(ID)).isEmpty();
  }

  // --- deregistration

  @Test
  void deregisterDeletesTheRecordAndRevokesTheLease() throws RegistryException {
    reconciler.reconcile(false);
    long lease = registry.currentLease();

    reconciler.deregister();

    assertThat(registry.recordOf(ID)).isEmpty();
    assertThat(registry.count(Op.DELETE)).isEqualTo(1);
    assertThat(registry.count(Op.REVOKE)).isEqualTo(1);
    assertThat(registry.isAlive(lease)).isFalse();
    assertThat(reconciler.isPublished()).isFalse();
  }

  @Test
  void deregisterNeverDeletesARecordTakenOverByAnotherLease() throws RegistryException {
    reconciler.reconcile(false);
    long ours = registry.currentLease();
    long theirs = registry.grant();
    InstanceRecord taken = tampered(published());
    registry.putFromOutside(taken, theirs);

    reconciler.deregister();

    assertThat(registry.recordOf(ID)).contains(taken);
    assertThat(registry.leaseOf(ID)).isEqualTo(theirs);
    assertThat(registry.isAlive(ours)).isFalse();
    assertThat(registry.isAlive(theirs)).isTrue();
  }

  @Test
  void deregisterBeforeRegisteringAndTwiceDoesNothing() throws RegistryException {
    reconciler.deregister();
    assertThat(registry.count(Op.REVOKE)).isZero();

    reconciler.reconcile(false);
    reconciler.deregister();
    reconciler.deregister();
    assertThat(registry.count(Op.REVOKE)).isEqualTo(1);
  }

  @Test
  void aFailedDeleteStillRevokesTheLease() {
    reconciler.reconcile(false);
    long lease = registry.currentLease();
    registry.fail("etcd at http://127.0.0.1:2379: delete timed out after 2000 ms", Op.DELETE);

    assertThatThrownBy(reconciler::deregister).isInstanceOf(RegistryException.class);

    assertThat(registry.isAlive(lease)).as("revoke attempted despite the failed delete").isFalse();
    assertThat(registry.recordOf(ID)).isEmpty();
  }

  // --- one id, one agent

  @Test
  void aRecordOfAnotherAddressUnderAnotherLiveLeaseIsNeverOverwritten() {
    InstanceRecord theirs = expected(Role.REPLICA);
    theirs =
        new InstanceRecord(
            theirs.id(),
            theirs.masterName(),
            theirs.dc(),
            OTHER.host(),
            OTHER.port(),
            theirs.role(),
            theirs.masterHost(),
            theirs.masterPort(),
            theirs.link(),
            theirs.sentinel(),
            "another agent",
            theirs.since());
    long lease = registry.grant();
    registry.putFromOutside(theirs, lease);

    Outcome first = reconciler.reconcile(false);
    Outcome again = reconciler.reconcile(true);

    assertThat(registry.recordOf(ID)).contains(theirs);
    assertThat(registry.leaseOf(ID)).isEqualTo(lease);
    assertThat(registry.count(Op.WRITE)).isZero();
    assertThat(reconciler.isPublished()).isFalse();
    assertThat(first.published()).as("deliberately not published").isFalse();
    assertThat(again.published()).isFalse();
    assertThat(again.registryError()).isNull();
  }

  @Test
  void aRecordOfOurAddressIsTakenOverAtOnceButNotTwiceInARow() {
    registry.putFromOutside(expected(Role.REPLICA), registry.grant());

    reconciler.reconcile(false);
    assertThat(registry.leaseOf(ID)).as("taken over at once").isEqualTo(registry.currentLease());

    long second = registry.grant();
    registry.putFromOutside(expected(Role.REPLICA), second);
    clock.advance(Duration.ofSeconds(1));
    reconciler.reconcile(true);
    assertThat(registry.leaseOf(ID)).as("no flapping with a live twin").isEqualTo(second);

    clock.advance(Reconciler.TAKEOVER_QUIET);
    reconciler.reconcile(true);
    assertThat(registry.leaseOf(ID)).isEqualTo(registry.currentLease());
  }

  // --- the master

  @Test
  void theConfirmedMasterClaimsTheMasterKeyAndReleasesItWhenDemoted() {
    source.answers(master(), sentinels(SELF, SELF, SELF));
    reconciler.reconcile(false);

    assertThat(published().role()).isEqualTo(Role.MASTER);
    assertThat(registry.master()).isNotNull();
    assertThat(registry.master().id()).isEqualTo(ID);

    source.answers(master(), sentinels(MASTER, MASTER, MASTER));
    reconciler.reconcile(false);

    assertThat(published().role()).isEqualTo(Role.STALE);
    assertThat(registry.master()).isNull();
  }

  @Test
  void aMasterWhoseLeaseWasLostClaimsTheMasterKeyAgainOnTheNextCycle() {
    source.answers(master(), sentinels(SELF, SELF, SELF));
    reconciler.reconcile(false);
    registry.loseLease(); // the key goes with the lease

    assertThat(registry.master()).isNull();
    reconciler.reconcile(false);

    assertThat(registry.grants()).isEqualTo(2);
    assertThat(published().role()).isEqualTo(Role.MASTER);
    assertThat(registry.master()).as("claimed again at once, not at the next resync").isNotNull();
    assertThat(registry.master().id()).isEqualTo(ID);
  }

  @Test
  void aDemotionTouchesTheRegistryOnceAndReadsNothing() {
    source.answers(master(), sentinels(SELF, SELF, SELF));
    reconciler.reconcile(false);
    int reads = registry.count(Op.READ);
    int writes = registry.count(Op.WRITE);

    source.answers(master(), sentinels(MASTER, MASTER, MASTER));
    reconciler.reconcile(false);

    assertThat(registry.count(Op.WRITE)).isEqualTo(writes + 1);
    assertThat(registry.count(Op.READ)).isEqualTo(reads);
    assertThat(registry.master()).isNull();
  }

  @Test
  void masterIsPublishedOnlyOnceNoOtherRecordClaimsIt() {
    InstanceRecord old = otherMaster("dc2-old");
    long theirs = registry.grant();
    registry.putFromOutside(old, theirs);
    source.answers(master(), sentinels(SELF, SELF, SELF));

    reconciler.reconcile(false);
    assertThat(registry.recordOf(ID)).as("waits for the old master's record").isEmpty();
    assertThat(registry.master()).isNull();

    registry.deleteFromOutside("dc2-old");
    reconciler.reconcile(true);
    assertThat(published().role()).isEqualTo(Role.MASTER);
    assertThat(registry.master().id()).isEqualTo(ID);
  }

  @Test
  void theWaitForAnotherMasterIsBoundedByDownAfter() {
    registry.putFromOutside(otherMaster("dc2-gone"), registry.grant());
    source.answers(master(), sentinels(SELF, SELF, SELF));

    reconciler.reconcile(false);
    assertThat(registry.recordOf(ID)).isEmpty();

    clock.advance(DOWN_AFTER);
    reconciler.reconcile(false);
    assertThat(published().role()).isEqualTo(Role.MASTER);
  }

  @Test
  void aDeadMasterReplacedByTheSentinelsIsWithdrawnAtOnce() {
    source.answers(master(), sentinels(SELF, SELF, SELF));
    reconciler.reconcile(false);
    assertThat(published().role()).isEqualTo(Role.MASTER);

    source.redisDown(REDIS_DOWN, sentinels(MASTER, MASTER, MASTER));
    clock.advance(Duration.ofMillis(100));
    reconciler.reconcile(false);

    assertThat(registry.recordOf(ID)).isEmpty();
    assertThat(registry.master()).isNull();
  }

  private InstanceRecord published() {
    return registry.recordOf(ID).orElseThrow(() -> new AssertionError("no record for " + ID));
  }

  /** The replica record of the healthy observation, with {@code role}, at T0. */
  private static InstanceRecord expected(Role role) {
    return new InstanceRecord(
        ID,
        "proposalsapp-redis",
        "dc1",
        SELF.host(),
        SELF.port(),
        role,
        MASTER.host(),
        MASTER.port(),
        "up",
        new SentinelSummary(true, MASTER.toString(), 3, 3, 0),
        AGENT,
        T0_SECONDS);
  }

  /** The master record another agent published for {@link Fixtures#MASTER} under {@code id}. */
  private static InstanceRecord otherMaster(String id) {
    InstanceRecord r = expected(Role.MASTER);
    return new InstanceRecord(
        id,
        r.masterName(),
        "dc2",
        MASTER.host(),
        MASTER.port(),
        Role.MASTER,
        null,
        null,
        null,
        r.sentinel(),
        "another agent",
        r.since());
  }

  /** {@code r} as someone else might have rewritten it. */
  private static InstanceRecord tampered(InstanceRecord r) {
    return new InstanceRecord(
        r.id(),
        r.masterName(),
        r.dc(),
        r.host(),
        r.port(),
        Role.STALE,
        null,
        null,
        null,
        r.sentinel(),
        "etcdctl",
        r.since());
  }
}
