package com.proposalsapp.registrar.core;

import java.util.Map;

/**
 * Running totals since the agent started.
 *
 * @param cycles reconcile cycles run
 * @param etcdWrites etcd writes by kind ({@code record}, {@code record_and_claim}, {@code
 *     record_and_release}, {@code claim}, {@code release}, {@code delete}, {@code revoke})
 * @param leaseRegrants new leases granted after one was lost
 * @param roleChanges published role changes, by {@code from} and {@code to} ({@code none} for no
 *     record)
 * @param errors failures by target ({@code redis}, {@code sentinel}, {@code etcd}) and kind
 */
public record Counters(
    long cycles,
    Map<String, Long> etcdWrites,
    long leaseRegrants,
    Map<RoleChange, Long> roleChanges,
    Map<ErrorKind, Long> errors) {

  /** No counts yet. */
  public static final Counters NONE = new Counters(0, Map.of(), 0, Map.of(), Map.of());

  public Counters {
    etcdWrites = Map.copyOf(etcdWrites);
    roleChanges = Map.copyOf(roleChanges);
    errors = Map.copyOf(errors);
  }

  /** A change of the published role; {@code none} stands for no record. */
  public record RoleChange(String from, String to) {}

  /** A kind of failure of one target ({@code redis}, {@code sentinel}, {@code etcd}). */
  public record ErrorKind(String target, String kind) {}
}
