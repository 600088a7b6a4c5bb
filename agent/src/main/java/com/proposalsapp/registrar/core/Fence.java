package com.proposalsapp.registrar.core;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds writes on this instance while a Sentinel failover away from it is under way, so that they
 * wait instead of being acknowledged by a master that is about to be demoted (and lost when it
 * resyncs from the new one).
 *
 * <p>Raised by the first failover-progress event naming this instance as the master, from the
 * choice of a replica on ({@code +selected-slave} and {@code +failover-state-send-slaveof-noone}
 * come one Sentinel timer tick before {@code REPLICAOF NO ONE} is sent). Lifted: when the master
 * key names another instance (the normal clients are disconnected first, so that they reconnect
 * through the routing tier to the new master, and once more after {@code settle}, while writes are
 * still held, for any that reconnected before the router moved); at once on {@code
 * -failover-abort-*}; when every Sentinel that answers names this instance again and none runs a
 * failover (twice in a row); and at {@code timeout} at the latest, which Redis enforces on its own
 * too ({@code CLIENT PAUSE} is given the same bound). Never throws to its callers: a failed command
 * is counted and logged, and the pause then ends at its bound.
 *
 * <p>Thread-safe: events arrive on the Sentinel subscribers' threads, {@link #run} checks on its
 * own.
 */
public final class Fence implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Fence.class);

  /**
   * What the fence may do.
   *
   * @param enabled hold writes at all ({@code --fence})
   * @param timeout the longest writes are held ({@code --fence-timeout})
   * @param settle how long writes stay held after the master key moved, for routers to follow
   * @param check how often a held fence looks at the master key and the Sentinels
   */
  public record Policy(boolean enabled, Duration timeout, Duration settle, Duration check) {

    /** The settle and check intervals the agent uses. */
    public static Policy of(boolean enabled, Duration timeout) {
      return new Policy(enabled, timeout, Duration.ofMillis(100), Duration.ofMillis(50));
    }
  }

  /** Reads the master key: the address it names, or null when it is absent. */
  @FunctionalInterface
  public interface MasterKey {
    HostPort read() throws RegistryException;
  }

  private enum State {
    IDLE,
    HELD,
    MOVED
  }

  private final Identity self;
  private final Policy policy;
  private final WriteHold hold;
  private final MasterKey masterKey;
  private final FailoverProbe probe;
  private final Clock clock;
  private final Semaphore wakeups = new Semaphore(0);
  private volatile boolean stopped;

  private State state = State.IDLE;
  private Instant since;
  private Instant deadline;
  private Instant movedAt;
  private HostPort movedTo;
  private String raisedBy;
  private Instant quietUntil = Instant.MIN; // progress events of a failover already fenced
  private int sentinelsAgree; // consecutive readings in which the Sentinels keep naming us
  private long fences;
  private final Map<String, Long> lifts = new HashMap<>();
  private long disconnected;
  private long errors;
  private Duration lastHeld;
  private Duration longestHeld;
  private String lastLift;
  private volatile FenceStatus status;

  public Fence(
      Identity self,
      Policy policy,
      WriteHold hold,
      MasterKey masterKey,
      FailoverProbe probe,
      Clock clock) {
    this.self = self;
    this.policy = policy;
    this.hold = hold;
    this.masterKey = masterKey;
    this.probe = probe;
    this.clock = clock;
    this.status = FenceStatus.idle(policy.enabled());
  }

  /** The fence's state now; never blocks. */
  public FenceStatus status() {
    return status;
  }

  /** Acts on a Sentinel event (any thread); events about other masters are ignored. */
  public void onEvent(FailoverEvent e) {
    if (!policy.enabled()
        || stopped
        || !e.masterName().equals(self.masterName())
        || !self.is(e.master())) {
      return;
    }
    synchronized (this) {
      switch (e.kind()) {
        case PROGRESS -> {
          if (state == State.IDLE && !clock.instant().isBefore(quietUntil)) {
            raise(e.channel());
          }
        }
        case ABORT -> {
          quietUntil = Instant.MIN; // a later retry of the failover is fenced again
          if (state != State.IDLE) {
            lift("aborted", "the failover was aborted (" + e.channel() + ")");
          }
        }
        case STARTED -> {
          // no replica chosen yet: holding now would only lengthen the pause (by a Sentinel tick)
        }
        case END -> {
          // the master key decides when clients may go: nothing to do on the event itself
        }
      }
    }
    wake();
  }

  /** Looks at the master key and the Sentinels now (an etcd change, for instance). */
  public void wake() {
    wakeups.release();
  }

  /** Checks a held fence every {@code check} until {@link #close}; for the fence's own thread. */
  public void run() {
    while (!stopped) {
      Duration pause;
      synchronized (this) {
        check();
        pause = state == State.IDLE ? Duration.ofSeconds(1) : policy.check();
      }
      try {
        if (wakeups.tryAcquire(pause.toNanos(), TimeUnit.NANOSECONDS)) {
          wakeups.drainPermits();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** One look at a held fence: lifts it if it is time. Package-private for tests. */
  synchronized void check() {
    if (state == State.IDLE) {
      return;
    }
    Instant now = clock.instant();
    if (!now.isBefore(deadline)) {
      lift("timeout", "--fence-timeout " + policy.timeout().toMillis() + " ms reached");
      return;
    }
    if (state == State.MOVED) {
      if (!now.isBefore(movedAt.plus(policy.settle()))) {
        disconnect();
        lift("master_moved", "the master key names " + movedTo);
      }
      return;
    }
    HostPort named;
    try {
      named = masterKey.read();
    } catch (RegistryException | RuntimeException e) {
      named = null; // etcd away: the Sentinels and the timeout still bound the fence
    }
    if (named != null && !self.is(named)) {
      movedTo = named;
      movedAt = now;
      state = State.MOVED;
      disconnect();
      if (policy.settle().isZero()) {
        lift("master_moved", "the master key names " + movedTo);
      }
      return;
    }
    FailoverProbe.Reading r;
    try {
      r = probe.read();
    } catch (RuntimeException e) {
      r = null;
    }
    sentinelsAgree = r != null && r.keepsNaming(self) ? sentinelsAgree + 1 : 0;
    if (sentinelsAgree >= 2) {
      lift("sentinels", "every Sentinel names this instance and none runs a failover");
    }
  }

  private void raise(String channel) {
    Instant now = clock.instant();
    try {
      hold.pause(policy.timeout());
    } catch (FenceException | RuntimeException e) {
      errors++;
      log.warn(
          "could not hold writes on {} for the failover ({}): {}",
          self.announce(),
          channel,
          e.getMessage());
      publish();
      return;
    }
    state = State.HELD;
    since = now;
    deadline = now.plus(policy.timeout());
    raisedBy = channel;
    sentinelsAgree = 0;
    fences++;
    log.info(
        "fenced id={} address={}: writes held, a failover away from this instance is under way"
            + " ({}); lifted when the master key names another instance, on abort, or within {}"
            + " ms",
        self.id(),
        self.announce(),
        channel,
        policy.timeout().toMillis());
    publish();
  }

  private void disconnect() {
    try {
      disconnected += hold.disconnectClients();
    } catch (FenceException | RuntimeException e) {
      errors++;
      log.warn("could not disconnect the clients of {}: {}", self.announce(), e.getMessage());
    }
  }

  private void lift(String kind, String why) {
    Instant now = clock.instant();
    try {
      hold.unpause();
    } catch (FenceException | RuntimeException e) {
      errors++;
      log.warn(
          "could not release the writes on {} ({}); Redis releases them by {}",
          self.announce(),
          e.getMessage(),
          deadline);
    }
    Duration held = Duration.between(since, now);
    lastHeld = held;
    longestHeld = longestHeld == null || held.compareTo(longestHeld) > 0 ? held : longestHeld;
    lastLift = kind;
    lifts.merge(kind, 1L, Long::sum);
    // The rest of a failover fenced to its end (or past its bound) must not hold writes again.
    quietUntil = kind.equals("aborted") ? Instant.MIN : now.plus(policy.timeout());
    state = State.IDLE;
    log.info(
        "fence lifted id={} address={} after {} ms: {} ({} clients disconnected so far)",
        self.id(),
        self.announce(),
        held.toMillis(),
        why,
        disconnected);
    since = null;
    deadline = null;
    raisedBy = null;
    movedAt = null;
    publish();
  }

  private void publish() {
    status =
        new FenceStatus(
            policy.enabled(),
            state != State.IDLE,
            since,
            raisedBy,
            deadline,
            fences,
            lifts,
            disconnected,
            errors,
            lastHeld,
            longestHeld,
            lastLift);
  }

  /** Lifts a held fence and stops {@link #run}; safe to call more than once. */
  @Override
  public void close() {
    stopped = true;
    synchronized (this) {
      if (state != State.IDLE) {
        lift("stopping", "the agent is stopping");
      }
      hold.close();
    }
    wake();
  }
}
