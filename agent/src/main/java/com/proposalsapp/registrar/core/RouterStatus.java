package com.proposalsapp.registrar.core;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The router as of its last cycle: an immutable snapshot for status output, health and metrics.
 *
 * @param updated when the cycle that made it ended
 * @param etcdError why the registry could not be read; null when it answered
 * @param haproxyError why the load balancer could not be read or changed; null when it could
 * @param routes what the router routes to: the last routes read from the registry, kept while it is
 *     away; null before the first successful read
 * @param slots the load balancer's slots as last read (after the cycle's changes)
 * @param changesApplied commands applied to the load balancer since start
 * @param applies requests that applied at least one command since start
 * @param lastApplyLatency from the start of the cycle that found a difference to the balancer's
 *     answer, for the last such cycle; zero before any
 * @param applyLatencyTotal the sum of every apply latency (with {@code applies}, a mean)
 * @param problems what is wrong besides reachability (more instances than slots), one line each
 */
public record RouterStatus(
    Instant updated,
    String etcdError,
    String haproxyError,
    DesiredRoutes routes,
    List<ServerSlot> slots,
    long changesApplied,
    long applies,
    Duration lastApplyLatency,
    Duration applyLatencyTotal,
    List<String> problems) {

  public RouterStatus {
    slots = List.copyOf(slots);
    problems = List.copyOf(problems);
  }

  /** Before the first cycle. */
  public static RouterStatus initial(Instant now) {
    return new RouterStatus(
        now,
        "not read yet",
        "not read yet",
        null,
        List.of(),
        0,
        0,
        Duration.ZERO,
        Duration.ZERO,
        List.of());
  }

  public boolean etcdReachable() {
    return etcdError == null;
  }

  public boolean haproxyReachable() {
    return haproxyError == null;
  }

  /** Whether the router is doing its job: HAProxy in step with routes it has read. */
  public boolean healthy() {
    return haproxyReachable() && routes != null && problems.isEmpty();
  }

  /** How many slots of {@code listener} are in each state. */
  public Map<SlotState, Long> slotsByState(Listener listener) {
    Map<SlotState, Long> out = new EnumMap<>(SlotState.class);
    for (SlotState s : SlotState.values()) {
      out.put(s, 0L);
    }
    for (ServerSlot s : slots) {
      if (s.listener() == listener) {
        out.merge(s.state(), 1L, Long::sum);
      }
    }
    return out;
  }
}
