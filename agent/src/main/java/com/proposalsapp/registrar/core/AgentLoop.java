package com.proposalsapp.registrar.core;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns timing: runs a reconcile cycle every poll interval (backing off while a server is down), a
 * full resync every resync interval or on request, and stops on request.
 */
public final class AgentLoop {

  private static final Logger log = LoggerFactory.getLogger(AgentLoop.class);

  /**
   * The loop's timing as plain values.
   *
   * @param poll the pause between cycles while all is well
   * @param resync how often etcd is read back and compared
   * @param retry the backoff while Redis or etcd is unreachable
   */
  public record Timing(Duration poll, Duration resync, Backoff retry) {}

  private final Reconciler reconciler;
  private final Timing timing;
  private final Clock clock;
  private final StatusBoard board;
  private final Instant startedAt;
  private final Semaphore wakeups = new Semaphore(0);
  private final AtomicBoolean resyncRequested = new AtomicBoolean();
  private final AtomicBoolean stopping = new AtomicBoolean();
  private volatile boolean ready;

  private String redisProblem;
  private String registryProblem;

  public AgentLoop(Reconciler reconciler, Timing timing, Clock clock) {
    this(reconciler, timing, clock, new StatusBoard(clock.instant()));
  }

  /** A loop that publishes its status on {@code board} after every cycle. */
  public AgentLoop(Reconciler reconciler, Timing timing, Clock clock, StatusBoard board) {
    this.reconciler = reconciler;
    this.timing = timing;
    this.clock = clock;
    this.board = board;
    this.startedAt = board.current().startedAt();
  }

  /** Runs cycles until {@link #stop} is called; returns after the cycle in progress. */
  public void run() {
    Instant nextResync = clock.instant().plus(timing.resync());
    int failures = 0;
    while (!stopping.get()) {
      boolean full = resyncRequested.getAndSet(false) || !clock.instant().isBefore(nextResync);
      if (full) {
        nextResync = clock.instant().plus(timing.resync());
      }
      Instant start = clock.instant();
      Outcome outcome = reconciler.reconcile(full);
      board.publish(reconciler.status(outcome, startedAt, start, clock.instant()));
      report(outcome);
      ready = outcome.published() && reconciler.isPublished();
      failures = outcome.healthy() ? 0 : failures + 1;
      waitFor(outcome.healthy() ? timing.poll() : timing.retry().delay(failures - 1));
    }
  }

  /** Runs the next cycle now, without waiting for the poll interval. */
  public void wake() {
    wakeups.release();
  }

  /** Runs the next cycle now, reading etcd back in full (SIGHUP). */
  public void resyncNow() {
    resyncRequested.set(true);
    wake();
  }

  /** Asks the loop to return after the cycle in progress; safe to call more than once. */
  public void stop() {
    stopping.set(true);
    wake();
  }

  /** The board the loop publishes its status on. */
  public StatusBoard board() {
    return board;
  }

  /** Whether the last cycle left the desired record published. */
  public boolean isReady() {
    return ready;
  }

  private void waitFor(Duration pause) {
    try {
      if (wakeups.tryAcquire(pause.toNanos(), TimeUnit.NANOSECONDS)) {
        wakeups.drainPermits();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopping.set(true);
    }
  }

  /** Logs each change of health once, not once per attempt. */
  private void report(Outcome o) {
    if (!Objects.equals(category(o.redisError()), category(redisProblem))) {
      if (o.redisError() != null) {
        log.warn("Redis unreachable: {} (retrying with backoff)", o.redisError());
      } else {
        log.info("Redis reachable again");
      }
    }
    redisProblem = o.redisError();
    if (!Objects.equals(category(o.registryError()), category(registryProblem))) {
      if (o.registryError() != null) {
        log.warn("etcd unavailable: {} (retrying with backoff)", o.registryError());
      } else {
        log.info("etcd reachable again");
      }
    }
    registryProblem = o.registryError();
  }

  /** Problems of one kind compare equal, so a changing detail does not log again. */
  private static String category(String problem) {
    if (problem == null) {
      return null;
    }
    int colon = problem.indexOf(':');
    return colon < 0 ? problem : problem.substring(0, colon);
  }
}
