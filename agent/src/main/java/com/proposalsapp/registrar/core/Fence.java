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
 * failover (twice in a row); and at its limit at the latest, which Redis enforces on its own too
 * ({@code CLIENT PAUSE} is given the same bound). Never throws to its callers: a failed command is
 * counted and logged, and the pause then ends at its bound.
 *
 * <p>The limit is {@code timeout}, or {@link #SDOWN_MARGIN} under the smallest {@code
 * down-after-milliseconds} of the Sentinels if that is less: {@code CLIENT PAUSE WRITE} holds
 * Sentinel's hello {@code PUBLISH} too, and the {@code PING}s behind it on the same connection, so
 * a master held that long is judged down by every Sentinel and failed over for real, even when the
 * failover that raised the fence is given up. An idle fence asks the Sentinels every {@link
 * #REFRESH}.
 *
 * <p>Thread-safe: events arrive on the Sentinel subscribers' threads, {@link #run} checks on its
 * own.
 */
public final class Fence implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Fence.class);

  /**
   * How long before the Sentinels' {@code down-after-milliseconds} the fence lifts at the latest:
   * Redis ends a pause that runs out on its own at its next timer tick (100 ms), the fence looks
   * every {@code check}, and a Sentinel's {@code PING} may be on its way when the pause begins.
   */
  static final Duration SDOWN_MARGIN = Duration.ofMillis(250);

  /** The shortest limit, as {@code --fence-timeout}'s own lower bound. */
  static final Duration SHORTEST = Duration.ofMillis(100);

  /** How often an idle fence asks the Sentinels for their {@code down-after-milliseconds}. */
  static final Duration REFRESH = Duration.ofSeconds(5);

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
  private Instant nextRefresh = Instant.MIN; // the fence's own thread only

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
  private Duration downAfter; // the Sentinels' smallest, once read
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
    this.status = policy.enabled() ? FenceStatus.idle(true, limit()) : FenceStatus.off();
  }

  /** The longest this fence may hold writes now. */
  private Duration limit() {
    return limit(policy.timeout(), downAfter);
  }

  /**
   * The longest a fence may hold writes: {@code timeout}, or {@link #SDOWN_MARGIN} under {@code
   * downAfter} (null: not known) if that is shorter, never under {@link #SHORTEST}.
   */
  static Duration limit(Duration timeout, Duration downAfter) {
    if (downAfter == null) {
      return timeout;
    }
    Duration under = downAfter.minus(SDOWN_MARGIN);
    if (under.compareTo(SHORTEST) < 0) {
      under = SHORTEST;
    }
    return timeout.compareTo(under) <= 0 ? timeout : under;
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
      refreshLimit();
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

  /**
   * Asks the Sentinels for their {@code down-after-milliseconds} when the fence is idle and the
   * last time is {@link #REFRESH} ago, without holding the lock (a raise must not wait for it).
   * Package-private for tests.
   */
  void refreshLimit() {
    Instant now = clock.instant();
    if (!policy.enabled() || now.isBefore(nextRefresh)) {
      return;
    }
    synchronized (this) {
      if (state != State.IDLE) {
        return; // a held fence reads the Sentinels in check()
      }
    }
    nextRefresh = now.plus(REFRESH);
    FailoverProbe.Reading r;
    try {
      r = probe.read();
    } catch (RuntimeException e) {
      return;
    }
    synchronized (this) {
      learn(r);
    }
  }

  /** Takes the Sentinels' {@code down-after-milliseconds} from a reading into the limit. */
  private void learn(FailoverProbe.Reading r) {
    if (r == null || r.downAfter() == null || r.downAfter().equals(downAfter)) {
      return;
    }
    Duration before = limit();
    downAfter = r.downAfter();
    Duration limit = limit();
    if (limit.equals(before)) {
      return;
    }
    if (deadline != null && since.plus(limit).isBefore(deadline)) {
      deadline = since.plus(limit);
    }
    if (limit.equals(policy.timeout())) {
      log.info(
          "the fence holds writes up to --fence-timeout {} ms (Sentinel down-after-milliseconds"
              + " {} ms)",
          limit.toMillis(),
          downAfter.toMillis());
    } else {
      log.warn(
          "the fence holds writes at most {} ms, not --fence-timeout {} ms: a Sentinel's"
              + " down-after-milliseconds is {} ms, and a master whose writes (with them"
              + " Sentinel's hello) are held that long is judged down and failed over",
          limit.toMillis(),
          policy.timeout().toMillis(),
          downAfter.toMillis());
    }
    publish();
  }

  /** One look at a held fence: lifts it if it is time. Package-private for tests. */
  synchronized void check() {
    if (state == State.IDLE) {
      return;
    }
    Instant now = clock.instant();
    if (!now.isBefore(deadline)) {
      Duration limit = limit();
      lift(
          "timeout",
          limit.equals(policy.timeout())
              ? "--fence-timeout " + limit.toMillis() + " ms reached"
              : "its limit "
                  + limit.toMillis()
                  + " ms reached (under Sentinel down-after-milliseconds "
                  + downAfter.toMillis()
                  + " ms)");
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
    learn(r);
    if (!now.isBefore(deadline)) {
      return; // the limit came down under the time held: lifted at the next look
    }
    sentinelsAgree = r != null && r.keepsNaming(self) ? sentinelsAgree + 1 : 0;
    if (sentinelsAgree >= 2) {
      lift("sentinels", "every Sentinel names this instance and none runs a failover");
    }
  }

  private void raise(String channel) {
    Instant now = clock.instant();
    Duration limit = limit();
    try {
      hold.pause(limit);
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
    deadline = now.plus(limit);
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
        limit.toMillis());
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
            policy.enabled() ? limit() : null,
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
