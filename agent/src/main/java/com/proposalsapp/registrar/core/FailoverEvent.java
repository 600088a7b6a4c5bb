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
    /** A failover is under way: {@code +selected-slave}, {@code +failover-state-*}, etc. */
    PROGRESS,
    /** The failover was given up: {@code -failover-abort-*}. */
    ABORT,
    /** The failover is over: {@code +failover-end}, {@code +switch-master}. */
    END
  }
}
