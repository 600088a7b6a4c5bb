package com.proposalsapp.registrar.runtime;

import com.proposalsapp.registrar.config.Durations;
import com.proposalsapp.registrar.config.Settings;
import com.proposalsapp.registrar.core.AgentLoop;
import com.proposalsapp.registrar.core.Reconciler;
import com.proposalsapp.registrar.core.RegistryException;
import com.proposalsapp.registrar.core.StatusBoard;
import com.proposalsapp.registrar.core.TopologySource;
import com.proposalsapp.registrar.etcd.EtcdRegistry;
import com.proposalsapp.registrar.redis.KnownSentinels;
import com.proposalsapp.registrar.redis.SentinelEvents;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sidecar daemon: adapters, reconciler and the loop on its own thread, started and stopped in a
 * fixed order.
 *
 * <p>Start: lease-loss and change listeners, Sentinel events, the loop, the etcd warm-up. Stop: the
 * loop, deregistration (bounded by {@code --shutdown-timeout}), then the Sentinel events, the
 * Redis/Sentinel source and the etcd client, each closed on every path. {@link #stop} and {@link
 * #close} are safe to call more than once and from any state.
 */
public final class Agent implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Agent.class);

  /** Kept out of --shutdown-timeout for the JVM's own exit, so the process is gone within it. */
  static final Duration EXIT_RESERVE = Duration.ofMillis(500);

  private final Settings settings;
  private final TopologySource source;
  private final SentinelEvents events;
  private final EtcdRegistry registry;
  private final Reconciler reconciler;
  private final StatusBoard board;
  private final AgentLoop loop;
  private final Thread thread;
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean stopped = new AtomicBoolean();

  private Agent(Settings s) {
    settings = s;
    KnownSentinels sentinels = new KnownSentinels(s.sentinels());
    source = Components.source(s, sentinels);
    events = Components.events(s, sentinels);
    registry = Components.registry(s, true);
    reconciler = Components.reconciler(s, source, registry);
    board = new StatusBoard(Instant.now());
    loop =
        new AgentLoop(
            reconciler,
            new AgentLoop.Timing(s.pollInterval(), s.resyncInterval(), Components.RETRY),
            Clock.systemUTC(),
            board);
    thread = new Thread(loop::run, "agent-loop");
  }

  /** Builds the adapters (connecting nothing yet) and the loop. */
  public static Agent create(Settings s) {
    return new Agent(s);
  }

  /** Starts the loop, the Sentinel subscriptions and the etcd watch; once only. */
  public Agent start() {
    if (stopped.get() || !started.compareAndSet(false, true)) {
      return this;
    }
    Settings s = settings;
    log.info(
        "starting id={} dc={} redis={} announce={} etcd={} prefix={} master-name={}"
            + " lease-ttl={} poll={} sentinel-events={}",
        s.id(),
        s.dc(),
        s.redis(),
        s.announce(),
        s.etcdList(),
        s.prefix(),
        s.masterName(),
        Durations.format(s.leaseTtl()),
        Durations.format(s.pollInterval()),
        s.sentinelEvents());
    registry.onLeaseLost(loop::wake);
    // Anything changed under the master name (our record deleted or overwritten, our lease
    // revoked, another agent's record): read etcd back now rather than at the next resync.
    registry.watchChanges(loop::resyncNow);
    if (s.sentinelEvents()) {
      events.start(loop::wake);
    }
    thread.start();
    registry.warmUp(); // concurrently with the first cycle: publishing is not delayed by it
    return this;
  }

  /** Where the loop publishes its status after every cycle. */
  public StatusBoard board() {
    return board;
  }

  /** Runs the next cycle now, reading etcd back in full (SIGHUP). */
  public void resync() {
    loop.resyncNow();
  }

  /**
   * Stops the loop, deregisters and closes everything, deregistration bounded by --shutdown-timeout
   * (past it the record is left to expire with its lease); later calls return at once.
   */
  public void stop() throws InterruptedException {
    if (!stopped.compareAndSet(false, true)) {
      return;
    }
    Instant deadline = deadline(settings.shutdownTimeout());
    board.stopping(); // role and health checks say no before the record goes
    try {
      if (started.get()) {
        stopLoopAndDeregister(deadline);
      }
    } finally {
      closeQuietly(events, "Sentinel events");
      closeQuietly(source, "Redis and Sentinel connections");
      closeQuietly(registry, "etcd client");
    }
  }

  /** {@link #stop}, for try-with-resources. */
  @Override
  public void close() {
    try {
      stop();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void stopLoopAndDeregister(Instant deadline) throws InterruptedException {
    loop.stop();
    thread.join(remaining(deadline));
    if (thread.isAlive()) {
      warnNotDeregistered();
      return;
    }
    Thread deregister =
        new Thread(
            () -> {
              try {
                reconciler.deregister();
              } catch (RegistryException e) {
                log.warn(
                    "could not deregister: {}; the record expires with its lease", e.getMessage());
              }
            },
            "deregister");
    deregister.start();
    deregister.join(remaining(deadline));
    if (deregister.isAlive()) {
      warnNotDeregistered();
    }
  }

  private void warnNotDeregistered() {
    log.warn(
        "could not deregister within {}: etcd did not answer; the record expires with its lease",
        Durations.format(settings.shutdownTimeout()));
  }

  /** When deregistration must be over for the process to exit within {@code timeout}. */
  static Instant deadline(Duration timeout) {
    Duration budget = timeout.minus(EXIT_RESERVE);
    return Instant.now().plus(budget.compareTo(EXIT_RESERVE) < 0 ? EXIT_RESERVE : budget);
  }

  private static long remaining(Instant deadline) {
    return Math.max(1, Duration.between(Instant.now(), deadline).toMillis());
  }

  private static void closeQuietly(AutoCloseable c, String what) {
    try {
      c.close();
    } catch (Exception e) {
      log.warn("could not close the {}: {}", what, e.toString());
    }
  }
}
