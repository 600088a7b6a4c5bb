package com.proposalsapp.registrar.http;

import static com.proposalsapp.registrar.etcd.RecordJson.putObject;

import com.proposalsapp.registrar.core.Counters;
import com.proposalsapp.registrar.core.FenceStatus;
import com.proposalsapp.registrar.core.Observation;
import com.proposalsapp.registrar.core.Replication;
import com.proposalsapp.registrar.core.SentinelAnswer;
import com.proposalsapp.registrar.core.SentinelView;
import com.proposalsapp.registrar.core.Status;
import com.proposalsapp.registrar.etcd.RecordJson;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The JSON form of a {@link Status}, as {@code /status} serves it; holds no secret. */
final class StatusJson {

  /** The field of {@code /status} that holds the write fence's state. */
  static final String FENCE = "fence";

  private StatusJson() {}

  static Map<String, Object> toNode(String id, Status s) {
    Map<String, Object> n = new LinkedHashMap<>();
    n.put("id", id);
    n.put("phase", s.phase().wire());
    n.put("started_at", s.startedAt().toString());
    n.put("last_cycle_at", s.at() == null ? null : s.at().toString());
    n.put("last_cycle_ms", s.cycleDuration().toMillis());
    n.put("verdict", s.verdict() == null ? null : s.verdict().role().wire());
    n.put("reason", s.verdict() == null ? null : s.verdict().reason());
    n.put("published", s.published());
    n.put("published_role", s.publishedRole() == null ? null : s.publishedRole().wire());
    n.put("master_claimed", s.masterClaimed());
    n.put("lease", s.lease() == 0 ? null : Long.toHexString(s.lease()));
    n.put("record", s.desired() == null ? null : RecordJson.toNode(s.desired()));
    Observation o = s.observation();
    Map<String, Object> redis = putObject(n, "redis");
    redis.put("reachable", s.redisReachable());
    redis.put("error", o == null ? null : o.redisError());
    Replication r = o == null ? null : o.redis();
    if (r != null) {
      redis.put("role", r.master() ? "master" : "replica");
      redis.put("offset", r.offset());
      if (!r.master()) {
        redis.put("master", r.masterAddress().toString());
        redis.put("link", r.linkUp() ? "up" : "down");
        redis.put("master_offset", o.masterOffset());
        redis.put("lag_bytes", s.replicationLag());
      }
    }
    Map<String, Object> sentinels = putObject(n, "sentinels");
    SentinelView v = o == null ? null : o.sentinels();
    if (v != null) {
      sentinels.put("known", v.known());
      sentinels.put("reachable", v.reachable());
      sentinels.put("agreeing", v.agreeing());
      sentinels.put("confirmed", v.confirmed() == null ? null : v.confirmed().toString());
      sentinels.put("epoch", v.epoch());
      sentinels.put("responded", v.responded());
      sentinels.put("misconfigured", v.misconfigured().size());
      List<Object> each = new ArrayList<>();
      sentinels.put("each", each);
      for (SentinelAnswer a : v.answers()) {
        Map<String, Object> e = new LinkedHashMap<>();
        each.add(e);
        e.put("address", a.sentinel().toString());
        e.put("run_id", a.runId());
        e.put("master", a.master() == null ? null : a.master().toString());
        e.put("problem", a.problem() == null ? null : a.problem().wire());
        e.put("error", a.error());
      }
    }
    Map<String, Object> etcd = putObject(n, "etcd");
    etcd.put("reachable", s.etcdReachable());
    etcd.put("error", s.registryError());
    n.put(FENCE, fence(s.fence()));
    Counters c = s.counters();
    Map<String, Object> counters = putObject(n, "counters");
    counters.put("cycles", c.cycles());
    counters.put("lease_regrants", c.leaseRegrants());
    Map<String, Object> writes = putObject(counters, "etcd_writes");
    c.etcdWrites().entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> writes.put(e.getKey(), e.getValue()));
    Map<String, Object> changes = putObject(counters, "role_changes");
    c.roleChanges().forEach((k, val) -> changes.put(k.from() + "->" + k.to(), val));
    Map<String, Object> errors = putObject(counters, "errors");
    c.errors().forEach((k, val) -> errors.put(k.target() + ":" + k.kind(), val));
    return n;
  }

  /** The {@code fence} object of {@code /status}. */
  static Map<String, Object> fence(FenceStatus f) {
    Map<String, Object> fence = new LinkedHashMap<>();
    fence.put("enabled", f.enabled());
    fence.put("limit_ms", f.limit() == null ? null : f.limit().toMillis());
    fence.put("held", f.held());
    fence.put("since", f.since() == null ? null : f.since().toString());
    fence.put("raised_by", f.raisedBy());
    fence.put("deadline", f.deadline() == null ? null : f.deadline().toString());
    fence.put("fences", f.fences());
    Map<String, Object> lifts = putObject(fence, "lifts");
    f.lifts().entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> lifts.put(e.getKey(), e.getValue()));
    fence.put("clients_disconnected", f.clientsDisconnected());
    fence.put("errors", f.errors());
    fence.put("last_held_ms", f.lastHeld() == null ? null : f.lastHeld().toMillis());
    fence.put("longest_held_ms", f.longestHeld() == null ? null : f.longestHeld().toMillis());
    fence.put("last_lift", f.lastLift());
    return fence;
  }

  /** The fence's state read back from a {@code fence} object as {@link #fence} writes it. */
  static FenceStatus fence(Map<?, ?> n) {
    Map<String, Long> lifts = new HashMap<>();
    if (n.get("lifts") instanceof Map<?, ?> m) {
      m.forEach((k, v) -> lifts.put(String.valueOf(k), number(v)));
    }
    return new FenceStatus(
        Boolean.TRUE.equals(n.get("enabled")),
        millis(n, "limit_ms"),
        Boolean.TRUE.equals(n.get("held")),
        instant(n, "since"),
        text(n, "raised_by"),
        instant(n, "deadline"),
        number(n.get("fences")),
        lifts,
        number(n.get("clients_disconnected")),
        number(n.get("errors")),
        millis(n, "last_held_ms"),
        millis(n, "longest_held_ms"),
        text(n, "last_lift"));
  }

  private static long number(Object v) {
    return v instanceof Number x ? x.longValue() : 0;
  }

  private static String text(Map<?, ?> n, String field) {
    Object v = n.get(field);
    return v == null ? null : v.toString();
  }

  private static Instant instant(Map<?, ?> n, String field) {
    String v = text(n, field);
    return v == null ? null : Instant.parse(v);
  }

  private static Duration millis(Map<?, ?> n, String field) {
    Object v = n.get(field);
    return v == null ? null : Duration.ofMillis(number(v));
  }
}
