package com.proposalsapp.registrar.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.proposalsapp.registrar.core.DesiredRoutes;
import com.proposalsapp.registrar.core.HostPort;
import com.proposalsapp.registrar.core.Listener;
import com.proposalsapp.registrar.core.RouterStatus;
import com.proposalsapp.registrar.core.ServerSlot;
import com.proposalsapp.registrar.core.SlotState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouterPagesTest {

  static final HostPort A = HostPort.parse("10.0.1.5:6379");
  static final HostPort FREE = HostPort.parse("127.0.0.1:1");

  static RouterStatus status(String etcdError, List<String> problems) {
    return new RouterStatus(
        Instant.parse("2026-12-02T06:00:00Z"),
        etcdError,
        null,
        new DesiredRoutes(Map.of(A, 1), Map.of(A, 10), List.of()),
        List.of(
            new ServerSlot(Listener.WRITE, "s1", A, SlotState.READY, 1),
            new ServerSlot(Listener.WRITE, "s2", FREE, SlotState.MAINT, 1),
            new ServerSlot(Listener.READ, "s1", A, SlotState.READY, 10)),
        4,
        1,
        Duration.ofMillis(3),
        Duration.ofMillis(3),
        problems);
  }

  @Test
  void healthyWhileHaproxyFollowsRoutesReadEvenWithEtcdAway() {
    assertThat(RouterPages.healthCode(status(null, List.of()))).isEqualTo(200);
    RouterStatus away = status("etcd at http://127.0.0.1:2379: list timed out", List.of());
    assertThat(RouterPages.healthCode(away)).isEqualTo(200);
    assertThat(RouterPages.health(away)).contains("\"etcd_reachable\":false");
    assertThat(RouterPages.healthCode(status(null, List.of("read listener: 9 servers wanted"))))
        .isEqualTo(503);
  }

  @Test
  void metricsCountChangesLatencyAndServersByState() {
    RouterStatus st = status(null, List.of());
    String m =
        new String(
            RouterPages.routes(() -> st).get("/metrics").answer(Map.of()).body(),
            java.nio.charset.StandardCharsets.UTF_8);
    assertThat(m)
        .contains("redis_registrar_route_changes_applied_total 4.0\n")
        .contains("redis_registrar_route_apply_seconds_total 0.003\n")
        .contains("redis_registrar_route_applies_total 1.0\n")
        .contains("redis_registrar_route_servers{listener=\"write\",state=\"ready\"} 1.0\n")
        .contains("redis_registrar_route_servers{listener=\"write\",state=\"maint\"} 1.0\n")
        .contains("redis_registrar_route_servers{listener=\"read\",state=\"drain\"} 0.0\n")
        .contains("redis_registrar_route_etcd_reachable 1.0\n")
        .contains("# TYPE redis_registrar_route_servers gauge");
  }

  @Test
  void statusShowsRoutesAndSlots() {
    String s = RouterPages.status(status(null, List.of()));
    assertThat(s)
        .contains("\"write\":{\"10.0.1.5:6379\":1}")
        .contains(
            "{\"listener\":\"write\",\"slot\":\"s2\",\"address\":\"127.0.0.1:1\",\"state\":\"maint\",\"weight\":1}");
  }
}
