package com.proposalsapp.registrar.core;

import static com.proposalsapp.registrar.core.RoutePlanTest.A;
import static com.proposalsapp.registrar.core.RoutePlanTest.B;
import static com.proposalsapp.registrar.core.RoutePlanTest.DC2;
import static com.proposalsapp.registrar.core.RoutePlanTest.record;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RouterTest {

  /** A registry whose answer the test sets: a view, or a failure. */
  static final class FakeSource implements RouteSource {
    RouteView view;
    String failure;

    @Override
    public RouteView view() throws RegistryException {
      if (failure != null) {
        throw new RegistryException(failure);
      }
      return view;
    }

    @Override
    public void watchChanges(Runnable listener) {}
  }

  /** HAProxy in memory: applies commands to its slots; a restart brings back the fresh slots. */
  static final class FakeBalancer implements Balancer {
    List<ServerSlot> slots = RoutePlanTest.fresh(3);
    final List<List<SlotChange>> applied = new ArrayList<>();

    @Override
    public List<ServerSlot> slots() {
      return slots;
    }

    @Override
    public void apply(List<SlotChange> commands) {
      applied.add(commands);
      slots = RoutePlanTest.apply(slots, new RoutePlan(commands, List.of()));
    }

    void restart() {
      slots = RoutePlanTest.fresh(3);
    }
  }

  final FakeSource etcd = new FakeSource();
  final FakeBalancer haproxy = new FakeBalancer();
  final Router router = new Router(etcd, haproxy, DC2, Clock.systemUTC());

  void masterIs(InstanceRecord master, InstanceRecord... others) {
    List<InstanceRecord> all = new ArrayList<>(List.of(others));
    all.add(master);
    etcd.view = new RouteView(MasterRecord.of(master), all, List.of());
  }

  @Test
  void leavesHaproxyAloneUntilTheRegistryHasBeenRead() {
    etcd.failure = "etcd at http://127.0.0.1:2379: list timed out";
    Router.Outcome o = router.reconcile(true);
    assertThat(o.registryError()).contains("timed out");
    assertThat(haproxy.applied).isEmpty();
    assertThat(router.status().routes()).isNull();
    assertThat(router.status().healthy()).isFalse();
  }

  @Test
  void keepsTheLastRoutesWhileEtcdIsAwayAndReappliesThemToARestartedHaproxy() {
    masterIs(record("dc1-a", "dc1", A, Role.MASTER), record("dc2-b", "dc2", B, Role.REPLICA));
    router.reconcile(true);
    assertThat(RoutePlanTest.ready(haproxy.slots, Listener.WRITE)).containsExactly(A);

    etcd.failure = "etcd at http://127.0.0.1:2379: list timed out";
    Router.Outcome away = router.reconcile(true);
    assertThat(away.registryError()).isNotNull();
    assertThat(away.applied()).isZero();
    assertThat(router.status().etcdReachable()).isFalse();
    assertThat(RoutePlanTest.ready(haproxy.slots, Listener.WRITE)).containsExactly(A);

    haproxy.restart();
    Router.Outcome reapplied = router.reconcile(false);
    assertThat(reapplied.applied()).isPositive();
    assertThat(RoutePlanTest.ready(haproxy.slots, Listener.WRITE)).containsExactly(A);
    assertThat(RoutePlanTest.ready(haproxy.slots, Listener.READ)).containsExactlyInAnyOrder(A, B);
    assertThat(router.status().slotsByState(Listener.READ))
        .containsEntry(SlotState.READY, 2L)
        .containsEntry(SlotState.MAINT, 1L);
  }

  @Test
  void countsChangesAndAppliesNothingWhenInStep() {
    masterIs(record("dc1-a", "dc1", A, Role.MASTER));
    router.reconcile(true);
    long changes = router.status().changesApplied();
    assertThat(changes).isEqualTo(4); // write: ready + state; read: ready + state
    router.reconcile(true);
    assertThat(router.status().changesApplied()).isEqualTo(changes);
    assertThat(router.status().applies()).isEqualTo(1);
    assertThat(router.status().healthy()).isTrue();
  }

  @Test
  void reportsMoreInstancesThanSlotsAsAProblem() {
    InstanceRecord a = record("dc1-a", "dc1", A, Role.MASTER);
    List<InstanceRecord> many = new ArrayList<>(List.of(a));
    for (int i = 0; i < 4; i++) {
      many.add(record("dc2-" + i, "dc2", HostPort.parse("10.0.9." + i + ":6379"), Role.REPLICA));
    }
    etcd.view = new RouteView(MasterRecord.of(a), many, List.of());
    router.reconcile(true);
    assertThat(router.status().problems()).singleElement().asString().contains("5 servers wanted");
    assertThat(router.status().healthy()).isFalse();
  }
}
