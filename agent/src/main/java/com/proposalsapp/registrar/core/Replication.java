package com.proposalsapp.registrar.core;

/**
 * What a Redis server says of itself in {@code INFO replication}.
 *
 * @param master true when {@code role:master}
 * @param masterAddress the master a replica follows; null for a master
 * @param linkUp {@code master_link_status:up} (always false for a master)
 * @param syncInProgress {@code master_sync_in_progress:1}
 * @param connectedReplicas {@code connected_slaves} on a master
 * @param offset the replication offset (a replica's own, {@code slave_repl_offset})
 */
public record Replication(
    boolean master,
    HostPort masterAddress,
    boolean linkUp,
    boolean syncInProgress,
    int connectedReplicas,
    long offset) {

  public Replication {
    if (!master && masterAddress == null) {
      throw new IllegalArgumentException("a replica must name its master");
    }
  }
}
