package com.proposalsapp.registrar.core;

import java.time.Duration;

/** Holds and releases writes on this instance's Redis (Redis in production). */
public interface WriteHold extends AutoCloseable {

  /** Holds every client's writes (they wait, unanswered) for at most {@code bound}. */
  void pause(Duration bound) throws FenceException;

  /** Releases the held writes. */
  void unpause() throws FenceException;

  /** Disconnects the normal clients (never this connection, never replicas); how many. */
  int disconnectClients() throws FenceException;

  /** The replication offsets of the master and of each replica it reports. */
  Offsets offsets() throws FenceException;

  /**
   * A master's replication offsets.
   *
   * @param master {@code master_repl_offset}
   * @param replicas each connected replica's acknowledged offset, by its address
   */
  record Offsets(long master, java.util.Map<HostPort, Long> replicas) {

    public Offsets {
      replicas = java.util.Map.copyOf(replicas);
    }

    /** Whether at least one replica is connected and every replica has the master's offset. */
    public boolean caughtUp() {
      return !replicas.isEmpty() && replicas.values().stream().allMatch(o -> o >= master);
    }
  }

  @Override
  void close();
}
