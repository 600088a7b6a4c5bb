package com.proposalsapp.registrar.core;

import java.time.Instant;

/**
 * One look at this instance and the Sentinels.
 *
 * @param at when it was taken
 * @param redis what Redis said; null when it could not be asked
 * @param redisError why Redis could not be asked; null when it answered
 * @param sentinels what the Sentinels said
 * @param masterOffset the replication offset of the master a replica follows, asked of that master;
 *     null for a master, or when it could not be asked
 */
public record Observation(
    Instant at, Replication redis, String redisError, SentinelView sentinels, Long masterOffset) {

  /** An observation without the master's offset. */
  public Observation(Instant at, Replication redis, String redisError, SentinelView sentinels) {
    this(at, redis, redisError, sentinels, null);
  }

  /** Whether Redis answered. */
  public boolean redisReachable() {
    return redis != null;
  }
}
