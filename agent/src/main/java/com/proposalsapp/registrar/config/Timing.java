package com.proposalsapp.registrar.config;

import java.time.Duration;

/**
 * The agent's clocks.
 *
 * @param leaseTtl the TTL of the record's etcd lease
 * @param resyncInterval how often Redis and etcd are compared in full
 * @param pollInterval how often {@code INFO replication} is read
 * @param downAfter how long Redis may be unreachable before the record is withdrawn
 * @param shutdownTimeout the bound on deregistering at SIGTERM
 */
public record Timing(
    Duration leaseTtl,
    Duration resyncInterval,
    Duration pollInterval,
    Duration downAfter,
    Duration shutdownTimeout) {

  static Timing resolve(Resolver r) throws ConfigException {
    return new Timing(
        r.get(Options.LEASE_TTL),
        r.get(Options.RESYNC_INTERVAL),
        r.get(Options.POLL_INTERVAL),
        r.get(Options.DOWN_AFTER),
        r.get(Options.SHUTDOWN_TIMEOUT));
  }
}
