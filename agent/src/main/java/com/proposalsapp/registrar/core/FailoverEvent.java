package com.proposalsapp.registrar.core;

/**
 * One Sentinel event about a failover of a master, as the fence reads it.
 *
 * @param kind what the event says of the failover
 * @param channel the Sentinel channel, e.g. {@code +failover-state-send-slaveof-noone}
 * @param masterName the Sentinel master name the failover is of
 * @param master the address of the master being failed over (the old master)
 */
public record FailoverEvent(Kind kind, String channel, String masterName, HostPort master) {

  /** What an event says of the failover. */
  public enum Kind {
    /**
     * A failover has started but no replica is chosen yet ({@code +failover-state-wait-start},
     * {@code +failover-state-select-slave}): {@code REPLICAOF NO ONE} is at least two Sentinel
     * timer ticks away.
     */
    STARTED,
    /**
     * A replica is chosen or being promoted: {@code +selected-slave}, {@code
     * +failover-state-send-slaveof-noone} (one tick, 50-100 ms, before Sentinel sends {@code
     * REPLICAOF NO ONE}), the later {@code +failover-state-*}, {@code +promoted-slave}.
     */
    PROGRESS,
    /** The failover was given up: {@code -failover-abort-*}. */
    ABORT,
    /** The failover is over: {@code +failover-end}, {@code +switch-master}. */
    END
  }
}
