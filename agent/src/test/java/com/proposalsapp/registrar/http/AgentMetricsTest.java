package com.proposalsapp.registrar.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.proposalsapp.registrar.core.Counters;
import com.proposalsapp.registrar.core.Counters.ErrorKind;
import com.proposalsapp.registrar.core.Counters.RoleChange;
import com.proposalsapp.registrar.core.FenceStatus;
import com.proposalsapp.registrar.core.HostPort;
import com.proposalsapp.registrar.core.InstanceRecord;
import com.proposalsapp.registrar.core.Observation;
import com.proposalsapp.registrar.core.Replication;
import com.proposalsapp.registrar.core.Role;
import com.proposalsapp.registrar.core.SentinelAnswer;
import com.proposalsapp.registrar.core.SentinelSummary;
import com.proposalsapp.registrar.core.SentinelView;
import com.proposalsapp.registrar.core.Status;
import com.proposalsapp.registrar.core.StatusBoard;
import com.proposalsapp.registrar.core.Verdict;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The metrics as text, read from published statuses. */
class AgentMetricsTest {

  private static final Instant T0 = Instant.parse("2026-12-02T06:00:00Z");
  private static final HostPort MASTER = HostPort.parse("10.0.2.7:6379");

  private final StatusBoard board = new StatusBoard(T0);
  private final AgentMetrics metrics =
      new AgentMetrics(board, "redis-registrar test", "dc1-x", "dc1", "proposalsapp-redis");

  @Test
  void beforeTheFirstCycleTheRoleIsNoneAndNothingIsCounted() {
    String text = scrape();

    assertThat(text)
        .contains(
            "redis_registrar_info{dc=\"dc1\",id=\"dc1-x\",master_name=\"proposalsapp-redis\","
                + "version=\"redis-registrar test\"} 1")
        .contains("redis_registrar_role{role=\"none\"} 1.0")
        .contains("redis_registrar_role{role=\"master\"} 0.0")
        .contains("redis_registrar_published 0.0")
        .contains("redis_registrar_cycles_total 0.0")
        .contains("redis_registrar_cycle_duration_seconds_count 0")
        .doesNotContain("redis_registrar_last_sync_timestamp_seconds ")
        .doesNotContain("redis_registrar_replication_lag_bytes ");
  }

  @Test
  void aPublishedStatusMovesTheGaugesCountersAndHistograms() {
    Counters counters =
        new Counters(
            12,
            Map.of("record", 2L, "record_and_claim", 1L),
            1,
            Map.of(new RoleChange("replica", "master"), 1L),
            Map.of(new ErrorKind("etcd", "unavailable"), 3L));
    board.publish(replicaStatus(Counters.NONE, null));
    board.publish(masterStatus(counters, Duration.ofMillis(420)));

    String text = scrape();

    assertThat(text)
        .contains("redis_registrar_role{role=\"master\"} 1.0")
        .contains("redis_registrar_role{role=\"replica\"} 0.0")
        .contains("redis_registrar_role{role=\"none\"} 0.0")
        .contains("redis_registrar_published 1.0")
        .contains("redis_registrar_master_claimed 1.0")
        .contains("redis_registrar_redis_up 1.0")
        .contains("redis_registrar_etcd_up 1.0")
        .contains("redis_registrar_sentinels_agreeing 3.0")
        .contains("redis_registrar_cycles_total 12.0")
        .contains("redis_registrar_lease_regrants_total 1.0")
        .contains("redis_registrar_etcd_writes_total{kind=\"record_and_claim\"} 1.0")
        .contains("redis_registrar_role_changes_total{from=\"replica\",to=\"master\"} 1.0")
        .contains("redis_registrar_errors_total{kind=\"unavailable\",target=\"etcd\"} 3.0")
        .contains("redis_registrar_cycle_duration_seconds_count 2")
        .contains("redis_registrar_detection_to_commit_seconds_count 1")
        .contains("redis_registrar_detection_to_commit_seconds_bucket{le=\"0.25\"} 0")
        .contains("redis_registrar_detection_to_commit_seconds_bucket{le=\"0.5\"} 1")
        .contains("redis_registrar_last_sync_timestamp_seconds 1.796191202E9");
  }

  @Test
  void aReplicaWithKnownOffsetsExportsItsLag() {
    board.publish(replicaStatus(Counters.NONE, null));

    assertThat(scrape()).contains("redis_registrar_replication_lag_bytes 300.0");
  }

  @Test
  void theFenceLimitIsExportedWhenTheAgentFences() {
    board.publish(replicaStatus(Counters.NONE, null));
    assertThat(scrape()).doesNotContain("redis_registrar_fence_limit_seconds ");

    board.publish(
        replicaStatus(Counters.NONE, null)
            .withFence(FenceStatus.idle(true, Duration.ofMillis(4750))));
    assertThat(scrape()).contains("redis_registrar_fence_limit_seconds 4.75");
  }

  @Test
  void stoppingIsExported() {
    board.publish(replicaStatus(Counters.NONE, null));
    board.stopping();

    assertThat(scrape()).contains("redis_registrar_stopping 1.0");
  }

  private String scrape() {
    Response r = metrics.scrape();
    assertThat(r.code()).isEqualTo(200);
    assertThat(r.contentType()).startsWith("text/plain");
    return new String(r.body(), StandardCharsets.UTF_8);
  }

  private static Status replicaStatus(Counters c, Duration detection) {
    Replication r = new Replication(false, MASTER, true, false, 0, 1000);
    return status(r, 1300L, Role.REPLICA, false, c, detection, T0.plusSeconds(1));
  }

  private static Status masterStatus(Counters c, Duration detection) {
    Replication r = new Replication(true, null, false, false, 2, 5000);
    return status(r, null, Role.MASTER, true, c, detection, T0.plusSeconds(2));
  }

  private static Status status(
      Replication r,
      Long masterOffset,
      Role role,
      boolean claimed,
      Counters c,
      Duration detection,
      Instant at) {
    List<SentinelAnswer> answers =
        List.of(
            SentinelAnswer.named(HostPort.parse("10.0.0.1:26379"), MASTER, 1),
            SentinelAnswer.named(HostPort.parse("10.0.0.2:26379"), MASTER, 1),
            SentinelAnswer.named(HostPort.parse("10.0.0.3:26379"), MASTER, 1));
    SentinelView view = SentinelView.of(answers, 2);
    InstanceRecord record =
        new InstanceRecord(
            "dc1-x",
            "proposalsapp-redis",
            "dc1",
            "10.0.1.5",
            6379,
            role,
            null,
            null,
            null,
            new SentinelSummary(true, MASTER.toString(), 3, 3, 1),
            "redis-registrar test",
            T0);
    return new Status(
        Status.Phase.RUNNING,
        T0,
        at,
        Duration.ofMillis(4),
        new Observation(at, r, null, view, masterOffset),
        new Verdict(role, "test"),
        record,
        true,
        claimed,
        7,
        null,
        detection,
        c,
        FenceStatus.off());
  }
}
