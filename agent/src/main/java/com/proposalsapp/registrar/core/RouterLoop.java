package com.proposalsapp.registrar.core;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Owns the router's timing: a cycle every check interval (so that a restarted load balancer is
 * caught within one), the registry read at once when it signals a change and at least every poll
 * interval (backing off while it is away), and a stop on request.
 */
public final class RouterLoop {

  /**
   * The loop's timing as plain values.
   *
   * @param check the pause between comparisons of the load balancer with the routes
   * @param poll the longest pause between registry reads while it answers
   * @param retry the backoff between registry reads while it does not
   */
  public record Timing(Duration check, Duration poll, Backoff retry) {}

  private final Router router;
  private final Timing timing;
  private final Semaphore wakeups = new Semaphore(0);
  private final AtomicBoolean changed = new AtomicBoolean(true);
  private final AtomicBoolean stopping = new AtomicBoolean();

  public RouterLoop(Router router, Timing timing) {
    this.router = router;
    this.timing = timing;
  }

  /** Runs cycles until {@link #stop} is called; returns after the cycle in progress. */
  public void run() {
    long nextRead = System.nanoTime();
    int failures = 0;
    while (!stopping.get()) {
      // While the registry is away its reads follow the backoff, whatever it signals meanwhile.
      boolean read = System.nanoTime() - nextRead >= 0 || (failures == 0 && changed.get());
      if (read) {
        changed.set(false);
      }
      Router.Outcome o = router.reconcile(read);
      if (read) {
        failures = o.registryError() == null ? 0 : failures + 1;
        Duration next = failures == 0 ? timing.poll() : timing.retry().delay(failures - 1);
        nextRead = System.nanoTime() + next.toNanos();
      }
      waitFor(timing.check());
    }
  }

  /** The registry changed: read it and apply now. */
  public void registryChanged() {
    changed.set(true);
    wakeups.release();
  }

  /** Asks the loop to return after the cycle in progress; safe to call more than once. */
  public void stop() {
    stopping.set(true);
    wakeups.release();
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
}
