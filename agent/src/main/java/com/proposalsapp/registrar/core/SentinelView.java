package com.proposalsapp.registrar.core;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The Sentinels' collective opinion of who is master.
 *
 * @param known how many Sentinels were asked
 * @param reachable how many answered with a master
 * @param confirmed the master named by at least {@code quorum} Sentinels; null when none is
 * @param agreeing how many Sentinels named the most-named master
 * @param mostNamed the master most Sentinels named, confirmed or not; null if none answered
 * @param epoch the lowest config-epoch among the Sentinels naming {@code mostNamed}: during a
 *     failover the leader already reports the new epoch while still naming the old master, and that
 *     must not let the old master fence the master key with the new epoch
 */
public record SentinelView(
    int known, int reachable, HostPort confirmed, int agreeing, HostPort mostNamed, long epoch) {

  /** The majority of {@code known} Sentinels. */
  public static int majorityOf(int known) {
    return known / 2 + 1;
  }

  /** Combines individual answers; {@code quorum} Sentinels must name the same master. */
  public static SentinelView of(List<SentinelAnswer> answers, int quorum) {
    Map<HostPort, Integer> votes = new HashMap<>();
    Map<HostPort, Long> epochs = new HashMap<>();
    int reachable = 0;
    for (SentinelAnswer a : answers) {
      if (!a.answered()) {
        continue;
      }
      reachable++;
      votes.merge(a.master(), 1, Integer::sum);
      epochs.merge(a.master(), a.configEpoch(), Math::min);
    }
    HostPort best = null;
    int bestVotes = 0;
    boolean tied = false;
    for (Map.Entry<HostPort, Integer> e : votes.entrySet()) {
      int n = e.getValue();
      if (n > bestVotes || (n == bestVotes && epochs.get(e.getKey()) > epochs.get(best))) {
        tied = n == bestVotes;
        best = e.getKey();
        bestVotes = n;
      } else if (n == bestVotes) {
        tied = true;
      }
    }
    // Two masters each named by a quorum (possible when quorum < majority) confirm neither.
    HostPort confirmed = bestVotes >= quorum && !tied ? best : null;
    long epoch = best == null ? 0 : epochs.get(best);
    return new SentinelView(answers.size(), reachable, confirmed, bestVotes, best, epoch);
  }

  /** Whether a quorum of Sentinels named one master. */
  public boolean isConfirmed() {
    return confirmed != null;
  }
}
