package com.proposalsapp.registrar.http;

import com.proposalsapp.registrar.core.Counters;
import com.proposalsapp.registrar.core.Role;
import com.proposalsapp.registrar.core.SentinelView;
import com.proposalsapp.registrar.core.Status;
import com.proposalsapp.registrar.core.StatusBoard;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Instant;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The agent's Prometheus metrics, all read from the latest {@link Status} (histograms fed as each
 * status is published), written in the Prometheus text format by the official client.
 */
public final class AgentMetrics {

  private static final double[] CYCLE_BUCKETS = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
  };
  private static final double[] DETECTION_BUCKETS = {
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30
  };

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Histogram cycleDuration;
  private final Histogram detectionToCommit;
  private volatile Instant lastSync;

  /**
   * Registers every metric; {@code board} feeds the histograms and the last-sync time.
   *
   * @param version the agent's name and version
   */
  public AgentMetrics(StatusBoard board, String version, String id, String dc, String masterName) {
    Supplier<Status> status = board::current;
    Info.builder()
        .name("redis_registrar_info")
        .help("The agent: its version, instance id, datacenter and master name.")
        .labelNames("version", "id", "dc", "master_name")
        .register(registry)
        .setLabelValues(version, id, dc, masterName);
    GaugeWithCallback.builder()
        .name("redis_registrar_role")
        .help("1 for the role etcd holds for this instance (none: no record), 0 for the others.")
        .labelNames("role")
        .callback(
            cb -> {
              Role published = status.get().publishedRole();
              for (Role r : Role.values()) {
                cb.call(r == published ? 1 : 0, r.wire());
              }
              cb.call(published == null ? 1 : 0, "none");
            })
        .register(registry);
    gauge(
        "redis_registrar_published",
        "1 when etcd holds the record the agent intends.",
        status,
        s -> flag(s.published()));
    gauge(
        "redis_registrar_master_claimed",
        "1 when the master key names this instance.",
        status,
        s -> flag(s.masterClaimed()));
    gauge(
        "redis_registrar_stopping",
        "1 once the agent is stopping (every check answers 503).",
        status,
        s -> flag(s.phase() == Status.Phase.STOPPING));
    gauge(
        "redis_registrar_redis_up",
        "1 when Redis answered in the last cycle.",
        status,
        s -> flag(s.redisReachable()));
    gauge(
        "redis_registrar_etcd_up",
        "1 when etcd answered in the last cycle.",
        status,
        s -> flag(s.etcdReachable()));
    gauge(
        "redis_registrar_sentinels_known",
        "Sentinels asked in the last cycle.",
        status,
        s -> sentinels(s) == null ? 0 : sentinels(s).known());
    gauge(
        "redis_registrar_sentinels_reachable",
        "Sentinels that answered in the last cycle.",
        status,
        s -> sentinels(s) == null ? 0 : sentinels(s).reachable());
    gauge(
        "redis_registrar_sentinels_agreeing",
        "Sentinels naming the most-named master in the last cycle.",
        status,
        s -> sentinels(s) == null ? 0 : sentinels(s).agreeing());
    gauge(
        "redis_registrar_sentinels_misconfigured",
        "Sentinels that answered with a configuration error in the last cycle (an unknown master"
            + " name, a refused login, a missing permission, TLS, or one Sentinel listed twice).",
        status,
        s -> sentinels(s) == null ? 0 : sentinels(s).misconfigured().size());
    GaugeWithCallback.builder()
        .name("redis_registrar_sentinel_misconfigured")
        .help("1 for each Sentinel that answered with a configuration error in the last cycle.")
        .labelNames("sentinel", "problem")
        .callback(
            cb -> {
              SentinelView v = sentinels(status.get());
              if (v != null) {
                v.misconfigured()
                    .forEach(a -> cb.call(1, a.sentinel().toString(), a.problem().wire()));
              }
            })
        .register(registry);
    GaugeWithCallback.builder()
        .name("redis_registrar_replication_lag_bytes")
        .help("How far this replica is behind its master's offset; absent when not known.")
        .callback(
            cb -> {
              Long lag = status.get().replicationLag();
              if (lag != null) {
                cb.call(lag);
              }
            })
        .register(registry);
    GaugeWithCallback.builder()
        .name("redis_registrar_last_sync_timestamp_seconds")
        .help("When a cycle last ended with etcd answering and holding the intended record.")
        .callback(
            cb -> {
              Instant t = lastSync;
              if (t != null) {
                cb.call(t.toEpochMilli() / 1000.0);
              }
            })
        .register(registry);
    counter(
        "redis_registrar_cycles_total",
        "Reconcile cycles run.",
        status,
        s -> s.counters().cycles());
    counter(
        "redis_registrar_lease_regrants_total",
        "Leases granted after one was lost.",
        status,
        s -> s.counters().leaseRegrants());
    CounterWithCallback.builder()
        .name("redis_registrar_etcd_writes_total")
        .help("Writes to etcd, by kind.")
        .labelNames("kind")
        .callback(cb -> status.get().counters().etcdWrites().forEach((k, v) -> cb.call(v, k)))
        .register(registry);
    CounterWithCallback.builder()
        .name("redis_registrar_role_changes_total")
        .help("Changes of the role published in etcd, from and to (none: no record).")
        .labelNames("from", "to")
        .callback(
            cb ->
                status
                    .get()
                    .counters()
                    .roleChanges()
                    .forEach((k, v) -> cb.call(v, k.from(), k.to())))
        .register(registry);
    CounterWithCallback.builder()
        .name("redis_registrar_errors_total")
        .help("Failures, by target (redis, sentinel, etcd) and kind.")
        .labelNames("target", "kind")
        .callback(
            cb ->
                status
                    .get()
                    .counters()
                    .errors()
                    .forEach((Counters.ErrorKind k, Long v) -> cb.call(v, k.target(), k.kind())))
        .register(registry);
    // fencing (issue 14)
    gauge(
        "redis_registrar_fence_held",
        "1 while the write fence holds writes on this instance.",
        status,
        s -> flag(s.fence().held()));
    counter(
        "redis_registrar_fences_total",
        "Times the write fence held writes.",
        status,
        s -> s.fence().fences());
    CounterWithCallback.builder()
        .name("redis_registrar_fence_lifts_total")
        .help("Times the write fence was lifted, by reason.")
        .labelNames("reason")
        .callback(cb -> status.get().fence().lifts().forEach((k, v) -> cb.call(v, k)))
        .register(registry);
    counter(
        "redis_registrar_fence_clients_disconnected_total",
        "Clients the fence disconnected so that they reconnect to the new master.",
        status,
        s -> s.fence().clientsDisconnected());
    Scrape.seconds(
        registry,
        "redis_registrar_fence_limit_seconds",
        "The longest the write fence holds writes now: --fence-timeout, or less under the"
            + " Sentinels' down-after-milliseconds; absent when the agent does not fence.",
        status,
        s -> s.fence().limit());
    Scrape.seconds(
        registry,
        "redis_registrar_fence_last_held_seconds",
        "How long the last fence held writes; absent before the first.",
        status,
        s -> s.fence().lastHeld());
    cycleDuration =
        Histogram.builder()
            .name("redis_registrar_cycle_duration_seconds")
            .help("How long one reconcile cycle took.")
            .classicOnly()
            .classicUpperBounds(CYCLE_BUCKETS)
            .register(registry);
    detectionToCommit =
        Histogram.builder()
            .name("redis_registrar_detection_to_commit_seconds")
            .help(
                "From the Sentinel event or poll that saw a role change to etcd's answer to its"
                    + " write.")
            .classicOnly()
            .classicUpperBounds(DETECTION_BUCKETS)
            .register(registry);
    board.onPublish(this::observe);
  }

  /** The metrics in the Prometheus text format, as {@code /metrics} serves them. */
  public Response scrape() {
    return Scrape.of(registry);
  }

  /** The {@code /metrics} route. */
  public Route route() {
    return q -> scrape();
  }

  private void observe(Status s) {
    if (s.at() == null) {
      return;
    }
    cycleDuration.observe(s.cycleDuration().toNanos() / 1e9);
    if (s.detectionToCommit() != null) {
      detectionToCommit.observe(s.detectionToCommit().toNanos() / 1e9);
    }
    if (s.published() && s.etcdReachable()) {
      lastSync = s.at();
    }
  }

  private void gauge(
      String name, String help, Supplier<Status> status, ToDoubleFunction<Status> f) {
    Scrape.gauge(registry, name, help, status, f);
  }

  private void counter(
      String name, String help, Supplier<Status> status, ToDoubleFunction<Status> f) {
    Scrape.counter(registry, name, help, status, f);
  }

  private static double flag(boolean b) {
    return Scrape.flag(b);
  }

  private static SentinelView sentinels(Status s) {
    return s.observation() == null ? null : s.observation().sentinels();
  }
}
