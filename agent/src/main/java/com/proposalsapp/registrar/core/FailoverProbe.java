package com.proposalsapp.registrar.core;

/**
 * Asks the Sentinels whether a failover of the master is still going on (Sentinels in production).
 */
public interface FailoverProbe {

  /** What the reachable Sentinels say now; never throws (a Sentinel that fails is not counted). */
  Reading read();

  /**
   * The Sentinels' answers about one master.
   *
   * @param reachable how many Sentinels answered
   * @param masters the master each answering Sentinel names
   * @param inProgress whether any of them reports a failover in progress for it
   * @param downAfter the smallest {@code down-after-milliseconds} an answering Sentinel reports:
   *     how long the master may leave a command unanswered before it is judged down; null when none
   *     said
   */
  record Reading(
      int reachable,
      java.util.List<HostPort> masters,
      boolean inProgress,
      java.time.Duration downAfter) {

    public Reading {
      masters = java.util.List.copyOf(masters);
    }

    /** Whether every Sentinel that answered names {@code self} and none runs a failover. */
    public boolean keepsNaming(Identity self) {
      return reachable > 0 && !inProgress && masters.stream().allMatch(self::is);
    }
  }
}
