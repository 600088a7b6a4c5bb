package com.proposalsapp.registrar.http;

import com.proposalsapp.registrar.core.BindAddress;
import com.proposalsapp.registrar.core.HostPort;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small read-only HTTP server (the JDK's {@code com.sun.net.httpserver}): GET and HEAD of fixed
 * paths, each answered by a {@link Route} from memory. The routes never wait, but a client can: one
 * that sends half a request holds the thread reading it, so a few threads serve, and a request not
 * complete within {@link #MAX_REQUEST_SECONDS} is dropped, so that a stuck or hostile client cannot
 * make every health check time out.
 */
public final class HttpEndpoint implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(HttpEndpoint.class);

  /** Threads serving requests: each stuck client holds one for up to MAX_REQUEST_SECONDS. */
  static final int THREADS = 4;

  /** A request (or a response) that takes longer than this is dropped. */
  static final int MAX_REQUEST_SECONDS = 2;

  static {
    // Read once, when the JDK's server first loads; an operator's own -D setting wins.
    setIfAbsent("sun.net.httpserver.maxReqTime", Integer.toString(MAX_REQUEST_SECONDS));
    setIfAbsent("sun.net.httpserver.maxRspTime", Integer.toString(MAX_REQUEST_SECONDS));
    setIfAbsent("sun.net.httpserver.timerMillis", "250");
    // The JDK server writes headers and body separately: without TCP_NODELAY, Nagle's algorithm
    // and the client's delayed ACK hold every answer about 40 ms.
    setIfAbsent("sun.net.httpserver.nodelay", "true");
  }

  private static void setIfAbsent(String property, String value) {
    if (System.getProperty(property) == null) {
      System.setProperty(property, value);
    }
  }

  private final HttpServer server;
  private final ExecutorService executor;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Object served = new Object();
  private final Map<String, Long> lastRequestNanos = new ConcurrentHashMap<>(); // by route path
  private long last503Nanos; // guarded by served; 0 until the first 503

  private HttpEndpoint(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * Binds {@code bind} (port 0: any free port) and serves {@code routes} by exact path, logging
   * "HTTP {@code name} listening on ..." at INFO; throws {@link UncheckedIOException} naming the
   * address when it cannot be bound.
   */
  public static HttpEndpoint start(String name, BindAddress bind, Map<String, Route> routes) {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(bind.host(), bind.port()), 64);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot listen for HTTP on "
              + bind
              + ": "
              + (e.getMessage() == null ? e : e.getMessage()),
          e);
    }
    Map<String, Route> table = Map.copyOf(routes);
    HttpEndpoint[] self = new HttpEndpoint[1];
    server.createContext("/", exchange -> self[0].serve(exchange, table));
    AtomicInteger threads = new AtomicInteger();
    ExecutorService executor =
        Executors.newFixedThreadPool(
            THREADS,
            r -> {
              Thread t = new Thread(r, "http-" + name + "-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    server.start();
    HttpEndpoint endpoint = new HttpEndpoint(server, executor);
    self[0] = endpoint;
    log.info("HTTP {} listening on http://{}", name, endpoint.address());
    return endpoint;
  }

  /** The address actually bound (with the port chosen when 0 was asked). */
  public HostPort address() {
    InetSocketAddress a = server.getAddress();
    return new HostPort(a.getAddress().getHostAddress(), a.getPort());
  }

  /**
   * If one of {@code checks} was asked within {@code recent}, waits until this server has sent a
   * 503 (at most {@code atMost}): once the checks fail, a checker such as HAProxy has then seen it
   * before the caller goes on. Returns at once when no checker is asking; true if a 503 was sent.
   */
  public boolean awaitA503(Collection<String> checks, Duration recent, Duration atMost)
      throws InterruptedException {
    long from = System.nanoTime();
    boolean asked =
        checks.stream()
            .map(lastRequestNanos::get)
            .anyMatch(t -> t != null && from - t <= recent.toNanos());
    if (!asked) {
      return false;
    }
    long deadline = from + atMost.toNanos();
    synchronized (served) {
      while (last503Nanos - from <= 0 || last503Nanos == 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(served, left);
      }
    }
    return true;
  }

  /** Stops answering at once; safe to call more than once. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      server.stop(0);
      executor.shutdownNow();
    }
  }

  private void serve(HttpExchange exchange, Map<String, Route> routes) throws IOException {
    int code;
    try (exchange) {
      String method = exchange.getRequestMethod();
      boolean head = method.equals("HEAD");
      Response r;
      String path = exchange.getRequestURI().getPath();
      Route route = routes.get(path);
      if (route != null) {
        lastRequestNanos.put(path, System.nanoTime());
      }
      if (!head && !method.equals("GET")) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        r = Response.text(405, "only GET and HEAD");
      } else if (route == null) {
        r = Response.text(404, "no such path; try /status");
      } else {
        try {
          r = route.answer(query(exchange.getRequestURI().getRawQuery()));
        } catch (IllegalArgumentException e) {
          r = Response.text(400, e.getMessage());
        } catch (RuntimeException e) {
          log.warn("HTTP {} failed: {}", exchange.getRequestURI().getPath(), e.toString());
          r = Response.text(500, "internal error");
        }
      }
      code = r.code();
      exchange.getResponseHeaders().set("Content-Type", r.contentType());
      exchange.getResponseHeaders().set("Cache-Control", "no-store");
      if (head) {
        exchange.sendResponseHeaders(r.code(), -1);
      } else {
        exchange.sendResponseHeaders(r.code(), r.body().length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(r.body());
        }
      }
    }
    if (code == 503) {
      synchronized (served) {
        last503Nanos = System.nanoTime();
        served.notifyAll();
      }
    }
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> out = new HashMap<>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String k = eq < 0 ? pair : pair.substring(0, eq);
      String v = eq < 0 ? "" : pair.substring(eq + 1);
      out.put(
          URLDecoder.decode(k, StandardCharsets.UTF_8),
          URLDecoder.decode(v, StandardCharsets.UTF_8));
    }
    return out;
  }
}
