package com.proposalsapp.registrar.core;

import java.time.Duration;
import java.time.Instant;

/**
 * What the agent knew after its last cycle, as one immutable value: HTTP, metrics and {@code check}
 * all read this.
 *
 * @param phase where the daemon is in its life
 * @param startedAt when the daemon (or the check) started
 * @param at when the last cycle ended; null before the first
 * @param cycleDuration how long the last cycle took; zero before the first
 * @param observation the last look at Redis and the Sentinels; null before the first
 * @param verdict the last verdict; null when Redis could not be asked
 * @param desired the record the agent wants published; null when it wants none
 * @param published whether etcd holds {@code desired} under the agent's lease (or rightly holds
 *     none)
 * @param masterClaimed whether the master key names this instance, as far as the agent knows
 * @param lease the lease the record is written under; 0 when none
 * @param registryError why etcd could not be brought up to date in the last cycle; null when it was
 * @param detectionToCommit from the observation that saw a role change to etcd's answer, for the
 *     change committed in the last cycle; null when none was
 * @param counters running totals since start
 * @param fence the write fence's state (issue 14)
 */
public record Status(
    Phase phase,
    Instant startedAt,
    Instant at,
    Duration cycleDuration,
    Observation observation,
    Verdict verdict,
    InstanceRecord desired,
    boolean published,
    boolean masterClaimed,
    long lease,
    String registryError,
    Duration detectionToCommit,
    Counters counters,
    FenceStatus fence) {

  /** This status with the fence's state {@code f}. */
  public Status withFence(FenceStatus f) {
    return f.equals(fence)
        ? this
        : new Status(
            phase,
            startedAt,
            at,
            cycleDuration,
            observation,
            verdict,
            desired,
            published,
            masterClaimed,
            lease,
            registryError,
            detectionToCommit,
            counters,
            f);
  }

  /** Where the daemon is in its life. */
  public enum Phase {
    /** Started, no cycle ended yet. */
    STARTING,
    /** Cycles are running. */
    RUNNING,
    /** Asked to stop: every role and health check answers no from now on. */
    STOPPING;

    /** The lower-case name used in JSON and metrics. */
    public String wire() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** The status of a daemon that has not finished a cycle yet. */
  public static Status starting(Instant startedAt) {
    return new Status(
        Phase.STARTING,
        startedAt,
        null,
        Duration.ZERO,
        null,
        null,
        null,
        false,
        false,
        0,
        null,
        null,
        Counters.NONE,
        FenceStatus.off());
  }

  /** This status in another phase. */
  public Status withPhase(Phase p) {
    return p == phase
        ? this
        : new Status(
            p,
            startedAt,
            at,
            cycleDuration,
            observation,
            verdict,
            desired,
            published,
            masterClaimed,
            lease,
            registryError,
            detectionToCommit,
            counters,
            fence);
  }

  /** Whether Redis answered in the last cycle. */
  public boolean redisReachable() {
    return observation != null && observation.redisReachable();
  }

  /** Whether etcd answered in the last cycle. */
  public boolean etcdReachable() {
    return at != null && registryError == null;
  }

  /** The role etcd holds for this instance: the desired record's, once published; else null. */
  public Role publishedRole() {
    return published && desired != null ? desired.role() : null;
  }

  /**
   * How many bytes this replica is behind its master (master offset minus own offset, never
   * negative); null when not a replica or either offset is unknown.
   */
  public Long replicationLag() {
    if (observation == null
        || observation.redis() == null
        || observation.redis().master()
        || observation.masterOffset() == null) {
      return null;
    }
    return Math.max(0, observation.masterOffset() - observation.redis().offset());
  }
}
