package com.proposalsapp.registrar.runtime;

import com.proposalsapp.registrar.config.RouteSettings;
import com.proposalsapp.registrar.core.HostPort;
import com.proposalsapp.registrar.core.RoutePolicy;
import com.proposalsapp.registrar.core.Router;
import com.proposalsapp.registrar.core.RouterLoop;
import com.proposalsapp.registrar.etcd.EtcdRegistry;
import com.proposalsapp.registrar.haproxy.HaproxyRuntime;
import com.proposalsapp.registrar.http.HttpEndpoint;
import com.proposalsapp.registrar.http.RouterPages;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routing daemon: etcd's read side, HAProxy's Runtime API, the router and its loop on its own
 * thread, started and stopped in a fixed order, like {@link Agent}.
 *
 * <p>Create: the HTTP server is bound first (a port that cannot be bound fails the start), then the
 * adapters are built, connecting nothing. Start: the etcd watch, then the loop. Stop: the loop,
 * then HAProxy's and etcd's clients; HAProxy keeps the routes as they are, so stopping never cuts a
 * connection. Close: {@link #stop}, then the HTTP server. Both are safe to call more than once and
 * from any state.
 */
public final class RouterDaemon implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RouterDaemon.class);

  /** How often HAProxy is compared with the routes: a restarted HAProxy is caught within it. */
  static final Duration CHECK_INTERVAL = Duration.ofMillis(200);

  /** The longest pause between reads of etcd (the watch makes changes arrive at once). */
  static final Duration POLL_INTERVAL = Duration.ofSeconds(1);

  /** Bound on one etcd read: a local etcd answers in milliseconds. */
  static final Duration ETCD_TIMEOUT = Duration.ofMillis(1000);

  /** Bound on one request to HAProxy's local socket. */
  static final Duration HAPROXY_TIMEOUT = Duration.ofMillis(1000);

  /** How long the loop may take to finish its cycle at a stop. */
  static final Duration STOP_TIMEOUT = Duration.ofSeconds(2);

  private final RouteSettings settings;
  private final HttpEndpoint http; // null with --http off
  private final EtcdRegistry registry;
  private final HaproxyRuntime haproxy;
  private final Router router;
  private final RouterLoop loop;
  private final Thread thread;
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean stopped = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();

  private RouterDaemon(RouteSettings s) {
    settings = s;
    haproxy = new HaproxyRuntime(s.haproxy().socket(), HAPROXY_TIMEOUT);
    // The router grants no lease: the TTL is never used.
    registry =
        new EtcdRegistry(
            s.etcd().access(),
            s.etcd().prefix(),
            s.masterName(),
            Duration.ofSeconds(2),
            false,
            ETCD_TIMEOUT);
    router =
        new Router(
            registry,
            haproxy,
            new RoutePolicy(s.dc(), s.haproxy().localWeight(), s.haproxy().remoteWeight()),
            Clock.systemUTC());
    loop =
        new RouterLoop(
            router, new RouterLoop.Timing(CHECK_INTERVAL, POLL_INTERVAL, Components.RETRY));
    thread = new Thread(loop::run, "router-loop");
    HttpEndpoint endpoint = null;
    if (s.http() != null) {
      try {
        endpoint = HttpEndpoint.start("router", s.http(), RouterPages.routes(router::status));
      } catch (UncheckedIOException e) {
        haproxy.close();
        registry.close();
        throw new StartupException("--http: " + e.getMessage());
      }
    }
    http = endpoint;
  }

  /**
   * Builds the adapters (connecting nothing yet) and the loop and binds the HTTP server; throws
   * {@link StartupException} when the HTTP address cannot be bound.
   */
  public static RouterDaemon create(RouteSettings s) {
    return new RouterDaemon(s);
  }

  /** Where {@code /health}, {@code /status} and {@code /metrics} are served; null with off. */
  public HostPort httpAddress() {
    return http == null ? null : http.address();
  }

  /** Starts the etcd watch and the loop; once only. */
  public RouterDaemon start() {
    if (stopped.get() || !started.compareAndSet(false, true)) {
      return this;
    }
    RouteSettings s = settings;
    log.info(
        "routing dc={} etcd={} prefix={} master-name={} haproxy-socket={} weights local={}"
            + " remote={}",
        s.dc(),
        s.etcd().access().list(),
        s.etcd().prefix(),
        s.masterName(),
        s.haproxy().socket(),
        s.haproxy().localWeight(),
        s.haproxy().remoteWeight());
    registry.watchChanges(loop::registryChanged);
    thread.start();
    return this;
  }

  /** Reads etcd now. */
  public void readNow() {
    loop.registryChanged();
  }

  /**
   * SIGHUP: re-reads the etcd password file, replaces the etcd client when the password changed or
   * it speaks TLS (renewed certificates), then reads etcd now.
   */
  public void hangUp() {
    Rotation.rereadEtcd(settings.etcd().access(), registry);
    loop.registryChanged();
  }

  /** Stops the loop and closes the clients, leaving HAProxy as it is; safe to call again. */
  public void stop() throws InterruptedException {
    if (!stopped.compareAndSet(false, true)) {
      return;
    }
    try {
      loop.stop();
      if (started.get()) {
        thread.join(STOP_TIMEOUT.toMillis());
      }
    } finally {
      haproxy.close();
      registry.close();
    }
    log.info("stopped; HAProxy keeps the last routes applied");
  }

  /** {@link #stop}, then the HTTP server. */
  @Override
  public void close() throws InterruptedException {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      stop();
    } finally {
      if (http != null) {
        http.close();
      }
    }
  }
}
