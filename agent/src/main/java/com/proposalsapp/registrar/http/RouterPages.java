package com.proposalsapp.registrar.http;

import static com.proposalsapp.registrar.etcd.RecordJson.putObject;

import com.proposalsapp.registrar.core.DesiredRoutes;
import com.proposalsapp.registrar.core.HostPort;
import com.proposalsapp.registrar.core.Listener;
import com.proposalsapp.registrar.core.RouterStatus;
import com.proposalsapp.registrar.core.ServerSlot;
import com.proposalsapp.registrar.etcd.RecordJson;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What the router's {@code /health}, {@code /status} and {@code /metrics} answer, from its status
 * snapshot alone; nothing in them is secret.
 */
public final class RouterPages {

  private RouterPages() {}

  /** The router's paths, each answered from the latest snapshot {@code status} gives. */
  public static Map<String, Route> routes(Supplier<RouterStatus> status) {
    Map<String, Route> r = new LinkedHashMap<>();
    r.put("/health", q -> Response.json(healthCode(status.get()), health(status.get())));
    r.put("/status", q -> Response.json(200, status(status.get())));
    PrometheusRegistry metrics = metrics(status);
    r.put("/metrics", q -> Scrape.of(metrics));
    return r;
  }

  /** 200 while HAProxy is in step with routes read from etcd, else 503. */
  public static int healthCode(RouterStatus s) {
    return s.healthy() ? 200 : 503;
  }

  /** The {@code /health} body: whether the router is healthy, and why not. */
  public static String health(RouterStatus s) {
    Map<String, Object> n = new LinkedHashMap<>();
    n.put("healthy", s.healthy());
    n.put("etcd_reachable", s.etcdReachable());
    n.put("haproxy_reachable", s.haproxyReachable());
    n.put("routes_read", s.routes() != null);
    n.put("problems", List.copyOf(s.problems()));
    return RecordJson.text(n);
  }

  /** The {@code /status} body: the whole snapshot as JSON. */
  public static String status(RouterStatus s) {
    Map<String, Object> n = new LinkedHashMap<>();
    n.put("updated_at", s.updated().toString());
    Map<String, Object> etcd = putObject(n, "etcd");
    etcd.put("reachable", s.etcdReachable());
    etcd.put("error", s.etcdError());
    Map<String, Object> haproxy = putObject(n, "haproxy");
    haproxy.put("reachable", s.haproxyReachable());
    haproxy.put("error", s.haproxyError());
    DesiredRoutes r = s.routes();
    Map<String, Object> routes = putObject(n, "routes");
    for (Listener l : Listener.values()) {
      if (r == null) {
        routes.put(wire(l), null);
        continue;
      }
      Map<String, Object> servers = putObject(routes, wire(l));
      for (Map.Entry<HostPort, Integer> e : r.of(l).entrySet()) {
        servers.put(e.getKey().toString(), e.getValue());
      }
    }
    List<Object> slots = new ArrayList<>();
    n.put("slots", slots);
    for (ServerSlot slot : s.slots()) {
      Map<String, Object> o = new LinkedHashMap<>();
      slots.add(o);
      o.put("listener", wire(slot.listener()));
      o.put("slot", slot.name());
      o.put("address", slot.address().toString());
      o.put("state", slot.state().wire());
      o.put("weight", slot.weight());
    }
    n.put("changes_applied", s.changesApplied());
    n.put("applies", s.applies());
    n.put("last_apply_ms", s.lastApplyLatency().toNanos() / 1e6);
    n.put("problems", List.copyOf(s.problems()));
    return RecordJson.text(n);
  }

  /**
   * The router's metrics, read from the latest snapshot at each scrape, with the official
   * Prometheus client; names under {@code redis_registrar_route_}, as the agent's are under {@code
   * redis_registrar_}.
   */
  static PrometheusRegistry metrics(Supplier<RouterStatus> status) {
    PrometheusRegistry r = new PrometheusRegistry();
    Scrape.counter(
        r,
        "redis_registrar_route_changes_applied_total",
        "Runtime API commands applied to HAProxy since start.",
        status,
        RouterStatus::changesApplied);
    Scrape.counter(
        r,
        "redis_registrar_route_applies_total",
        "Requests to HAProxy that applied at least one change since start.",
        status,
        RouterStatus::applies);
    Scrape.counter(
        r,
        "redis_registrar_route_apply_seconds_total",
        "Time from the start of each cycle that found a difference to HAProxy's answer, summed"
            + " (divided by applies_total: the mean apply latency).",
        status,
        s -> s.applyLatencyTotal().toNanos() / 1e9);
    Scrape.gauge(
        r,
        "redis_registrar_route_last_apply_latency_seconds",
        "The apply latency of the last change.",
        status,
        s -> s.lastApplyLatency().toNanos() / 1e9);
    GaugeWithCallback.builder()
        .name("redis_registrar_route_servers")
        .help("HAProxy's server slots by listener and state.")
        .labelNames("listener", "state")
        .callback(
            cb -> {
              RouterStatus s = status.get();
              for (Listener l : Listener.values()) {
                s.slotsByState(l).forEach((state, n) -> cb.call(n, wire(l), state.wire()));
              }
            })
        .register(r);
    Scrape.gauge(
        r,
        "redis_registrar_route_etcd_reachable",
        "1 if the last read of etcd succeeded.",
        status,
        s -> Scrape.flag(s.etcdReachable()));
    Scrape.gauge(
        r,
        "redis_registrar_route_haproxy_reachable",
        "1 if HAProxy's Runtime API answered the last cycle.",
        status,
        s -> Scrape.flag(s.haproxyReachable()));
    Scrape.gauge(
        r,
        "redis_registrar_route_problems",
        "Problems besides reachability (more instances than slots, records left out).",
        status,
        s -> s.problems().size());
    return r;
  }

  private static String wire(Listener l) {
    return l.name().toLowerCase(Locale.ROOT);
  }
}
