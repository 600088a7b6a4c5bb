package com.proposalsapp.registrar.core;

import java.time.Instant;

/**
 * One look at this instance and the Sentinels.
 *
 * @param at when it was taken
 * @param redis what Redis said; null when it could not be asked
 * @param redisError why Redis could not be asked; null when it answered
 * @param sentinels what the Sentinels said
 */
public record Observation(
    Instant at, Replication redis, String redisError, SentinelView sentinels) {

  /** Whether Redis answered. */
  public boolean redisReachable() {
    return redis != null;
  }
}
