package com.proposalsapp.registrar.http;

import com.proposalsapp.registrar.core.Role;
import com.proposalsapp.registrar.core.Status;
import com.proposalsapp.registrar.etcd.RecordJson;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The agent's role and health checks, each decided from the latest {@link Status} alone: none waits
 * on Redis or etcd.
 */
public final class AgentRoutes {

  /** The least time without a finished cycle after which the loop counts as dead. */
  static final Duration LIVENESS_FLOOR = Duration.ofSeconds(30);

  /** The paths a routing tier or scheduler polls, which all answer 503 once the agent stops. */
  public static final List<String> CHECKS =
      List.of("/master", "/primary", "/replica", "/read-only", "/health");

  private final String id;
  private final Supplier<Status> status;
  private final Duration poll;
  private final Clock clock;

  /**
   * @param id the instance id, named in every answer
   * @param status the latest status (a {@code StatusBoard}'s)
   * @param poll the loop's poll interval: {@code /health} wants a cycle within two of them
   */
  public AgentRoutes(String id, Supplier<Status> status, Duration poll, Clock clock) {
    this.id = id;
    this.status = status;
    this.poll = poll;
    this.clock = clock;
  }

  /** One check's answer: whether it passes and why. */
  record Check(boolean ok, String reason) {
    static final Check PASS = new Check(true, "ok");
  }

  /** The routes, by path; {@code metrics} answers {@code /metrics} (none when null). */
  public Map<String, Route> routes(Route metrics) {
    Map<String, Route> r = new LinkedHashMap<>();
    r.put("/master", q -> answer("master", master(status.get())));
    r.put("/primary", q -> answer("master", master(status.get()))); // Patroni's name for it
    r.put("/replica", q -> answer("replica", replica(status.get(), lag(q))));
    r.put("/read-only", q -> answer("read-only", readOnly(status.get(), lag(q))));
    r.put("/health", q -> answer("health", health(status.get())));
    r.put("/liveness", q -> answer("liveness", liveness(status.get())));
    r.put("/status", q -> Response.json(200, RecordJson.text(statusJson(status.get()))));
    if (metrics != null) {
      r.put("/metrics", metrics);
    }
    return r;
  }

  /** The published role is master and the master key names this instance. */
  Check master(Status s) {
    Check c = published(s, Role.MASTER);
    if (!c.ok()) {
      return c;
    }
    return s.masterClaimed() ? Check.PASS : new Check(false, "the master key does not name " + id);
  }

  /** The published role is replica (link up) and, with {@code maxLag}, within that many bytes. */
  Check replica(Status s, Long maxLag) {
    Check c = published(s, Role.REPLICA);
    if (!c.ok() || maxLag == null) {
      return c;
    }
    Long lag = s.replicationLag();
    if (lag == null) {
      return new Check(false, "the master's replication offset is unknown");
    }
    return lag <= maxLag
        ? Check.PASS
        : new Check(false, "replication lag " + lag + " bytes exceeds " + maxLag);
  }

  /** Master, or a replica that passes {@link #replica}. */
  Check readOnly(Status s, Long maxLag) {
    Check m = master(s);
    if (m.ok()) {
      return m;
    }
    Check r = replica(s, maxLag);
    return r.ok() ? r : new Check(false, "neither master nor replica: " + r.reason());
  }

  /**
   * The loop is running, its last cycle ended within two poll intervals, Redis and etcd both
   * answered in it, and etcd holds the record the agent intends.
   */
  Check health(Status s) {
    if (s.phase() != Status.Phase.RUNNING) {
      return new Check(false, "agent " + s.phase().wire());
    }
    Duration age = Duration.between(s.at(), clock.instant());
    if (age.compareTo(poll.multipliedBy(2)) > 0) {
      return new Check(false, "last cycle ended " + age.toMillis() + " ms ago");
    }
    if (!s.redisReachable()) {
      return new Check(false, "Redis unreachable");
    }
    if (!s.published() || s.desired() == null) {
      return new Check(
          false,
          s.registryError() != null
              ? "not published: " + s.registryError()
              : "the intended record is not published yet");
    }
    return Check.PASS;
  }

  /** The loop finishes cycles: Redis or etcd being down does not fail this, a hung loop does. */
  Check liveness(Status s) {
    Instant last = s.at() != null ? s.at() : s.startedAt();
    Duration age = Duration.between(last, clock.instant());
    Duration limit = poll.multipliedBy(10);
    if (limit.compareTo(LIVENESS_FLOOR) < 0) {
      limit = LIVENESS_FLOOR;
    }
    return age.compareTo(limit) <= 0
        ? Check.PASS
        : new Check(false, "no cycle finished for " + age.toMillis() + " ms");
  }

  private Check published(Status s, Role role) {
    if (s.phase() != Status.Phase.RUNNING) {
      return new Check(false, "agent " + s.phase().wire());
    }
    Role published = s.publishedRole();
    if (published == null) {
      return new Check(false, "no record published");
    }
    if (published != role) {
      return new Check(false, "published role is " + published.wire());
    }
    return Check.PASS;
  }

  private static Long lag(Map<String, String> query) {
    String v = query.get("lag");
    if (v == null) {
      return null;
    }
    try {
      long n = Long.parseLong(v.trim());
      if (n < 0) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("lag must be a number of bytes >= 0, not '" + v + "'");
    }
  }

  private Response answer(String check, Check c) {
    Status s = status.get();
    Map<String, Object> n = new LinkedHashMap<>();
    n.put("id", id);
    n.put("check", check);
    n.put("ok", c.ok());
    n.put("role", s.publishedRole() == null ? "none" : s.publishedRole().wire());
    n.put("reason", c.reason());
    return Response.json(c.ok() ? 200 : 503, RecordJson.text(n));
  }

  /** The whole status as JSON, with each check's answer. */
  Map<String, Object> statusJson(Status s) {
    Map<String, Object> n = StatusJson.toNode(id, s);
    Map<String, Object> checks = RecordJson.putObject(n, "checks");
    checks.put("master", master(s).ok());
    checks.put("replica", replica(s, null).ok());
    checks.put("read_only", readOnly(s, null).ok());
    checks.put("health", health(s).ok());
    checks.put("liveness", liveness(s).ok());
    return n;
  }
}
