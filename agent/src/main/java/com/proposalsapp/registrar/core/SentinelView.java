package com.proposalsapp.registrar.core;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Sentinels' collective opinion of who is master.
 *
 * @param known how many distinct Sentinels were asked (one listed under two addresses counts once)
 * @param reachable how many answered with a master
 * @param confirmed the master named by at least {@code quorum} Sentinels; null when none is
 * @param agreeing how many Sentinels named the most-named master
 * @param mostNamed the master most Sentinels named, confirmed or not; null if none answered
 * @param epoch the lowest config-epoch among the Sentinels naming {@code mostNamed}: during a
 *     failover the leader already reports the new epoch while still naming the old master, and that
 *     must not let the old master fence the master key with the new epoch
 * @param answers every answer, in the order asked, a second address of one Sentinel as {@link
 *     SentinelAnswer.Problem#DUPLICATE}
 */
public record SentinelView(
    int known,
    int reachable,
    HostPort confirmed,
    int agreeing,
    HostPort mostNamed,
    long epoch,
    List<SentinelAnswer> answers) {

  public SentinelView {
    answers = List.copyOf(answers);
  }

  /** A view without the individual answers. */
  public SentinelView(
      int known, int reachable, HostPort confirmed, int agreeing, HostPort mostNamed, long epoch) {
    this(known, reachable, confirmed, agreeing, mostNamed, epoch, List.of());
  }

  /** The majority of {@code known} Sentinels. */
  public static int majorityOf(int known) {
    return known / 2 + 1;
  }

  /** Combines individual answers; {@code quorum} Sentinels must name the same master. */
  public static SentinelView of(List<SentinelAnswer> answers, int quorum) {
    return of(answers, quorum, Endpoints.LITERAL);
  }

  /**
   * Combines individual answers: a Sentinel answering under two addresses (the same run id) counts
   * once, and masters are told apart as {@code endpoints} do; {@code quorum} Sentinels must name
   * the same master, 0 for a majority of the distinct Sentinels.
   */
  public static SentinelView of(List<SentinelAnswer> answers, int quorum, Endpoints endpoints) {
    List<SentinelAnswer> all = new ArrayList<>(answers.size());
    Map<String, SentinelAnswer> byRunId = new HashMap<>();
    int duplicates = 0;
    for (SentinelAnswer a : answers) {
      SentinelAnswer first = a.runId() == null ? null : byRunId.putIfAbsent(a.runId(), a);
      if (first != null) {
        all.add(a.duplicateOf(first));
        duplicates++;
      } else {
        all.add(a);
      }
    }
    int known = all.size() - duplicates;
    Map<HostPort, Integer> votes = new LinkedHashMap<>();
    Map<HostPort, Long> epochs = new HashMap<>();
    int reachable = 0;
    for (SentinelAnswer a : all) {
      if (!a.answered()) {
        continue;
      }
      reachable++;
      HostPort master = sameAs(votes, a.master(), endpoints);
      votes.merge(master, 1, Integer::sum);
      epochs.merge(master, a.configEpoch(), Math::min);
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
    int q = quorum > 0 ? quorum : majorityOf(known);
    // Two masters each named by a quorum (possible when quorum < majority) confirm neither.
    HostPort confirmed = bestVotes >= q && !tied ? best : null;
    long epoch = best == null ? 0 : epochs.get(best);
    return new SentinelView(known, reachable, confirmed, bestVotes, best, epoch, all);
  }

  /** The master already voted for that is {@code master} under another name, or {@code master}. */
  private static HostPort sameAs(
      Map<HostPort, Integer> votes, HostPort master, Endpoints endpoints) {
    if (votes.containsKey(master)) {
      return master;
    }
    for (HostPort voted : votes.keySet()) {
      if (endpoints.same(voted, master)) {
        return voted;
      }
    }
    return master;
  }

  /** Whether a quorum of Sentinels named one master. */
  public boolean isConfirmed() {
    return confirmed != null;
  }

  /** How many distinct Sentinels answered at all, with a master or with an error. */
  public int responded() {
    return (int)
        answers.stream()
            .filter(a -> a.responded() && a.problem() != SentinelAnswer.Problem.DUPLICATE)
            .count();
  }

  /** The answers that show a mistake in the configuration, in the order asked. */
  public List<SentinelAnswer> misconfigured() {
    return answers.stream().filter(SentinelAnswer::misconfigured).toList();
  }
}
