package com.proposalsapp.registrar.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.proposalsapp.registrar.core.DesiredRoutes;
import com.proposalsapp.registrar.core.HostPort;
import com.proposalsapp.registrar.core.Listener;
import com.proposalsapp.registrar.core.RouterStatus;
import com.proposalsapp.registrar.core.ServerSlot;
import com.proposalsapp.registrar.core.SlotState;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What the router's {@code /health}, {@code /status} and {@code /metrics} answer, from its status
 * snapshot alone; nothing in them is secret.
 */
public final class RouterPages {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private RouterPages() {}

  /** The router's paths, each answered from the latest snapshot {@code status} gives. */
  public static Map<String, Route> routes(Supplier<RouterStatus> status) {
    Map<String, Route> r = new LinkedHashMap<>();
    r.put("/health", q -> Response.json(healthCode(status.get()), health(status.get())));
    r.put("/status", q -> Response.json(200, status(status.get())));
    r.put(
        "/metrics",
        q ->
            new Response(
                200,
                "text/plain; version=0.0.4; charset=utf-8",
                metrics(status.get()).getBytes(StandardCharsets.UTF_8)));
    return r;
  }

  /** 200 while HAProxy is in step with routes read from etcd, else 503. */
  public static int healthCode(RouterStatus s) {
    return s.healthy() ? 200 : 503;
  }

  /** The {@code /health} body: whether the router is healthy, and why not. */
  public static String health(RouterStatus s) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("healthy", s.healthy());
    n.put("etcd_reachable", s.etcdReachable());
    n.put("haproxy_reachable", s.haproxyReachable());
    n.put("routes_read", s.routes() != null);
    ArrayNode p = n.putArray("problems");
    s.problems().forEach(p::add);
    return n.toString();
  }

  /** The {@code /status} body: the whole snapshot as JSON. */
  public static String status(RouterStatus s) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("updated_at", s.updated().toString());
    ObjectNode etcd = n.putObject("etcd");
    etcd.put("reachable", s.etcdReachable());
    etcd.put("error", s.etcdError());
    ObjectNode haproxy = n.putObject("haproxy");
    haproxy.put("reachable", s.haproxyReachable());
    haproxy.put("error", s.haproxyError());
    DesiredRoutes r = s.routes();
    ObjectNode routes = n.putObject("routes");
    for (Listener l : Listener.values()) {
      if (r == null) {
        routes.putNull(wire(l));
        continue;
      }
      ObjectNode servers = routes.putObject(wire(l));
      for (Map.Entry<HostPort, Integer> e : r.of(l).entrySet()) {
        servers.put(e.getKey().toString(), e.getValue());
      }
    }
    ArrayNode slots = n.putArray("slots");
    for (ServerSlot slot : s.slots()) {
      ObjectNode o = slots.addObject();
      o.put("listener", wire(slot.listener()));
      o.put("slot", slot.name());
      o.put("address", slot.address().toString());
      o.put("state", slot.state().wire());
      o.put("weight", slot.weight());
    }
    n.put("changes_applied", s.changesApplied());
    n.put("applies", s.applies());
    n.put("last_apply_ms", s.lastApplyLatency().toNanos() / 1e6);
    ArrayNode p = n.putArray("problems");
    s.problems().forEach(p::add);
    return n.toString();
  }

  /** The {@code /metrics} body, in Prometheus's text format. */
  public static String metrics(RouterStatus s) {
    StringBuilder b = new StringBuilder();
    counter(
        b,
        "registrar_route_changes_applied_total",
        "Runtime API commands applied to HAProxy since start.",
        s.changesApplied());
    counter(
        b,
        "registrar_route_applies_total",
        "Requests to HAProxy that applied at least one change since start.",
        s.applies());
    b.append(
        "# HELP registrar_route_apply_latency_seconds From the start of the cycle that found a"
            + " difference to HAProxy's answer.\n");
    b.append("# TYPE registrar_route_apply_latency_seconds summary\n");
    b.append("registrar_route_apply_latency_seconds_sum ")
        .append(seconds(s.applyLatencyTotal().toNanos()))
        .append('\n');
    b.append("registrar_route_apply_latency_seconds_count ").append(s.applies()).append('\n');
    gauge(
        b,
        "registrar_route_last_apply_latency_seconds",
        "The apply latency of the last change.",
        seconds(s.lastApplyLatency().toNanos()));
    b.append("# HELP registrar_route_servers HAProxy's server slots by listener and state.\n");
    b.append("# TYPE registrar_route_servers gauge\n");
    for (Listener l : Listener.values()) {
      for (Map.Entry<SlotState, Long> e : s.slotsByState(l).entrySet()) {
        b.append("registrar_route_servers{listener=\"")
            .append(wire(l))
            .append("\",state=\"")
            .append(e.getKey().wire())
            .append("\"} ")
            .append(e.getValue())
            .append('\n');
      }
    }
    gauge(
        b,
        "registrar_route_etcd_reachable",
        "1 if the last read of etcd succeeded.",
        s.etcdReachable() ? "1" : "0");
    gauge(
        b,
        "registrar_route_haproxy_reachable",
        "1 if HAProxy's Runtime API answered the last cycle.",
        s.haproxyReachable() ? "1" : "0");
    gauge(
        b,
        "registrar_route_problems",
        "Problems besides reachability (more instances than slots, records left out).",
        Integer.toString(s.problems().size()));
    return b.toString();
  }

  private static void counter(StringBuilder b, String name, String help, long value) {
    b.append("# HELP ").append(name).append(' ').append(help).append('\n');
    b.append("# TYPE ").append(name).append(" counter\n");
    b.append(name).append(' ').append(value).append('\n');
  }

  private static void gauge(StringBuilder b, String name, String help, String value) {
    b.append("# HELP ").append(name).append(' ').append(help).append('\n');
    b.append("# TYPE ").append(name).append(" gauge\n");
    b.append(name).append(' ').append(value).append('\n');
  }

  private static String seconds(long nanos) {
    return String.format(Locale.ROOT, "%.6f", nanos / 1e9);
  }

  private static String wire(Listener l) {
    return l.name().toLowerCase(Locale.ROOT);
  }
}
