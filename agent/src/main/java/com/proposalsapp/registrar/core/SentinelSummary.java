package com.proposalsapp.registrar.core;

/**
 * The part of the Sentinels' view that is published with a record.
 *
 * @param confirmed whether a quorum of Sentinels named one master
 * @param master the master most Sentinels named, {@code host:port}; null when none answered
 * @param agreeing how many Sentinels named it
 * @param reachable how many Sentinels answered
 * @param epoch the lowest config-epoch among the Sentinels naming {@code master}
 */
public record SentinelSummary(
    boolean confirmed, String master, int agreeing, int reachable, long epoch) {

  /** Summarises a view. */
  public static SentinelSummary of(SentinelView v) {
    return new SentinelSummary(
        v.isConfirmed(),
        v.mostNamed() == null ? null : v.mostNamed().toString(),
        v.agreeing(),
        v.reachable(),
        v.epoch());
  }
}
