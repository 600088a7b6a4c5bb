package com.proposalsapp.registrar.it;

import com.proposalsapp.registrar.it.RoutingBenchRun.Kind;
import com.proposalsapp.registrar.it.RoutingBenchRun.Mode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The routing benchmark (issues 13 and 14): what an application on node "dc2" sees through its
 * routing tier during N planned failovers ({@code SENTINEL FAILOVER}) and M crash failovers (the
 * master SIGKILLed, then restarted), or S {@code redis-registrar switchover}s, with a writer on one
 * long-lived connection to the write listener and a pool of readers on the read listener (see
 * {@link RoutingBenchRun}). Each mode runs on its own fresh sandbox: {@code tcp-check} (HAProxy
 * alone, the usual best-practice health check), {@code route} (HAProxy kept in step by {@code
 * redis-registrar route}, agents without the fence), {@code fence} (the same with the agents'
 * {@code --fence}), {@code switchover} (the same, switchovers instead of failovers) and, when asked
 * for, {@code confd} (HAProxy on the repository's confd template, checks on the agents' HTTP
 * endpoints); then each beside route, the fence and switchover modes beside plain route, and the
 * issues' targets.
 *
 * <p>Usage: {@code RoutingBench [planned] [crash] [modes] [switchovers]} (defaults 10, 5, {@code
 * route,fence,switchover} and 20), with system properties {@code registrar.jar} and {@code
 * registrar.it.dir} as for the integration tests. Exits 2 if the benchmark could not complete. Run
 * it with {@code scripts/bench-routing.sh}.
 */
public final class RoutingBench {
  static final String TCP_CHECK = "tcp-check";
  static final String ROUTE = "route";
  static final String CONFD = "confd";
  static final String FENCE = "fence";
  static final String SWITCHOVER = "switchover";
  static final String DEFAULT_MODES = ROUTE + "," + FENCE + "," + SWITCHOVER;

  /** The agents' fence as the fence and switchover modes run it. */
  private static final List<String> FENCING = List.of("--fence", "--fence-timeout", "5s");

  private static final Map<String, Mode> MODES =
      Map.of(
          TCP_CHECK,
          new Mode(TCP_CHECK, RoutingBenchTier::tcpCheck, List.of(), false),
          ROUTE,
          new Mode(ROUTE, RoutingBenchTier::route, List.of(), false),
          CONFD,
          new Mode(CONFD, RoutingBenchTier::confd, List.of(), false),
          FENCE,
          new Mode(FENCE, RoutingBenchTier::route, FENCING, false),
          SWITCHOVER,
          new Mode(SWITCHOVER, RoutingBenchTier::route, FENCING, true));

  private static final double TARGET_PLANNED_OUTAGE_MS = 200;
  private static final double TARGET_LOST_BEYOND_WINDOW_MS = 100;
  private static final double TARGET_LOCAL_POINTS = 3;
  private static final double TARGET_CRASH_BEYOND_PROMOTION_MS = 200;
  private static final double TARGET_FENCE_LOST_WORTH_MS = 20;
  private static final double TARGET_FENCE_PAUSE_BEYOND_WINDOW_MS = 200;
  private static final double TARGET_SWITCHOVER_PAUSE_MS = 1000;
  private static final int TARGET_SWITCHOVERS = 20;

  private RoutingBench() {}

  public static void main(String[] args) {
    int planned;
    int crash;
    int switchovers;
    List<String> modes;
    try {
      planned = args.length > 0 ? Integer.parseInt(args[0]) : 10;
      crash = args.length > 1 ? Integer.parseInt(args[1]) : 5;
      modes = List.of((args.length > 2 ? args[2] : DEFAULT_MODES).split(","));
      switchovers = args.length > 3 ? Integer.parseInt(args[3]) : TARGET_SWITCHOVERS;
      if (planned < 0 || crash < 0 || switchovers < 0 || !MODES.keySet().containsAll(modes)) {
        throw new IllegalArgumentException();
      }
    } catch (IllegalArgumentException e) {
      System.err.println(
          "usage: RoutingBench [planned] [crash] [modes] [switchovers]: whole numbers, modes a"
              + " comma-separated list of tcp-check, route, fence, switchover and confd; got "
              + String.join(" ", args));
      System.exit(2);
      return;
    }
    long started = System.nanoTime();
    int exit = 0;
    try {
      Map<String, RoutingBenchResult> results = new LinkedHashMap<>();
      for (String mode : modes) {
        RoutingBenchResult result =
            new RoutingBenchResult(
                RoutingBenchRun.run(MODES.get(mode), planned, crash, switchovers));
        result.print();
        results.put(mode, result);
      }
      if (results.containsKey(ROUTE)) {
        for (RoutingBenchResult other : results.values()) {
          if (other != results.get(ROUTE)
              && !other.tier().equals(FENCE)
              && !other.tier().equals(SWITCHOVER)) {
            printComparison(other, results.get(ROUTE));
          }
        }
      }
      printPlannedSideBySide(results);
      if (results.containsKey(ROUTE)) {
        printTargets(results.get(ROUTE));
      }
      printFenceTargets(results);
    } catch (RuntimeException | Error e) {
      System.out.println("benchmark aborted: " + e);
      e.printStackTrace();
      exit = 2;
    }
    System.out.printf(
        Locale.ROOT,
        "at the end: %s; wall time %.1f s%n",
        FailoverBench.hostLoad(),
        RoutingBenchResult.millis(started, System.nanoTime()) / 1000);
    System.exit(exit);
  }

  /** Another mode's figures beside route's, and the other's divided by route's. */
  private static void printComparison(RoutingBenchResult other, RoutingBenchResult route) {
    String o = other.tier();
    System.out.printf("-- %s vs route (ratio = %s / route) --%n", o, o);
    for (Kind kind : List.of(Kind.PLANNED, Kind.CRASH)) {
      compare(kind, "write outage", other, route, RoutingBenchResult.Figures::outage);
      compare(kind, "lost writes, ms worth", other, route, RoutingBenchResult.Figures::lostWorth);
      System.out.printf(
          Locale.ROOT,
          "  %-7s lost writes in total: %s %d, route %d (%s)%n",
          kind.label(),
          o,
          other.lost(kind),
          route.lost(kind),
          ratio(other.lost(kind), route.lost(kind)));
      System.out.printf(
          Locale.ROOT,
          "  %-7s write errors: %s %s; route %s%n",
          kind.label(),
          o,
          RoutingBenchResult.errors(other.writeErrors(kind)),
          RoutingBenchResult.errors(route.writeErrors(kind)));
      System.out.printf(
          Locale.ROOT,
          "  %-7s read errors: %s %s; route %s%n",
          kind.label(),
          o,
          RoutingBenchResult.errors(other.readErrors(kind)),
          RoutingBenchResult.errors(route.readErrors(kind)));
      System.out.printf(
          Locale.ROOT,
          "  %-7s reads served by dc2 on the pool: %s %s, route %s; fresh connections once"
              + " settled: %s %s, route %s%n",
          kind.label(),
          o,
          RoutingBenchResult.percent(other.localShare(kind)),
          RoutingBenchResult.percent(route.localShare(kind)),
          o,
          RoutingBenchResult.percent(other.steadyFreshShare(kind)),
          RoutingBenchResult.percent(route.steadyFreshShare(kind)));
    }
  }

  private static void compare(
      Kind kind,
      String what,
      RoutingBenchResult other,
      RoutingBenchResult route,
      ToDoubleFunction<RoutingBenchResult.Figures> figure) {
    FailoverBenchStats b = other.stats(kind, figure);
    FailoverBenchStats r = route.stats(kind, figure);
    System.out.printf(
        Locale.ROOT,
        "  %-7s %s p50 / p99 / max: %s %.1f / %.1f / %.1f ms, route %.1f / %.1f / %.1f ms"
            + " (%s / %s / %s)%n",
        kind.label(),
        what,
        other.tier(),
        b.p50(),
        b.p99(),
        b.max(),
        r.p50(),
        r.p99(),
        r.max(),
        ratio(b.p50(), r.p50()),
        ratio(b.p99(), r.p99()),
        ratio(b.max(), r.max()));
  }

  private static String ratio(double other, double route) {
    if (route == 0) {
      return other == 0 ? "both 0" : "route 0";
    }
    return String.format(Locale.ROOT, "%.1fx", other / route);
  }

  /** The four targets for route, and whether each is met. */
  private static void printTargets(RoutingBenchResult route) {
    System.out.println("-- targets (route) --");
    double outage = route.stats(Kind.PLANNED, RoutingBenchResult.Figures::outage).p99();
    target(
        String.format(
            Locale.ROOT,
            "planned write outage p99 %.1f ms <= %.0f ms",
            outage,
            TARGET_PLANNED_OUTAGE_MS),
        outage <= TARGET_PLANNED_OUTAGE_MS);
    List<Double> beyond = new ArrayList<>();
    route.figures(Kind.PLANNED).forEach(f -> beyond.add(f.lostWorth() - f.sentinelWindow()));
    double lostBeyond =
        FailoverBenchStats.of(beyond.stream().filter(d -> !Double.isNaN(d)).toList()).p99();
    target(
        String.format(
            Locale.ROOT,
            "planned lost writes per failover p99 %.1f ms worth beyond Sentinel's window <= %.0f ms"
                + " worth (%d writes/s)",
            lostBeyond,
            TARGET_LOST_BEYOND_WINDOW_MS,
            RoutingBenchRun.WRITES_PER_SECOND),
        lostBeyond <= TARGET_LOST_BEYOND_WINDOW_MS
            && beyond.stream().noneMatch(d -> Double.isNaN(d)));
    double implied =
        100.0
            * RoutingBenchTier.LOCAL_WEIGHT
            / (RoutingBenchTier.LOCAL_WEIGHT + 2 * RoutingBenchTier.REMOTE_WEIGHT);
    double plannedShare = route.steadyFreshShare(Kind.PLANNED);
    double crashShare = route.steadyFreshShare(Kind.CRASH);
    target(
        String.format(
            Locale.ROOT,
            "new read connections to dc2 once settled: planned %s, crash %s, within %.0f points of"
                + " %.1f %% (weights %d:%d:%d)",
            RoutingBenchResult.percent(plannedShare),
            RoutingBenchResult.percent(crashShare),
            TARGET_LOCAL_POINTS,
            implied,
            RoutingBenchTier.LOCAL_WEIGHT,
            RoutingBenchTier.REMOTE_WEIGHT,
            RoutingBenchTier.REMOTE_WEIGHT),
        within(route, Kind.PLANNED, implied) && within(route, Kind.CRASH, implied));
    List<Double> crashBeyond = new ArrayList<>();
    route.figures(Kind.CRASH).forEach(f -> crashBeyond.add(f.outage() - f.promoted()));
    double crashExcess =
        FailoverBenchStats.of(crashBeyond.stream().filter(d -> !Double.isNaN(d)).toList()).p99();
    target(
        String.format(
            Locale.ROOT,
            "crash write outage p99 %.1f ms beyond SIGKILL->+promoted-slave <= %.0f ms",
            crashExcess,
            TARGET_CRASH_BEYOND_PROMOTION_MS),
        crashExcess <= TARGET_CRASH_BEYOND_PROMOTION_MS
            && crashBeyond.stream().noneMatch(d -> Double.isNaN(d)));
  }

  /**
   * Issue 14's table: per mode, its planned failovers (or switchovers) side by side: acknowledged
   * writes lost (count and the time they were acknowledged over) and the longest write pause.
   */
  private static void printPlannedSideBySide(Map<String, RoutingBenchResult> results) {
    if (!results.containsKey(FENCE) && !results.containsKey(SWITCHOVER)) {
      return;
    }
    System.out.println(
        "-- planned failovers and switchovers side by side (issue 14); ms, nearest rank --");
    System.out.println(String.format("  %-46s", "") + FailoverBenchStats.header());
    for (RoutingBenchResult r : results.values()) {
      for (Kind kind : List.of(Kind.PLANNED, Kind.SWITCHOVER)) {
        if (r.figures(kind).isEmpty()) {
          continue;
        }
        String who = r.tier().equals(kind.label()) ? r.tier() : r.tier() + " " + kind.label();
        side(who + ": longest write pause", r.stats(kind, RoutingBenchResult.Figures::outage));
        side(who + ": lost writes, count", r.stats(kind, f -> f.lost()));
        side(who + ": lost writes, ms worth", r.stats(kind, RoutingBenchResult.Figures::lostWorth));
        side(
            who + ": lost writes, acked over", r.stats(kind, RoutingBenchResult.Figures::lostSpan));
        side(who + ": Sentinel window", r.stats(kind, RoutingBenchResult.Figures::sentinelWindow));
        System.out.printf(
            Locale.ROOT,
            "  %-46s %d of %d acknowledged writes lost in %d %s%n",
            who + ": in total",
            r.lost(kind),
            r.acked(kind),
            r.figures(kind).size(),
            kind == Kind.SWITCHOVER ? "switchovers" : "failovers");
      }
    }
  }

  private static void side(String what, FailoverBenchStats stats) {
    System.out.println(String.format("  %-46s", what) + stats.row());
  }

  /** Issue 14's targets: the fence at a planned failover, and switchover. */
  private static void printFenceTargets(Map<String, RoutingBenchResult> results) {
    if (!results.containsKey(FENCE) && !results.containsKey(SWITCHOVER)) {
      return;
    }
    System.out.printf(
        Locale.ROOT,
        "-- targets (issue 14, writer %d writes/s) --%n",
        RoutingBenchRun.WRITES_PER_SECOND);
    RoutingBenchResult plain = results.get(ROUTE);
    if (plain != null) {
      FailoverBenchStats lost = plain.stats(Kind.PLANNED, RoutingBenchResult.Figures::lostWorth);
      System.out.printf(
          Locale.ROOT,
          "without fencing (route): lost writes per planned failover p50 %.1f / p99 %.1f ms worth,"
              + " %d of %d acknowledged lost in all%n",
          lost.p50(),
          lost.p99(),
          plain.lost(Kind.PLANNED),
          plain.acked(Kind.PLANNED));
    }
    RoutingBenchResult fence = results.get(FENCE);
    if (fence != null) {
      List<RoutingBenchResult.Figures> planned = fence.figures(Kind.PLANNED);
      double lost = fence.stats(Kind.PLANNED, RoutingBenchResult.Figures::lostWorth).p99();
      target(
          String.format(
              Locale.ROOT,
              "fence: lost writes per planned failover p99 %.1f ms worth <= %.0f ms worth (%d"
                  + " failovers)",
              lost,
              TARGET_FENCE_LOST_WORTH_MS,
              planned.size()),
          !planned.isEmpty() && lost <= TARGET_FENCE_LOST_WORTH_MS);
      double beyond =
          fence.stats(Kind.PLANNED, RoutingBenchResult.Figures::outageBeyondWindow).p99();
      target(
          String.format(
              Locale.ROOT,
              "fence: write pause p99 %.1f ms beyond Sentinel's window (noone->promoted) <= %.0f"
                  + " ms",
              beyond,
              TARGET_FENCE_PAUSE_BEYOND_WINDOW_MS),
          !planned.isEmpty()
              && planned.stream().noneMatch(f -> Double.isNaN(f.outageBeyondWindow()))
              && beyond <= TARGET_FENCE_PAUSE_BEYOND_WINDOW_MS);
    }
    RoutingBenchResult switchover = results.get(SWITCHOVER);
    if (switchover != null) {
      int done = switchover.figures(Kind.SWITCHOVER).size();
      int failed = switchover.failedSwitchovers().size();
      target(
          String.format(
              Locale.ROOT,
              "switchover: %d of %d acknowledged writes lost over %d switchovers (>= %d, %d"
                  + " failed)",
              switchover.lost(Kind.SWITCHOVER),
              switchover.acked(Kind.SWITCHOVER),
              done,
              TARGET_SWITCHOVERS,
              failed),
          done >= TARGET_SWITCHOVERS && failed == 0 && switchover.lost(Kind.SWITCHOVER) == 0);
      double pause = switchover.stats(Kind.SWITCHOVER, RoutingBenchResult.Figures::outage).p99();
      target(
          String.format(
              Locale.ROOT,
              "switchover: write pause p99 %.1f ms <= %.0f ms",
              pause,
              TARGET_SWITCHOVER_PAUSE_MS),
          done > 0 && pause <= TARGET_SWITCHOVER_PAUSE_MS);
    }
  }

  /** A kind without failovers has no share to miss; a kind with failovers but no reads misses. */
  private static boolean within(RoutingBenchResult route, Kind kind, double implied) {
    double share = route.steadyFreshShare(kind);
    return route.figures(kind).isEmpty()
        || (!Double.isNaN(share) && Math.abs(share - implied) <= TARGET_LOCAL_POINTS);
  }

  private static void target(String what, boolean met) {
    System.out.println("target: " + what + ": " + (met ? "met" : "MISSED"));
  }
}
