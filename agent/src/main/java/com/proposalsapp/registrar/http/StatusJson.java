package com.proposalsapp.registrar.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.util.Map;

/** The JSON form of a {@link Status}, as {@code /status} serves it; holds no secret. */
final class StatusJson {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** The field of {@code /status} that holds the write fence's state. */
  static final String FENCE = "fence";

  private StatusJson() {}

  static ObjectNode toNode(String id, Status s) {
    ObjectNode n = MAPPER.createObjectNode();
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
    if (s.desired() != null) {
      n.set("record", RecordJson.toNode(s.desired()));
    } else {
      n.putNull("record");
    }
    Observation o = s.observation();
    ObjectNode redis = n.putObject("redis");
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
    ObjectNode sentinels = n.putObject("sentinels");
    SentinelView v = o == null ? null : o.sentinels();
    if (v != null) {
      sentinels.put("known", v.known());
      sentinels.put("reachable", v.reachable());
      sentinels.put("agreeing", v.agreeing());
      sentinels.put("confirmed", v.confirmed() == null ? null : v.confirmed().toString());
      sentinels.put("epoch", v.epoch());
      sentinels.put("responded", v.responded());
      sentinels.put("misconfigured", v.misconfigured().size());
      ArrayNode each = sentinels.putArray("each");
      for (SentinelAnswer a : v.answers()) {
        ObjectNode e = each.addObject();
        e.put("address", a.sentinel().toString());
        e.put("run_id", a.runId());
        e.put("master", a.master() == null ? null : a.master().toString());
        e.put("problem", a.problem() == null ? null : a.problem().wire());
        e.put("error", a.error());
      }
    }
    ObjectNode etcd = n.putObject("etcd");
    etcd.put("reachable", s.etcdReachable());
    etcd.put("error", s.registryError());
    n.set(FENCE, fence(s.fence()));
    Counters c = s.counters();
    ObjectNode counters = n.putObject("counters");
    counters.put("cycles", c.cycles());
    counters.put("lease_regrants", c.leaseRegrants());
    ObjectNode writes = counters.putObject("etcd_writes");
    c.etcdWrites().entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> writes.put(e.getKey(), e.getValue()));
    ObjectNode changes = counters.putObject("role_changes");
    c.roleChanges().forEach((k, val) -> changes.put(k.from() + "->" + k.to(), val));
    ObjectNode errors = counters.putObject("errors");
    c.errors().forEach((k, val) -> errors.put(k.target() + ":" + k.kind(), val));
    return n;
  }

  /** The {@code fence} object of {@code /status}. */
  static ObjectNode fence(FenceStatus f) {
    ObjectNode fence = MAPPER.createObjectNode();
    fence.put("enabled", f.enabled());
    fence.put("held", f.held());
    fence.put("since", f.since() == null ? null : f.since().toString());
    fence.put("raised_by", f.raisedBy());
    fence.put("deadline", f.deadline() == null ? null : f.deadline().toString());
    fence.put("fences", f.fences());
    ObjectNode lifts = fence.putObject("lifts");
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
  static FenceStatus fence(JsonNode n) {
    Map<String, Long> lifts = new java.util.HashMap<>();
    n.path("lifts").fields().forEachRemaining(e -> lifts.put(e.getKey(), e.getValue().asLong()));
    return new FenceStatus(
        n.path("enabled").asBoolean(),
        n.path("held").asBoolean(),
        instant(n, "since"),
        text(n, "raised_by"),
        instant(n, "deadline"),
        n.path("fences").asLong(),
        lifts,
        n.path("clients_disconnected").asLong(),
        n.path("errors").asLong(),
        millis(n, "last_held_ms"),
        millis(n, "longest_held_ms"),
        text(n, "last_lift"));
  }

  private static String text(JsonNode n, String field) {
    return n.hasNonNull(field) ? n.get(field).asText() : null;
  }

  private static Instant instant(JsonNode n, String field) {
    return n.hasNonNull(field) ? Instant.parse(n.get(field).asText()) : null;
  }

  private static Duration millis(JsonNode n, String field) {
    return n.hasNonNull(field) ? Duration.ofMillis(n.get(field).asLong()) : null;
  }
}
