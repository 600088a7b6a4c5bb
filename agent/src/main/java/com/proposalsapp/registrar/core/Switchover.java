package com.proposalsapp.registrar.core;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The operator's planned switchover: hold writes on the master, wait (bounded) until every replica
 * has the master's offset, {@code SENTINEL FAILOVER}, wait (bounded) until the master key and the
 * Sentinels name the new master, disconnect the old master's held clients, release the writes. Any
 * failure along the way releases the writes and says what happened. Never throws.
 */
public final class Switchover {

  /**
   * The switchover's bounds.
   *
   * @param catchUp how long the replicas may take to reach the master's offset
   * @param failover how long Sentinel may take until the master key names the new master
   * @param poll how often the offsets, the master key and the Sentinels are looked at
   */
  public record Policy(Duration catchUp, Duration failover, Duration poll) {

    /** The writes are held at most this long: Redis releases them on its own after it. */
    public Duration holdBound() {
      return catchUp.plus(failover).plus(Duration.ofSeconds(1));
    }
  }

  /** Asks a Sentinel to fail the master over now ({@code SENTINEL FAILOVER}). */
  @FunctionalInterface
  public interface Trigger {
    void failover() throws FenceException;
  }

  /**
   * What a switchover did.
   *
   * @param ok whether the master key names a new master and the writes were released
   * @param oldMaster the master when it started
   * @param newMaster the master the master key names at the end; null if none other
   * @param held how long writes were held
   * @param steps one line per step, as printed
   */
  public record Result(
      boolean ok, HostPort oldMaster, HostPort newMaster, Duration held, List<String> steps) {}

  private final Policy policy;
  private final Clock clock;
  private final Consumer<String> say;
  private final List<String> steps = new ArrayList<>();
  private Instant start; // of the running switchover: its steps are timed from it

  /**
   * @param say prints one step as it happens
   */
  public Switchover(Policy policy, Clock clock, Consumer<String> say) {
    this.policy = policy;
    this.clock = clock;
    this.say = say;
  }

  /** The steps a switchover of {@code master} would take, for {@code --dry-run}. */
  public List<String> plan(HostPort master, WriteHold.Offsets offsets) {
    return List.of(
        "master " + master + ", replicas " + offsets.replicas().keySet(),
        "CLIENT PAUSE " + policy.holdBound().toMillis() + " WRITE on " + master,
        "wait up to "
            + policy.catchUp().toMillis()
            + " ms until every replica has the master's offset (now "
            + offsets.master()
            + ", replicas "
            + offsets.replicas().values()
            + ")",
        "SENTINEL FAILOVER",
        "wait up to "
            + policy.failover().toMillis()
            + " ms until the master key and the Sentinels name another instance",
        "CLIENT KILL TYPE normal SKIPME yes on " + master + ", then CLIENT UNPAUSE");
  }

  /** Runs the switchover of {@code master}. */
  public Result run(
      HostPort master,
      WriteHold hold,
      Trigger trigger,
      Fence.MasterKey masterKey,
      FailoverProbe sentinels) {
    try {
      hold.offsets(); // opens the connections the catch-up polls, before writes are held
    } catch (FenceException e) {
      // the catch-up asks again, with the writes held, and says what fails
    }
    start = clock.instant();
    try {
      hold.pause(policy.holdBound());
    } catch (FenceException e) {
      step("could not hold writes on " + master + ": " + e.getMessage());
      return new Result(false, master, null, Duration.ZERO, List.copyOf(steps));
    }
    step("writes held on " + master);
    HostPort moved = null;
    String failure = null;
    try {
      WriteHold.Offsets o = waitCaughtUp(hold);
      if (o == null) {
        failure = "the replicas did not reach the master's offset within " + ms(policy.catchUp());
      } else {
        step("replicas caught up at offset " + o.master() + " " + o.replicas());
        trigger.failover();
        step("SENTINEL FAILOVER sent");
        moved = waitMoved(master, masterKey, sentinels);
        if (moved == null) {
          failure = "the master key did not name a new master within " + ms(policy.failover());
        } else {
          step("the master key and the Sentinels name " + moved);
          try {
            step("disconnected " + hold.disconnectClients() + " clients of " + master);
          } catch (FenceException e) {
            // The master has moved: its agent's fence (or Sentinel) may have cut this connection
            // while disconnecting the clients itself; that is not a failure of the switchover.
            step("could not disconnect the clients of " + master + ": " + e.getMessage());
          }
        }
      }
    } catch (FenceException | RuntimeException e) {
      failure = e.getMessage();
    } finally {
      try {
        hold.unpause();
        step("writes released on " + master);
      } catch (FenceException | RuntimeException e) {
        step(
            "could not release the writes on "
                + master
                + " ("
                + e.getMessage()
                + "); Redis releases them within "
                + ms(policy.holdBound()));
      }
    }
    Duration held = Duration.between(start, clock.instant());
    if (failure != null) {
      step("switchover failed: " + failure);
      return new Result(false, master, moved, held, List.copyOf(steps));
    }
    step(
        "switchover done: " + master + " -> " + moved + ", writes held " + held.toMillis() + " ms");
    return new Result(true, master, moved, held, List.copyOf(steps));
  }

  private WriteHold.Offsets waitCaughtUp(WriteHold hold) throws FenceException {
    Instant until = clock.instant().plus(policy.catchUp());
    while (true) {
      WriteHold.Offsets o = hold.offsets();
      if (o.caughtUp()) {
        return o;
      }
      if (!clock.instant().isBefore(until)) {
        return null;
      }
      pause();
    }
  }

  private HostPort waitMoved(HostPort master, Fence.MasterKey masterKey, FailoverProbe sentinels) {
    Instant until = clock.instant().plus(policy.failover());
    while (clock.instant().isBefore(until)) {
      try {
        HostPort named = masterKey.read();
        if (named != null && !named.equals(master)) {
          FailoverProbe.Reading r = sentinels.read();
          long agreeing = r.masters().stream().filter(named::equals).count();
          if (agreeing >= SentinelView.majorityOf(Math.max(r.reachable(), 1))) {
            return named;
          }
        }
      } catch (RegistryException | RuntimeException e) {
        // etcd away for a moment: look again until the bound
      }
      pause();
    }
    return null;
  }

  private void pause() {
    try {
      Thread.sleep(policy.poll().toMillis()); // the polling interval of a bounded wait
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted");
    }
  }

  /** One step, timed from the switchover's start ("[ 123 ms] ..."): where the pause goes. */
  private void step(String what) {
    String line =
        String.format(
            java.util.Locale.ROOT,
            "[%5d ms] %s",
            Duration.between(start, clock.instant()).toMillis(),
            what);
    steps.add(line);
    say.accept(line);
  }

  private static String ms(Duration d) {
    return d.toMillis() + " ms";
  }
}
