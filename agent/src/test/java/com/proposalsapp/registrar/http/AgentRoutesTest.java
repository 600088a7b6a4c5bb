package com.proposalsapp.registrar.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.proposalsapp.registrar.core.Counters;
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
import com.proposalsapp.registrar.core.Verdict;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Every check's answer, decided from a status alone. */
class AgentRoutesTest {

  private static final Instant T0 = Instant.parse("2026-12-02T06:00:00Z");
  private static final Duration POLL = Duration.ofSeconds(1);
  private static final HostPort MASTER = HostPort.parse("10.0.2.7:6379");
  private static final String ID = "dc1-10.0.1.5-6379";

  private final AtomicReference<Status> status = new AtomicReference<>(Status.starting(T0));
  private final AtomicReference<Instant> now = new AtomicReference<>(T0.plusMillis(500));
  private final Clock clock =
      new Clock() {
        @Override
        public Instant instant() {
          return now.get();
        }

        @Override
        public java.time.ZoneId getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
          return this;
        }
      };
  private final Map<String, Route> routes =
      new AgentRoutes(ID, status::get, POLL, clock).routes(q -> Response.text(200, "metrics"));

  @Test
  void beforeTheFirstCycleOnlyLivenessAndStatusPass() {
    assertThat(code("/master")).isEqualTo(503);
    assertThat(code("/replica")).isEqualTo(503);
    assertThat(code("/read-only")).isEqualTo(503);
    assertThat(code("/health")).isEqualTo(503);
    assertThat(code("/liveness")).isEqualTo(200);
    assertThat(code("/status")).isEqualTo(200);
  }

  @Test
  void aPublishedMasterWithTheMasterKeyPassesMasterReadOnlyAndHealthOnly() {
    status.set(master(true));

    assertThat(code("/master")).isEqualTo(200);
    assertThat(code("/primary")).isEqualTo(200);
    assertThat(code("/read-only")).isEqualTo(200);
    assertThat(code("/replica")).isEqualTo(503);
    assertThat(code("/health")).isEqualTo(200);
    assertThat(json("/master").path("role").asText()).isEqualTo("master");
    assertThat(json("/master").path("id").asText()).isEqualTo(ID);
  }

  @Test
  void aMasterWithoutTheMasterKeyIsNotRoutedWrites() {
    status.set(master(false));

    assertThat(code("/master")).isEqualTo(503);
    assertThat(json("/master").path("reason").asText()).contains("master key");
    assertThat(code("/health")).isEqualTo(200);
  }

  @Test
  void aReplicaPassesReplicaAndLagWithinTheBoundOnly() {
    status.set(replica(1000, 1300L));

    assertThat(code("/replica")).isEqualTo(200);
    assertThat(code("/replica?lag=300")).isEqualTo(200);
    assertThat(code("/replica?lag=299")).isEqualTo(503);
    assertThat(json("/replica?lag=299").path("reason").asText()).contains("300");
    assertThat(code("/read-only?lag=299")).isEqualTo(503);
    assertThat(code("/read-only")).isEqualTo(200);
    assertThat(code("/master")).isEqualTo(503);
  }

  @Test
  void aLagBoundFailsWhenTheMastersOffsetIsUnknown() {
    status.set(replica(1000, null));

    assertThat(code("/replica")).isEqualTo(200);
    assertThat(code("/replica?lag=1000000")).isEqualTo(503);
  }

  @Test
  void aBadLagIsABadRequest() {
    status.set(replica(1000, 1300L));

    assertThatThrownBy(() -> routes.get("/replica").answer(Map.of("lag", "-1")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("lag");
  }

  @Test
  void stoppingFailsEveryRoleAndHealthCheckButNotLiveness() {
    status.set(master(true).withPhase(Status.Phase.STOPPING));

    assertThat(code("/master")).isEqualTo(503);
    assertThat(code("/read-only")).isEqualTo(503);
    assertThat(code("/health")).isEqualTo(503);
    assertThat(json("/health").path("reason").asText()).contains("stopping");
    assertThat(code("/liveness")).isEqualTo(200);
  }

  @Test
  void healthFailsAfterTwoPollsWithoutACycleAndLivenessAfterThirtySeconds() {
    status.set(master(true));
    now.set(T0.plus(POLL.multipliedBy(2)));
    assertThat(code("/health")).isEqualTo(200);

    now.set(T0.plus(POLL.multipliedBy(2)).plusMillis(1));
    assertThat(code("/health")).isEqualTo(503);
    assertThat(code("/master")).as("the role is still what etcd holds").isEqualTo(200);
    assertThat(code("/liveness")).isEqualTo(200);

    now.set(T0.plusSeconds(31));
    assertThat(code("/liveness")).isEqualTo(503);
  }

  @Test
  void aRedisOutageFailsHealthButNotLiveness() {
    Status down =
        new Status(
            Status.Phase.RUNNING,
            T0,
            T0,
            Duration.ofMillis(3),
            new Observation(T0, null, "Redis at 127.0.0.1:6379: connection refused", view(), null),
            null,
            record(Role.REPLICA),
            false,
            false,
            7,
            null,
            null,
            Counters.NONE,
            FenceStatus.off());
    status.set(down);

    assertThat(code("/health")).isEqualTo(503);
    assertThat(code("/liveness")).isEqualTo(200);
    assertThat(json("/status").path("redis").path("reachable").asBoolean(true)).isFalse();
  }

  @Test
  void statusCarriesTheSnapshotAndEachCheck() {
    status.set(replica(1000, 1300L));

    JsonNode s = json("/status");

    assertThat(s.path("phase").asText()).isEqualTo("running");
    assertThat(s.path("published_role").asText()).isEqualTo("replica");
    assertThat(s.path("redis").path("lag_bytes").asLong()).isEqualTo(300);
    assertThat(s.path("sentinels").path("agreeing").asInt()).isEqualTo(3);
    assertThat(s.path("record").path("http").asText()).isEqualTo("10.0.1.5:8008");
    assertThat(s.path("checks").path("replica").asBoolean()).isTrue();
    assertThat(s.path("checks").path("master").asBoolean()).isFalse();
  }

  @Test
  void unknownPathsAreNotRoutes() {
    assertThat(routes).doesNotContainKey("/");
    assertThat(routes).containsKeys("/metrics", "/status", "/liveness");
  }

  private int code(String pathAndQuery) {
    return answer(pathAndQuery).code();
  }

  private JsonNode json(String pathAndQuery) {
    try {
      return new ObjectMapper()
          .readTree(new String(answer(pathAndQuery).body(), StandardCharsets.UTF_8));
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  private Response answer(String pathAndQuery) {
    int q = pathAndQuery.indexOf('?');
    String path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
    Map<String, String> query =
        q < 0
            ? Map.of()
            : Map.of(
                pathAndQuery.substring(q + 1).split("=")[0],
                pathAndQuery.substring(q + 1).split("=")[1]);
    return routes.get(path).answer(query);
  }

  private static Status master(boolean claimed) {
    Replication r = new Replication(true, null, false, false, 2, 5000);
    return running(r, null, Role.MASTER, claimed);
  }

  private static Status replica(long offset, Long masterOffset) {
    Replication r = new Replication(false, MASTER, true, false, 0, offset);
    return running(r, masterOffset, Role.REPLICA, false);
  }

  private static Status running(Replication r, Long masterOffset, Role role, boolean claimed) {
    return new Status(
        Status.Phase.RUNNING,
        T0,
        T0,
        Duration.ofMillis(3),
        new Observation(T0, r, null, view(), masterOffset),
        new Verdict(role, "test"),
        record(role),
        true,
        claimed,
        7,
        null,
        null,
        Counters.NONE,
        FenceStatus.off());
  }

  private static SentinelView view() {
    List<SentinelAnswer> answers =
        List.of(
            SentinelAnswer.named(HostPort.parse("10.0.0.1:26379"), MASTER, 1),
            SentinelAnswer.named(HostPort.parse("10.0.0.2:26379"), MASTER, 1),
            SentinelAnswer.named(HostPort.parse("10.0.0.3:26379"), MASTER, 1));
    return SentinelView.of(answers, 2);
  }

  private static InstanceRecord record(Role role) {
    boolean follows = role != Role.MASTER;
    return new InstanceRecord(
        ID,
        "proposalsapp-redis",
        "dc1",
        "10.0.1.5",
        6379,
        role,
        follows ? MASTER.host() : null,
        follows ? MASTER.port() : null,
        follows ? "up" : null,
        new SentinelSummary(true, MASTER.toString(), 3, 3, 1),
        "redis-registrar test",
        T0,
        "10.0.1.5:8008");
  }
}
