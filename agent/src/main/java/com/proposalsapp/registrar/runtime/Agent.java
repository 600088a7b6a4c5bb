package com.proposalsapp.registrar.runtime;

import com.proposalsapp.registrar.config.Durations;
import com.proposalsapp.registrar.config.Settings;
import com.proposalsapp.registrar.core.AgentLoop;
import com.proposalsapp.registrar.core.BindAddress;
import com.proposalsapp.registrar.core.HostPort;
import com.proposalsapp.registrar.core.Identity;
import com.proposalsapp.registrar.core.Reconciler;
import com.proposalsapp.registrar.core.RegistryException;
import com.proposalsapp.registrar.core.Role;
import com.proposalsapp.registrar.core.StatusBoard;
import com.proposalsapp.registrar.core.TopologySource;
import com.proposalsapp.registrar.etcd.EtcdRegistry;
import com.proposalsapp.registrar.http.AgentMetrics;
import com.proposalsapp.registrar.http.AgentRoutes;
import com.proposalsapp.registrar.http.HttpEndpoint;
import com.proposalsapp.registrar.redis.KnownSentinels;
import com.proposalsapp.registrar.redis.SentinelEvents;
import java.io.UncheckedIOException;
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
 * <p>Create: the etcd client is built and warmed up on a thread of its own (the lease granted, the
 * failover's calls made once), the HTTP server is bound (its address goes into the record), then
 * the other adapters are built, connecting nothing. Start: lease-loss and change listeners,
 * Sentinel events, the loop. Stop: every HTTP check answers 503 from then on, then the loop stops,
 * the agent deregisters (bounded by {@code --shutdown-timeout}) and the Sentinel events, the
 * Redis/Sentinel source and the etcd client are closed, each on every path. Close: {@link #stop},
 * then the HTTP server, so that it keeps answering 503 while a child drains. Both are safe to call
 * more than once and from any state.
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
  private final com.proposalsapp.registrar.core.Fence fence; // fencing (issue 14)
  private final Thread fenceThread;
  private volatile Runnable onLoopFailure = () -> {};
  private volatile Throwable loopFailure;
  private final Thread thread;
  private final HttpEndpoint http; // null with --http off
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean stopped = new AtomicBoolean();

  private Agent(Settings s) {
    settings = s;
    board = new StatusBoard(Instant.now());
    Logging.identify(s.id(), s.dc(), () -> roleOf(board));
    // jetcd's stack is the longest part of a start: its client is built first and its first calls
    // (the lease, a read, the failover's transaction) run on a thread of their own while the HTTP
    // checks and the Redis adapters are built, so that the first cycle finds them done.
    registry = Components.registry(s, true);
    Thread warmUp = new Thread(registry::warmUp, "etcd-warm-up");
    warmUp.setDaemon(true);
    warmUp.start();
    try {
      http = s.http() == null ? null : startHttp(s, board);
    } catch (RuntimeException e) {
      abandon(warmUp, registry);
      throw e;
    }
    Identity self = Components.identity(s);
    if (http != null) {
      self = self.withHttp(advertised(s.http(), http.address(), s.redis().announce()));
    }
    try {
      KnownSentinels sentinels = new KnownSentinels(s.sentinel().addresses());
      source = Components.source(s, sentinels);
      events = Components.events(s, sentinels);
      reconciler = Components.reconciler(s, self, source, registry);
      fence = Components.fence(s, self, sentinels, registry);
    } catch (RuntimeException e) {
      if (http != null) {
        http.close();
      }
      abandon(warmUp, registry);
      throw e;
    }
    loop =
        new AgentLoop(
            reconciler,
            new AgentLoop.Timing(
                s.timing().pollInterval(), s.timing().resyncInterval(), Components.RETRY),
            Clock.systemUTC(),
            board);
    thread = new Thread(this::runLoop, "agent-loop");
    board.fence(fence::status);
    fenceThread = new Thread(fence::run, "fence");
    fenceThread.setDaemon(true);
  }

  /**
   * Closes the registry of a start that failed, interrupting its warm-up first: a call to an
   * unreachable etcd would otherwise hold the client for its whole timeout, delaying the error.
   */
  private static void abandon(Thread warmUp, EtcdRegistry registry) {
    warmUp.interrupt();
    registry.close();
  }

  /**
   * The loop's cycles never throw; if the loop itself fails all the same, the agent must not live
   * on with its lease kept alive and nothing keeping its record true: it stops (deregistering, so
   * the record goes) and the command exits non-zero, for its supervisor to restart it.
   */
  private void runLoop() {
    try {
      loop.run();
    } catch (RuntimeException | Error e) {
      loopFailure = e;
      log.error(
          "the agent loop failed: {}; stopping so that the record does not outlive it",
          e.toString(),
          e);
      onLoopFailure.run();
    }
  }

  /** Runs {@code action} (once) if the loop fails; set before {@link #start}. */
  public void onLoopFailure(Runnable action) {
    onLoopFailure = action;
  }

  /** Whether the loop failed (and so the agent stopped without being asked). */
  public boolean loopFailed() {
    return loopFailure != null;
  }

  /**
   * Binds the HTTP server and builds the adapters (connecting nothing yet) and the loop; throws
   * {@link StartupException} when the HTTP address cannot be bound.
   */
  public static Agent create(Settings s) {
    return new Agent(s);
  }

  private static HttpEndpoint startHttp(Settings s, StatusBoard board) {
    AgentRoutes routes =
        new AgentRoutes(s.id(), board::current, s.timing().pollInterval(), Clock.systemUTC());
    AgentMetrics metrics =
        new AgentMetrics(board, Components.AGENT, s.id(), s.dc(), s.masterName());
    try {
      return HttpEndpoint.start("checks", s.http(), routes.routes(metrics.route()));
    } catch (UncheckedIOException e) {
      throw new StartupException("--http: " + e.getMessage());
    }
  }

  /**
   * The HTTP address other nodes reach: the announce host when bound to every interface, and the
   * port actually bound.
   */
  static HostPort advertised(BindAddress bind, HostPort bound, HostPort announce) {
    return new HostPort(bind.wildcard() ? announce.host() : bind.host(), bound.port());
  }

  private static String roleOf(StatusBoard board) {
    Role r = board.current().publishedRole();
    return r == null ? "none" : r.wire();
  }

  /** Where the HTTP checks listen; null with {@code --http off}. */
  public HostPort httpAddress() {
    return http == null ? null : http.address();
  }

  /** Starts the loop, the Sentinel subscriptions and the etcd watch; once only. */
  public Agent start() {
    if (stopped.get() || !started.compareAndSet(false, true)) {
      return this;
    }
    Settings s = settings;
    log.info(
        "starting id={} dc={} redis={} announce={} etcd={} prefix={} master-name={}"
            + " lease-ttl={} poll={} sentinel-events={} fence={}",
        s.id(),
        s.dc(),
        s.redis().address(),
        s.redis().announce(),
        s.etcd().access().list(),
        s.etcd().prefix(),
        s.masterName(),
        Durations.format(s.timing().leaseTtl()),
        Durations.format(s.timing().pollInterval()),
        s.sentinel().events(),
        s.fence().enabled() ? Durations.format(s.fence().timeout()) : "off");
    registry.onLeaseLost(loop::wake);
    // Anything changed under the master name (our record deleted or overwritten, our lease
    // revoked, another agent's record): read etcd back now rather than at the next resync.
    registry.watchChanges(
        () -> {
          loop.resyncNow();
          fence.wake(); // the master key may have moved: a held fence looks now
        });
    if (s.sentinel().events()) {
      events.onFailover(fence::onEvent);
      events.start(loop::wake);
    }
    fenceThread.start();
    thread.start();
    return this;
  }

  /** Where the loop publishes its status after every cycle. */
  public StatusBoard board() {
    return board;
  }

  /** Runs the next cycle now, reading etcd back in full. */
  public void resync() {
    loop.resyncNow();
  }

  /**
   * SIGHUP: re-reads the password files (a rotated password is used from the next connection; the
   * etcd client is replaced at once when its password changed or it speaks TLS, so that renewed
   * certificates are read too), then resyncs.
   */
  public void hangUp() {
    Rotation.rereadEtcd(settings.etcd().access(), registry);
    Rotation.reread("Redis", settings.redis().access().credentials());
    Rotation.reread("Sentinel", settings.sentinel().access().credentials());
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
    Instant deadline = deadline(settings.timing().shutdownTimeout());
    board.stopping(); // role and health checks say no before the record goes
    try {
      if (http != null && started.get()) {
        // A checker polling us (HAProxy) sees a 503 before the record goes, if it asks in time.
        long t0 = System.nanoTime();
        boolean seen =
            http.awaitA503(
                AgentRoutes.CHECKS,
                CHECKER_RECENT,
                checkGrace(settings.timing().shutdownTimeout()));
        log.info(
            "stopping: HTTP checks answer 503{}; deregistering",
            seen
                ? ", first sent after " + (System.nanoTime() - t0) / 1_000_000 + " ms"
                : " (no checker polling)");
      }
      if (started.get()) {
        stopLoopAndDeregister(deadline);
      }
    } finally {
      closeQuietly(fence, "write fence"); // lifts a held fence
      closeQuietly(events, "Sentinel events");
      closeQuietly(source, "Redis and Sentinel connections");
      closeQuietly(registry, "etcd client");
    }
  }

  /** {@link #stop}, then the HTTP server; for try-with-resources. */
  @Override
  public void close() {
    try {
      stop();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      if (http != null) {
        http.close();
      }
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
        Durations.format(settings.timing().shutdownTimeout()));
  }

  /** Within this of SIGTERM a request of a check means a checker is polling. */
  static final Duration CHECKER_RECENT = Duration.ofSeconds(5);

  /** How long deregistration waits for a polling checker to see a 503: half the budget, ≤ 1 s. */
  static Duration checkGrace(Duration shutdownTimeout) {
    Duration half = shutdownTimeout.minus(EXIT_RESERVE).dividedBy(2);
    Duration max = Duration.ofSeconds(1);
    return half.isNegative() ? Duration.ZERO : half.compareTo(max) > 0 ? max : half;
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
