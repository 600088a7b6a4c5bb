package com.proposalsapp.registrar.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FenceTest {

  private static final HostPort SELF = HostPort.parse("10.0.0.1:6379");
  private static final HostPort OTHER = HostPort.parse("10.0.0.2:6379");
  private static final Identity ID = new Identity("dc1-a", "m", "dc1", SELF, SELF);

  private final FakeClock clock = new FakeClock(Instant.parse("2026-12-02T10:00:00Z"));
  private final List<String> calls = new ArrayList<>();
  private HostPort masterKey = SELF;
  private FailoverProbe.Reading reading =
      new FailoverProbe.Reading(3, List.of(SELF, SELF, SELF), true, null);
  private boolean failPause;
  private int readings;

  private final WriteHold hold =
      new WriteHold() {
        @Override
        public void pause(Duration bound) throws FenceException {
          if (failPause) {
            throw new FenceException("Redis at 10.0.0.1:6379: ERR unknown subcommand", null);
          }
          calls.add("pause " + bound.toMillis());
        }

        @Override
        public void unpause() {
          calls.add("unpause");
        }

        @Override
        public int disconnectClients() {
          calls.add("kill");
          return 2;
        }

        @Override
        public Offsets offsets() {
          return new Offsets(0, Map.of());
        }

        @Override
        public void close() {}
      };

  private Fence fence(boolean enabled) {
    return new Fence(
        ID,
        new Fence.Policy(
            enabled, Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofMillis(50)),
        hold,
        () -> masterKey,
        () -> {
          readings++;
          return reading;
        },
        clock);
  }

  private static FailoverEvent progress(HostPort master) {
    return new FailoverEvent(
        FailoverEvent.Kind.PROGRESS, "+failover-state-send-slaveof-noone", "m", master);
  }

  @Test
  void holdsWritesAtTheFirstProgressEventAndOnlyOnce() {
    Fence f = fence(true);
    f.onEvent(progress(SELF));
    f.onEvent(progress(SELF)); // the same failover, seen again (another Sentinel, a later state)
    assertThat(calls).containsExactly("pause 5000");
    assertThat(f.status().held()).isTrue();
    assertThat(f.status().raisedBy()).isEqualTo("+failover-state-send-slaveof-noone");
  }

  @Test
  void aFailoverThatHasNotChosenAReplicaYetHoldsNothing() {
    Fence f = fence(true);
    f.onEvent(
        new FailoverEvent(FailoverEvent.Kind.STARTED, "+failover-state-select-slave", "m", SELF));
    assertThat(calls).isEmpty();
    assertThat(f.status().held()).isFalse();
    f.onEvent(new FailoverEvent(FailoverEvent.Kind.PROGRESS, "+selected-slave", "m", SELF));
    assertThat(calls).containsExactly("pause 5000");
  }

  @Test
  void ignoresFailoversOfOtherInstancesOrMastersAndWhenDisabled() {
    Fence f = fence(true);
    f.onEvent(progress(OTHER));
    f.onEvent(new FailoverEvent(FailoverEvent.Kind.PROGRESS, "+selected-slave", "other", SELF));
    Fence off = fence(false);
    off.onEvent(progress(SELF));
    assertThat(calls).isEmpty();
    assertThat(off.status().enabled()).isFalse();
  }

  @Test
  void masterKeyMovedDisconnectsThenLiftsAfterTheSettle() {
    Fence f = fence(true);
    f.onEvent(progress(SELF));
    f.check();
    assertThat(calls).containsExactly("pause 5000");
    masterKey = OTHER;
    clock.advance(Duration.ofMillis(900));
    f.check();
    assertThat(calls).containsExactly("pause 5000", "kill");
    assertThat(f.status().held()).isTrue();
    clock.advance(Duration.ofMillis(100));
    f.check();
    assertThat(calls).containsExactly("pause 5000", "kill", "kill", "unpause");
    FenceStatus s = f.status();
    assertThat(s.held()).isFalse();
    assertThat(s.lastLift()).isEqualTo("master_moved");
    assertThat(s.lastHeld()).isEqualTo(Duration.ofMillis(1000));
    assertThat(s.clientsDisconnected()).isEqualTo(4);
    // later events of the same failover do not hold writes again
    f.onEvent(progress(SELF));
    assertThat(calls).hasSize(4);
  }

  @Test
  void abortLiftsAtOnceWithoutDisconnecting() {
    Fence f = fence(true);
    f.onEvent(progress(SELF));
    f.onEvent(
        new FailoverEvent(FailoverEvent.Kind.ABORT, "-failover-abort-no-good-slave", "m", SELF));
    assertThat(calls).containsExactly("pause 5000", "unpause");
    assertThat(f.status().lifts()).containsEntry("aborted", 1L);
    f.onEvent(progress(SELF)); // a retry of the failover is fenced again
    assertThat(calls).containsExactly("pause 5000", "unpause", "pause 5000");
  }

  @Test
  void timeoutBoundsTheFence() {
    Fence f = fence(true);
    f.onEvent(progress(SELF));
    assertLiftedByTimeoutAfter(f, 5000);
  }

  /** The fence holds until {@code ms} after it was raised and is lifted by its bound then. */
  private void assertLiftedByTimeoutAfter(Fence f, long ms) {
    clock.advance(Duration.ofMillis(ms - 1));
    f.check();
    assertThat(f.status().held()).isTrue();
    clock.advance(Duration.ofMillis(1));
    f.check();
    assertThat(calls).containsExactly("pause " + ms, "unpause");
    assertThat(f.status().lastLift()).isEqualTo("timeout");
    assertThat(f.status().lastHeld()).isEqualTo(Duration.ofMillis(ms));
  }

  @Test
  void sentinelsNamingThisInstanceWithNoFailoverLiftAfterTwoReadings() {
    Fence f = fence(true);
    f.onEvent(progress(SELF));
    reading = new FailoverProbe.Reading(3, List.of(SELF, SELF, SELF), false, null);
    f.check();
    assertThat(f.status().held()).isTrue();
    f.check();
    assertThat(f.status().held()).isFalse();
    assertThat(f.status().lastLift()).isEqualTo("sentinels");
  }

  @Test
  void oneSentinelNamingAnotherMasterKeepsTheFence() {
    Fence f = fence(true);
    f.onEvent(progress(SELF));
    reading = new FailoverProbe.Reading(3, List.of(SELF, OTHER, SELF), false, null);
    f.check();
    f.check();
    f.check();
    assertThat(f.status().held()).isTrue();
  }

  @Test
  void theLimitStaysUnderTheSentinelsDownAfter() {
    Duration five = Duration.ofSeconds(5);
    assertThat(Fence.limit(five, null)).isEqualTo(five);
    assertThat(Fence.limit(five, Duration.ofSeconds(30))).isEqualTo(five);
    assertThat(Fence.limit(five, Duration.ofMillis(5250))).isEqualTo(five);
    assertThat(Fence.limit(five, five)).isEqualTo(Duration.ofMillis(4750));
    assertThat(Fence.limit(five, Duration.ofSeconds(1))).isEqualTo(Duration.ofMillis(750));
    assertThat(Fence.limit(five, Duration.ofMillis(200))).isEqualTo(Fence.SHORTEST);
  }

  @Test
  void anIdleFenceLearnsTheDownAfterAndHoldsWritesNoLongerThanItAllows() {
    Fence f = fence(true);
    assertThat(f.status().limit()).isEqualTo(Duration.ofSeconds(5));
    reading = new FailoverProbe.Reading(3, List.of(SELF, SELF, SELF), true, Duration.ofSeconds(1));
    f.refreshLimit();
    assertThat(f.status().limit()).isEqualTo(Duration.ofMillis(750));
    f.onEvent(progress(SELF));
    assertThat(calls).containsExactly("pause 750");
    assertLiftedByTimeoutAfter(f, 750);
  }

  @Test
  void theSentinelsAreAskedOncePerRefreshAndNotWhileTheFenceIsHeld() {
    Fence f = fence(true);
    f.refreshLimit();
    f.refreshLimit();
    assertThat(readings).isEqualTo(1);
    clock.advance(Fence.REFRESH);
    f.onEvent(progress(SELF));
    f.refreshLimit();
    assertThat(readings).isEqualTo(1);
    Fence off = fence(false);
    off.refreshLimit();
    assertThat(readings).isEqualTo(1);
    assertThat(off.status().limit()).isNull();
  }

  @Test
  void aHeldFenceThatLearnsAShorterLimitLiftsByIt() {
    Fence f = fence(true);
    f.onEvent(progress(SELF));
    clock.advance(Duration.ofMillis(800));
    reading = new FailoverProbe.Reading(3, List.of(SELF, SELF, SELF), true, Duration.ofSeconds(1));
    f.check();
    assertThat(f.status().limit()).isEqualTo(Duration.ofMillis(750));
    assertThat(f.status().deadline()).isEqualTo(f.status().since().plusMillis(750));
    f.check();
    assertThat(calls).containsExactly("pause 5000", "unpause");
    assertThat(f.status().lastLift()).isEqualTo("timeout");
  }

  @Test
  void aFailedPauseIsCountedAndNeverThrown() {
    failPause = true;
    Fence f = fence(true);
    f.onEvent(progress(SELF));
    assertThat(f.status().held()).isFalse();
    assertThat(f.status().errors()).isEqualTo(1);
  }

  @Test
  void closeLiftsAHeldFence() {
    Fence f = fence(true);
    f.onEvent(progress(SELF));
    f.close();
    assertThat(calls).containsExactly("pause 5000", "unpause");
    assertThat(f.status().lastLift()).isEqualTo("stopping");
  }

  @Test
  void offsetsCaughtUpNeedsEveryReplica() {
    assertThat(new WriteHold.Offsets(10, Map.of(OTHER, 10L, SELF, 10L)).caughtUp()).isTrue();
    assertThat(new WriteHold.Offsets(10, Map.of(OTHER, 10L, SELF, 9L)).caughtUp()).isFalse();
    assertThat(new WriteHold.Offsets(10, Map.of()).caughtUp()).isFalse();
  }
}
