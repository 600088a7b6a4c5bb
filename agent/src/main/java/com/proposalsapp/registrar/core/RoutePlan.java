package com.proposalsapp.registrar.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The commands that bring a load balancer's slots to the desired routes, and what could not be
 * done.
 *
 * <p>A slot already pointing at a wanted address and ready is left alone (its connections are
 * right). A new address takes a free slot (one in maintenance); every slot that leaves goes to
 * maintenance and has its sessions shut down, so that clients reconnect to what is wanted now. On
 * the read listener a new server is made ready before anything leaves, so reads never find it
 * empty; on the write listener the old master is cut before the new one is made ready, so there is
 * never a moment with two servers taking writes (a connection made in between fails fast and is
 * retried). Addresses are taken in a fixed order, so the same state always gives the same plan.
 *
 * @param commands in the order to apply them
 * @param problems one line per thing that could not be done (more instances than slots)
 */
public record RoutePlan(List<SlotChange> commands, List<String> problems) {

  public RoutePlan {
    commands = List.copyOf(commands);
    problems = List.copyOf(problems);
  }

  /** Whether the slots are already as wanted. */
  public boolean isEmpty() {
    return commands.isEmpty();
  }

  /** The plan for both listeners: the write listener's commands first. */
  public static RoutePlan of(List<ServerSlot> slots, DesiredRoutes desired) {
    List<SlotChange> commands = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (Listener l : Listener.values()) {
      List<ServerSlot> mine = slots.stream().filter(s -> s.listener() == l).toList();
      plan(l, mine, desired.of(l), commands, problems);
    }
    return new RoutePlan(commands, problems);
  }

  private static void plan(
      Listener l,
      List<ServerSlot> slots,
      Map<HostPort, Integer> wanted,
      List<SlotChange> out,
      List<String> problems) {
    Map<HostPort, ServerSlot> assigned = new LinkedHashMap<>();
    // Ready slots already right keep their connections; then slots pointing at a wanted address
    // that are draining or in maintenance are the cheapest to bring back.
    for (ServerSlot s : slots) {
      if (s.ready() && wanted.containsKey(s.address())) {
        assigned.putIfAbsent(s.address(), s);
      }
    }
    for (ServerSlot s : slots) {
      if (!s.ready() && wanted.containsKey(s.address()) && !assigned.containsValue(s)) {
        assigned.putIfAbsent(s.address(), s);
      }
    }
    Set<ServerSlot> used = new HashSet<>(assigned.values());
    List<ServerSlot> free = new ArrayList<>();
    List<ServerSlot> leaving = new ArrayList<>();
    for (ServerSlot s : slots) {
      if (used.contains(s)) {
        continue;
      }
      (s.state() == SlotState.MAINT ? free : leaving).add(s);
    }
    List<SlotChange> enable = new ArrayList<>();
    List<SlotChange> repurpose = new ArrayList<>();
    int missing = 0;
    List<Map.Entry<HostPort, Integer>> inOrder =
        wanted.entrySet().stream()
            .sorted(Comparator.comparing((Map.Entry<HostPort, Integer> e) -> e.getKey().toString()))
            .toList();
    for (Map.Entry<HostPort, Integer> e : inOrder) {
      HostPort address = e.getKey();
      int weight = e.getValue();
      ServerSlot s = assigned.get(address);
      if (s != null) {
        if (s.weight() != weight) {
          enable.add(new SlotChange.SetWeight(l, s.name(), weight));
        }
        if (!s.ready()) {
          enable.add(new SlotChange.SetState(l, s.name(), SlotState.READY));
        }
        continue;
      }
      List<SlotChange> into = enable;
      if (!free.isEmpty()) {
        s = free.remove(0);
      } else if (!leaving.isEmpty()) {
        // No free slot: take one that leaves anyway, emptied first so that no connection made to
        // its old address survives the move.
        s = leaving.remove(0);
        repurpose.add(new SlotChange.SetState(l, s.name(), SlotState.MAINT));
        repurpose.add(new SlotChange.ShutdownSessions(l, s.name()));
        into = repurpose;
      } else {
        missing++;
        continue;
      }
      if (!s.address().equals(address)) {
        into.add(new SlotChange.SetAddress(l, s.name(), address));
      }
      if (s.weight() != weight) {
        into.add(new SlotChange.SetWeight(l, s.name(), weight));
      }
      into.add(new SlotChange.SetState(l, s.name(), SlotState.READY));
    }
    if (missing > 0) {
      problems.add(
          l.name().toLowerCase(java.util.Locale.ROOT)
              + " listener: "
              + wanted.size()
              + " servers wanted but only "
              + slots.size()
              + " slots; "
              + missing
              + " left out (raise --slots and restart HAProxy on the new configuration)");
    }
    List<SlotChange> cut = new ArrayList<>();
    for (ServerSlot s : leaving) {
      cut.add(new SlotChange.SetState(l, s.name(), SlotState.MAINT));
      cut.add(new SlotChange.ShutdownSessions(l, s.name()));
    }
    if (l == Listener.WRITE) {
      out.addAll(cut);
      out.addAll(repurpose);
      out.addAll(enable);
    } else {
      out.addAll(enable);
      out.addAll(repurpose);
      out.addAll(cut);
    }
  }
}
