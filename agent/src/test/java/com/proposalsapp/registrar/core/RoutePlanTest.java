package com.proposalsapp.registrar.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.proposalsapp.registrar.core.SlotChange.SetAddress;
import com.proposalsapp.registrar.core.SlotChange.SetState;
import com.proposalsapp.registrar.core.SlotChange.SetWeight;
import com.proposalsapp.registrar.core.SlotChange.ShutdownSessions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RoutePlanTest {

  static final HostPort A = HostPort.parse("10.0.1.5:6379");
  static final HostPort B = HostPort.parse("10.0.2.7:6379");
  static final HostPort C = HostPort.parse("10.0.3.9:6379");
  static final HostPort FREE = HostPort.parse("127.0.0.1:1");
  static final RoutePolicy DC2 = new RoutePolicy("dc2", 10, 1);

  /** {@code n} free slots per listener, as HAProxy starts on the printed configuration. */
  static List<ServerSlot> fresh(int n) {
    List<ServerSlot> out = new ArrayList<>();
    for (Listener l : Listener.values()) {
      for (int i = 1; i <= n; i++) {
        out.add(new ServerSlot(l, "s" + i, FREE, SlotState.MAINT, 1));
      }
    }
    return out;
  }

  /** Applies a plan to slots the way HAProxy does. */
  static List<ServerSlot> apply(List<ServerSlot> slots, RoutePlan plan) {
    List<ServerSlot> out = new ArrayList<>(slots);
    for (SlotChange c : plan.commands()) {
      for (int i = 0; i < out.size(); i++) {
        ServerSlot s = out.get(i);
        if (s.listener() != c.listener() || !s.name().equals(c.slot())) {
          continue;
        }
        if (c instanceof SetAddress a) {
          out.set(i, new ServerSlot(s.listener(), s.name(), a.address(), s.state(), s.weight()));
        } else if (c instanceof SetWeight w) {
          out.set(i, new ServerSlot(s.listener(), s.name(), s.address(), s.state(), w.weight()));
        } else if (c instanceof SetState st) {
          out.set(i, new ServerSlot(s.listener(), s.name(), s.address(), st.state(), s.weight()));
        }
      }
    }
    return out;
  }

  static DesiredRoutes routes(Map<HostPort, Integer> write, Map<HostPort, Integer> read) {
    return new DesiredRoutes(write, read, List.of());
  }

  static List<HostPort> ready(List<ServerSlot> slots, Listener l) {
    return slots.stream()
        .filter(s -> s.listener() == l && s.ready())
        .map(ServerSlot::address)
        .toList();
  }

  @Test
  void fillsFreeSlotsFromAFreshHaproxy() {
    DesiredRoutes want = routes(Map.of(A, 1), Map.of(A, 1, B, 10));
    RoutePlan plan = RoutePlan.of(fresh(3), want);
    List<ServerSlot> after = apply(fresh(3), plan);
    assertThat(ready(after, Listener.WRITE)).containsExactly(A);
    assertThat(ready(after, Listener.READ)).containsExactlyInAnyOrder(A, B);
    assertThat(after)
        .filteredOn(s -> s.listener() == Listener.READ && s.address().equals(B))
        .extracting(ServerSlot::weight)
        .containsExactly(10);
    assertThat(plan.commands()).noneMatch(c -> c instanceof ShutdownSessions);
    assertThat(RoutePlan.of(after, want).isEmpty()).as("applied: nothing left to do").isTrue();
  }

  @Test
  void aMasterChangeCutsTheOldOneBeforeEnablingTheNewSoTwoNeverTakeWrites() {
    List<ServerSlot> before =
        apply(fresh(2), RoutePlan.of(fresh(2), routes(Map.of(A, 1), Map.of())));
    RoutePlan plan = RoutePlan.of(before, routes(Map.of(B, 1), Map.of()));
    assertThat(plan.commands())
        .containsExactly(
            new SetState(Listener.WRITE, "s1", SlotState.MAINT),
            new ShutdownSessions(Listener.WRITE, "s1"),
            new SetAddress(Listener.WRITE, "s2", B),
            new SetState(Listener.WRITE, "s2", SlotState.READY));
    assertThat(ready(apply(before, plan), Listener.WRITE)).containsExactly(B);
  }

  @Test
  void noMasterLeavesTheWriteListenerEmptyAndCutsItsSessions() {
    List<ServerSlot> before =
        apply(fresh(2), RoutePlan.of(fresh(2), routes(Map.of(A, 1), Map.of(A, 1))));
    RoutePlan plan = RoutePlan.of(before, routes(Map.of(), Map.of(A, 1)));
    assertThat(plan.commands())
        .containsExactly(
            new SetState(Listener.WRITE, "s1", SlotState.MAINT),
            new ShutdownSessions(Listener.WRITE, "s1"));
    assertThat(ready(apply(before, plan), Listener.WRITE)).isEmpty();
  }

  @Test
  void slotsAlreadyRightAreLeftAloneSoTheirSessionsLive() {
    // What a restarted router finds: HAProxy already routing as wanted, in slots of its own order.
    List<ServerSlot> current =
        List.of(
            new ServerSlot(Listener.WRITE, "s1", FREE, SlotState.MAINT, 1),
            new ServerSlot(Listener.WRITE, "s2", A, SlotState.READY, 1),
            new ServerSlot(Listener.READ, "s1", B, SlotState.READY, 10),
            new ServerSlot(Listener.READ, "s2", A, SlotState.READY, 1),
            new ServerSlot(Listener.READ, "s3", C, SlotState.MAINT, 1));
    assertThat(RoutePlan.of(current, routes(Map.of(A, 1), Map.of(A, 1, B, 10))).commands())
        .isEmpty();
  }

  @Test
  void aReturningInstanceReusesItsSlotAndAWeightChangeIsOneCommand() {
    List<ServerSlot> current =
        List.of(
            new ServerSlot(Listener.READ, "s1", B, SlotState.READY, 1),
            new ServerSlot(Listener.READ, "s2", C, SlotState.MAINT, 1),
            new ServerSlot(Listener.READ, "s3", FREE, SlotState.MAINT, 1));
    RoutePlan plan = RoutePlan.of(current, routes(Map.of(), Map.of(B, 10, C, 1)));
    assertThat(plan.commands())
        .containsExactly(
            new SetWeight(Listener.READ, "s1", 10),
            new SetState(Listener.READ, "s2", SlotState.READY));
  }

  @Test
  void anInstanceLeavingThePoolHasItsSessionsShutDown() {
    List<ServerSlot> current =
        List.of(
            new ServerSlot(Listener.READ, "s1", B, SlotState.READY, 10),
            new ServerSlot(Listener.READ, "s2", C, SlotState.DRAIN, 1));
    assertThat(RoutePlan.of(current, routes(Map.of(), Map.of(B, 10))).commands())
        .containsExactly(
            new SetState(Listener.READ, "s2", SlotState.MAINT),
            new ShutdownSessions(Listener.READ, "s2"));
  }

  @Test
  void aReadServerChangeEnablesTheNewOneBeforeCuttingTheOldSoReadsNeverFindNone() {
    List<ServerSlot> before =
        apply(fresh(2), RoutePlan.of(fresh(2), routes(Map.of(), Map.of(A, 1))));
    RoutePlan plan = RoutePlan.of(before, routes(Map.of(), Map.of(B, 1)));
    assertThat(plan.commands())
        .containsExactly(
            new SetAddress(Listener.READ, "s2", B),
            new SetState(Listener.READ, "s2", SlotState.READY),
            new SetState(Listener.READ, "s1", SlotState.MAINT),
            new ShutdownSessions(Listener.READ, "s1"));
  }

  @Test
  void withoutAFreeSlotALeavingOneIsEmptiedBeforeItMoves() {
    List<ServerSlot> current = List.of(new ServerSlot(Listener.WRITE, "s1", A, SlotState.READY, 1));
    assertThat(RoutePlan.of(current, routes(Map.of(B, 1), Map.of())).commands())
        .containsExactly(
            new SetState(Listener.WRITE, "s1", SlotState.MAINT),
            new ShutdownSessions(Listener.WRITE, "s1"),
            new SetAddress(Listener.WRITE, "s1", B),
            new SetState(Listener.WRITE, "s1", SlotState.READY));
  }

  @Test
  void moreInstancesThanSlotsIsAProblemNamingTheListenerAndTheCounts() {
    RoutePlan plan = RoutePlan.of(fresh(2), routes(Map.of(), Map.of(A, 1, B, 10, C, 1)));
    assertThat(plan.problems())
        .containsExactly(
            "read listener: 3 servers wanted but only 2 slots; 1 left out (raise --slots and"
                + " restart HAProxy on the new configuration)");
    assertThat(ready(apply(fresh(2), plan), Listener.READ)).hasSize(2);
  }

  @Test
  void desiredRoutesFollowTheMasterKeyOnlyWhileItsRecordSaysMaster() {
    InstanceRecord a = record("dc1-a", "dc1", A, Role.MASTER);
    InstanceRecord b = record("dc2-b", "dc2", B, Role.REPLICA);
    InstanceRecord c = record("dc3-c", "dc3", C, Role.SYNCING);
    MasterRecord key = MasterRecord.of(a);
    DesiredRoutes d = DesiredRoutes.from(new RouteView(key, List.of(c, b, a), List.of()), DC2);
    assertThat(d.write()).containsExactly(Map.entry(A, 1));
    assertThat(d.read()).containsExactly(Map.entry(A, 1), Map.entry(B, 10));

    InstanceRecord aStale = record("dc1-a", "dc1", A, Role.STALE);
    DesiredRoutes stale =
        DesiredRoutes.from(new RouteView(key, List.of(aStale, b), List.of()), DC2);
    assertThat(stale.write()).as("master key names a record that says stale").isEmpty();
    assertThat(stale.read()).containsOnlyKeys(B);

    assertThat(DesiredRoutes.from(new RouteView(null, List.of(a, b), List.of()), DC2).write())
        .as("no master key")
        .isEmpty();
    MasterRecord elsewhere = new MasterRecord("dc1-a", "dc1", "10.9.9.9", 6379, 1, Instant.EPOCH);
    assertThat(DesiredRoutes.from(new RouteView(elsewhere, List.of(a), List.of()), DC2).write())
        .as("master key and record disagree on the address")
        .isEmpty();
  }

  @Test
  void desiredRoutesLeaveOutHostnamesAndDuplicateAddressesSayingWhy() {
    InstanceRecord named =
        record("dc1-x", "dc1", HostPort.parse("redis-1.internal:6379"), Role.REPLICA);
    InstanceRecord b1 = record("dc2-b", "dc2", B, Role.REPLICA);
    InstanceRecord b2 = record("dc2-b2", "dc2", B, Role.REPLICA);
    DesiredRoutes d =
        DesiredRoutes.from(new RouteView(null, List.of(named, b2, b1), List.of()), DC2);
    assertThat(d.read()).containsOnlyKeys(B);
    assertThat(d.ignored())
        .containsExactly(
            "instance dc1-x: host 'redis-1.internal' is not an IP address (HAProxy's Runtime API"
                + " takes addresses only)",
            "instance dc2-b2: address 10.0.2.7:6379 is also dc2-b");
  }

  static InstanceRecord record(String id, String dc, HostPort at, Role role) {
    return new InstanceRecord(
        id,
        "proposalsapp-redis",
        dc,
        at.host(),
        at.port(),
        role,
        role == Role.REPLICA ? "10.0.1.5" : null,
        role == Role.REPLICA ? 6379 : null,
        role == Role.REPLICA ? "up" : null,
        new SentinelSummary(true, "10.0.1.5:6379", 3, 3, 1),
        "test",
        Instant.EPOCH);
  }
}
