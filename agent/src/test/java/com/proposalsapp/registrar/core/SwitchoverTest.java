package com.proposalsapp.registrar.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SwitchoverTest {

  private static final HostPort OLD = HostPort.parse("10.0.0.1:6379");
  private static final HostPort NEW = HostPort.parse("10.0.0.2:6379");

  private final List<String> calls = new ArrayList<>();
  private long replicaOffset = 100;
  private HostPort key = OLD;
  private boolean triggerFails;

  private final WriteHold hold =
      new WriteHold() {
        @Override
        public void pause(Duration bound) {
          calls.add("pause");
        }

        @Override
        public void unpause() {
          calls.add("unpause");
        }

        @Override
        public int disconnectClients() {
          calls.add("kill");
          return 1;
        }

        @Override
        public Offsets offsets() {
          return new Offsets(100, Map.of(NEW, replicaOffset));
        }

        @Override
        public void close() {}
      };

  private Switchover.Result run() {
    Switchover s =
        new Switchover(
            new Switchover.Policy(
                Duration.ofMillis(50), Duration.ofMillis(200), Duration.ofMillis(5)),
            Clock.systemUTC(),
            line -> {});
    return s.run(
        OLD,
        hold,
        () -> {
          if (triggerFails) {
            throw new FenceException("SENTINEL FAILOVER refused: NOGOODSLAVE", null);
          }
          calls.add("failover");
          key = NEW;
        },
        () -> key,
        () -> new FailoverProbe.Reading(3, List.of(NEW, NEW, OLD), false, null));
  }

  @Test
  void holdsWaitsFailsOverDisconnectsAndReleases() {
    Switchover.Result r = run();
    assertThat(r.ok()).isTrue();
    assertThat(r.newMaster()).isEqualTo(NEW);
    assertThat(calls).containsExactly("pause", "failover", "kill", "unpause");
  }

  @Test
  void replicasThatDoNotCatchUpReleaseTheWritesAndFailover() {
    replicaOffset = 90;
    Switchover.Result r = run();
    assertThat(r.ok()).isFalse();
    assertThat(calls).containsExactly("pause", "unpause");
    assertThat(r.steps()).last().asString().contains("did not reach the master's offset");
  }

  @Test
  void aRefusedFailoverReleasesTheWrites() {
    triggerFails = true;
    Switchover.Result r = run();
    assertThat(r.ok()).isFalse();
    assertThat(calls).containsExactly("pause", "unpause");
    assertThat(r.steps()).last().asString().contains("NOGOODSLAVE");
  }

  @Test
  void aMasterKeyThatNeverMovesFailsWithinTheBoundAndReleases() {
    Switchover s =
        new Switchover(
            new Switchover.Policy(
                Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(5)),
            Clock.systemUTC(),
            line -> {});
    Switchover.Result r =
        s.run(
            OLD,
            hold,
            () -> calls.add("failover"),
            () -> OLD,
            () -> new FailoverProbe.Reading(0, List.of(), false, null));
    assertThat(r.ok()).isFalse();
    assertThat(calls).containsExactly("pause", "failover", "unpause");
  }
}
