package com.proposalsapp.registrar.core;

/**
 * The result of one reconcile cycle.
 *
 * @param verdict the verdict reached; null when Redis could not be asked
 * @param published whether etcd now holds the desired record (or rightly holds none)
 * @param redisError why Redis could not be asked; null when it answered
 * @param registryError why the registry could not be brought up to date; null when it was
 */
public record Outcome(Verdict verdict, boolean published, String redisError, String registryError) {

  /** Whether both Redis and the registry answered. */
  public boolean healthy() {
    return redisError == null && registryError == null;
  }
}
