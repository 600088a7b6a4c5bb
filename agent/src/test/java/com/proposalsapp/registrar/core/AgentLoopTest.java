package com.proposalsapp.registrar.core;

import static com.proposalsapp.registrar.core.Fixtures.AGENT;
import static com.proposalsapp.registrar.core.Fixtures.IDENTITY;
import static com.proposalsapp.registrar.core.Fixtures.MASTER;
import static com.proposalsapp.registrar.core.Fixtures.replicaOf;
import static com.proposalsapp.registrar.core.Fixtures.sentinels;
import static org.assertj.core.api.Assertions.assertThat;

import com.proposalsapp.registrar.core.FakeRegistry.Op;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The loop on its own thread; waits are on observable effects, never on time. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class AgentLoopTest {

  private static final Duration NEVER = Duration.ofHours(1);
  private static final Duration FAST = Duration.ofMillis(5);
  private static final Duration RESYNC = Duration.ofSeconds(30);
  private static final String ID = IDENTITY.id();

  private final FakeClock clock = new FakeClock(Instant.parse("2026-11-25T17:02:11Z"));
  private final FakeTopologySource source = new FakeTopologySource(clock);
  private final FakeRegistry registry = new FakeRegistry();
  private final Reconciler reconciler =
      new Reconciler(
          IDENTITY,
          source,
          registry,
          new Reconciler.Policy(true, Duration.ofSeconds(3), AGENT),
          clock);
  private AgentLoop loop;
  private Thread thread;

  @BeforeEach
  void healthyReplica() {
    source.answers(replicaOf(MASTER), sentinels(MASTER, MASTER, MASTER));
  }

  @AfterEach
  void stopLoop() throws InterruptedException {
    if (loop != null) {
      loop.stop();
      thread.join(TimeUnit.SECONDS.toMillis(5));
    }
  }

  @Test
  void runsEveryPollUntilStopped() {
    start(FAST, NEVER, new Backoff(FAST, FAST));

    eventually().until(() -> source.observations() >= 3);
    assertThat(loop.isReady()).isTrue();

    loop.stop();
    loop.stop();
    eventually().atMost(Duration.ofSeconds(1)).until(() -> !thread.isAlive());
  }

  @Test
  void wakeRunsTheNextCycleWithoutWaitingForThePoll() {
    start(NEVER, NEVER, new Backoff(NEVER, NEVER));
    awaitCycles(1);

    loop.wake();

    awaitCycles(2);
  }

  @Test
  void aNormalCycleDoesNotRestoreAnExternalDeleteButResyncNowDoes() {
    start(NEVER, NEVER, new Backoff(NEVER, NEVER));
    awaitCycles(1);
    eventually().until(() -> registry.recordOf(ID).isPresent());
    registry.deleteFromOutside(ID);

    wakeTwice();
    assertThat(registry.recordOf(ID)).isEmpty();
    assertThat(registry.count(Op.READ)).as("only the first cycle read etcd").isEqualTo(1);

    loop.resyncNow();

    eventually().until(() -> registry.recordOf(ID).isPresent());
    assertThat(registry.count(Op.READ)).isEqualTo(2);
  }

  @Test
  void aFullResyncIsDueEveryResyncInterval() {
    start(NEVER, RESYNC, new Backoff(NEVER, NEVER));
    awaitCycles(1);
    eventually().until(() -> registry.recordOf(ID).isPresent());
    registry.deleteFromOutside(ID);
    clock.advance(RESYNC.minusMillis(1));
    wakeTwice();
    assertThat(registry.recordOf(ID)).as("resync not yet due").isEmpty();

    clock.advance(Duration.ofMillis(1));
    loop.wake();

    eventually().until(() -> registry.recordOf(ID).isPresent());
  }

  @Test
  void backsOffWhileEtcdFailsAndStopCutsTheBackoffShort() {
    registry.fail("etcd at http://127.0.0.1:2379: grant a lease failed: connection refused");
    start(FAST, NEVER, new Backoff(NEVER, NEVER));
    awaitCycles(1);

    eventually()
        .during(Duration.ofMillis(200))
        .atMost(Duration.ofSeconds(1))
        .until(() -> source.observations() == 1);
    assertThat(loop.isReady()).isFalse();

    loop.stop();
    eventually().atMost(Duration.ofSeconds(1)).until(() -> !thread.isAlive());
  }

  @Test
  void becomesReadyOnceEtcdAnswersAgain() {
    registry.fail("etcd at http://127.0.0.1:2379: grant a lease failed: connection refused");
    start(NEVER, NEVER, new Backoff(NEVER, NEVER));
    awaitCycles(1);
    assertThat(loop.isReady()).isFalse();

    registry.heal();
    loop.wake();

    eventually().until(loop::isReady);
    assertThat(registry.recordOf(ID)).isPresent();
  }

  @Test
  void aLostLeaseWakesTheLoopThroughTheRegistry() {
    start(NEVER, NEVER, new Backoff(NEVER, NEVER));
    registry.onLeaseLost(loop::wake);
    awaitCycles(1);
    eventually().until(() -> registry.recordOf(ID).isPresent());

    registry.loseLease();

    eventually().until(() -> registry.recordOf(ID).isPresent());
    assertThat(registry.grants()).isEqualTo(2);
  }

  @Test
  void anInterruptEndsTheLoop() {
    start(NEVER, NEVER, new Backoff(NEVER, NEVER));
    awaitCycles(1);

    thread.interrupt();

    eventually().atMost(Duration.ofSeconds(1)).until(() -> !thread.isAlive());
  }

  @Test
  void stoppedBeforeRunningRunsNoCycle() {
    AgentLoop stopped =
        new AgentLoop(
            reconciler, new AgentLoop.Timing(NEVER, NEVER, new Backoff(NEVER, NEVER)), clock);
    stopped.stop();

    stopped.run();

    assertThat(source.observations()).isZero();
  }

  /**
   * Awaitility polling often: every wait here is for something that happens within milliseconds.
   */
  private static ConditionFactory eventually() {
    return Awaitility.await()
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(2))
        .atMost(Duration.ofSeconds(2));
  }

  private void start(Duration poll, Duration resync, Backoff retry) {
    loop = new AgentLoop(reconciler, new AgentLoop.Timing(poll, resync, retry), clock);
    thread = new Thread(loop::run, "agent-loop-under-test");
    thread.setDaemon(true);
    thread.start();
  }

  private void awaitCycles(int n) {
    eventually().until(() -> source.observations() >= n);
  }

  /** Wakes the loop twice: once the second wake-up has begun, the first cycle has finished. */
  private void wakeTwice() {
    int seen = source.observations();
    loop.wake();
    awaitCycles(seen + 1);
    loop.wake();
    awaitCycles(seen + 2);
  }
}
