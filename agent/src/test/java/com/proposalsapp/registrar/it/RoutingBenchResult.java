package com.proposalsapp.registrar.it;

import com.proposalsapp.registrar.it.RoutingBenchRun.Failover;
import com.proposalsapp.registrar.it.RoutingBenchRun.Kind;
import com.proposalsapp.registrar.it.RoutingBenchRun.Recording;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * The figures of one mode of the routing benchmark, read off its {@link Recording}: per failover
 * (from its start to the next one's) the write outage, the acknowledged writes missing from the
 * final master, Sentinel's own window, the clients' errors and where reads were served.
 */
final class RoutingBenchResult {

  /**
   * One failover's figures; milliseconds, NaN where an event was not seen. {@code outage} is the
   * longest write pause; {@code toSwitch} runs from {@code +failover-state-send-slaveof-noone} to
   * the first {@code +switch-master}; {@code held} is what a switchover says it held writes.
   */
  record Figures(
      Failover failover,
      double outage,
      int lost,
      double lostSpan,
      double sentinelWindow,
      double toSwitch,
      double held,
      double odown,
      double promoted,
      Map<String, Long> writeErrors,
      Map<String, Long> readErrors,
      long reads,
      long localReads,
      long steadyFresh,
      long steadyFreshLocal) {

    /** The lost writes as time at the writer's rate. */
    double lostWorth() {
      return lost * 1000.0 / RoutingBenchRun.WRITES_PER_SECOND;
    }

    /** The write pause beyond Sentinel's own window (NaN if the window was not seen). */
    double outageBeyondWindow() {
      return outage - sentinelWindow;
    }
  }

  private final Recording recording;
  private final List<Figures> figures = new ArrayList<>();

  RoutingBenchResult(Recording recording) {
    this.recording = recording;
    List<Failover> failovers = recording.failovers();
    for (int i = 0; i < failovers.size(); i++) {
      long until = i + 1 < failovers.size() ? failovers.get(i + 1).started() : recording.end();
      figures.add(figures(failovers.get(i), until));
    }
  }

  String tier() {
    return recording.tier();
  }

  /** The kinds of failover this mode ran. */
  List<Kind> kinds() {
    return java.util.Arrays.stream(Kind.values()).filter(k -> !figures(k).isEmpty()).toList();
  }

  /** Switchovers that failed (the command's exit 1), with what they printed. */
  List<String> failedSwitchovers() {
    return recording.failedSwitchovers();
  }

  List<Figures> figures(Kind kind) {
    return figures.stream().filter(f -> f.failover().kind() == kind).toList();
  }

  FailoverBenchStats stats(Kind kind, ToDoubleFunction<Figures> figure) {
    return FailoverBenchStats.of(
        figures(kind).stream().map(figure::applyAsDouble).filter(d -> !Double.isNaN(d)).toList());
  }

  int lost(Kind kind) {
    return figures(kind).stream().mapToInt(Figures::lost).sum();
  }

  /** Writes acknowledged during the failovers of {@code kind}. */
  long acked(Kind kind) {
    return figures(kind).stream()
        .mapToLong(
            f ->
                recording.acks().stream()
                    .filter(a -> within(a.nanos(), f.failover().started(), until(f.failover())))
                    .count())
        .sum();
  }

  /** The share of reads during the failovers of {@code kind} that dc2 served, in percent. */
  double localShare(Kind kind) {
    long reads = figures(kind).stream().mapToLong(Figures::reads).sum();
    long local = figures(kind).stream().mapToLong(Figures::localReads).sum();
    return reads == 0 ? Double.NaN : 100.0 * local / reads;
  }

  /**
   * The share of fresh read connections opened in the steady states after the failovers of {@code
   * kind} (all instances routable) that went to dc2, in percent: what the weights decide.
   */
  double steadyFreshShare(Kind kind) {
    long fresh = figures(kind).stream().mapToLong(Figures::steadyFresh).sum();
    long local = figures(kind).stream().mapToLong(Figures::steadyFreshLocal).sum();
    return fresh == 0 ? Double.NaN : 100.0 * local / fresh;
  }

  long steadyFresh(Kind kind) {
    return figures(kind).stream().mapToLong(Figures::steadyFresh).sum();
  }

  long reads(Kind kind) {
    return figures(kind).stream().mapToLong(Figures::reads).sum();
  }

  Map<String, Long> writeErrors(Kind kind) {
    return sum(figures(kind).stream().map(Figures::writeErrors).toList());
  }

  Map<String, Long> readErrors(Kind kind) {
    return sum(figures(kind).stream().map(Figures::readErrors).toList());
  }

  /** Acknowledged writes missing from the final master that no failover's period holds. */
  long lostOutsideFailovers() {
    long first =
        recording.failovers().isEmpty() ? recording.end() : recording.failovers().get(0).started();
    return recording.acks().stream()
        .filter(a -> a.nanos() < first && !recording.onFinalMaster().contains(a.seq()))
        .count();
  }

  private long until(Failover f) {
    List<Failover> all = recording.failovers();
    int i = all.indexOf(f);
    return i + 1 < all.size() ? all.get(i + 1).started() : recording.end();
  }

  private Figures figures(Failover f, long until) {
    List<RoutingBenchWriter.Ack> lost =
        recording.acks().stream()
            .filter(a -> within(a.nanos(), f.started(), until))
            .filter(a -> !recording.onFinalMaster().contains(a.seq()))
            .toList();
    double lostSpan =
        lost.isEmpty() ? 0 : millis(lost.get(0).nanos(), lost.get(lost.size() - 1).nanos());
    String local = RoutingBenchTier.LOCAL_DC;
    List<RoutingBenchReader.Read> reads =
        recording.reads().stream().filter(r -> within(r.nanos(), f.started(), until)).toList();
    long localReads =
        reads.stream().filter(r -> local.equals(recording.dcByPort().get(r.servedBy()))).count();
    List<RoutingBenchReader.Read> steady =
        recording.freshReads().stream().filter(r -> within(r.nanos(), f.settled(), until)).toList();
    long steadyLocal =
        steady.stream().filter(r -> local.equals(recording.dcByPort().get(r.servedBy()))).count();
    return new Figures(
        f,
        outage(recording.acks(), f.started(), until),
        lost.size(),
        lostSpan,
        f.slaveofNoOne() == 0 || f.promoted() == 0
            ? Double.NaN
            : millis(f.slaveofNoOne(), f.promoted()),
        f.slaveofNoOne() == 0 || f.switched() == 0
            ? Double.NaN
            : millis(f.slaveofNoOne(), f.switched()),
        f.held(),
        f.odown() == 0 ? Double.NaN : millis(f.started(), f.odown()),
        f.kind() == Kind.CRASH && f.promoted() != 0
            ? millis(f.started(), f.promoted())
            : Double.NaN,
        count(recording.writeFailures(), f.started(), until),
        count(recording.readFailures(), f.started(), until),
        reads.size(),
        localReads,
        steady.size(),
        steadyLocal);
  }

  /**
   * The longest stretch without an acknowledged write that ends after {@code from} and starts
   * before {@code until}, in milliseconds.
   */
  static double outage(List<RoutingBenchWriter.Ack> acks, long from, long until) {
    long previous = from;
    for (RoutingBenchWriter.Ack a : acks) {
      if (a.nanos() < from) {
        previous = a.nanos();
      }
    }
    long longest = 0;
    for (RoutingBenchWriter.Ack a : acks) {
      if (a.nanos() >= from && a.nanos() < until) {
        longest = Math.max(longest, a.nanos() - previous);
        previous = a.nanos();
      }
    }
    return longest / 1e6;
  }

  /** The one line printed as soon as a failover has settled (before the lost writes are known). */
  static String line(Failover f, List<RoutingBenchWriter.Ack> acks) {
    String sentinel =
        f.slaveofNoOne() == 0 || f.promoted() == 0
            ? "Sentinel window not seen"
            : String.format(
                Locale.ROOT, "Sentinel window %.1f ms", millis(f.slaveofNoOne(), f.promoted()));
    String crash =
        f.kind() == Kind.CRASH && f.promoted() != 0
            ? String.format(
                Locale.ROOT,
                ", SIGKILL->+odown %.1f ms, SIGKILL->+promoted-slave %.1f ms",
                f.odown() == 0 ? Double.NaN : millis(f.started(), f.odown()),
                millis(f.started(), f.promoted()))
            : "";
    String switched =
        f.switched() == 0 || f.slaveofNoOne() == 0
            ? ""
            : String.format(
                Locale.ROOT,
                ", noone->+switch-master %.1f ms",
                millis(f.slaveofNoOne(), f.switched()));
    String held =
        Double.isNaN(f.held())
            ? ""
            : String.format(
                Locale.ROOT, "; switchover held writes %.0f ms: %s", f.held(), f.steps());
    return String.format(
        Locale.ROOT,
        "  %-7s %2d/%-2d %s -> %s: write outage %.1f ms, %s%s%s, settled after %.1f s%s",
        f.kind().label(),
        f.number(),
        f.of(),
        f.oldMaster(),
        f.newMaster(),
        outage(acks, f.started(), f.settled()),
        sentinel,
        switched,
        crash,
        millis(f.started(), f.settled()) / 1000,
        held);
  }

  /** Prints the per-failover table and the summary of this mode. */
  void print() {
    System.out.println("-- " + tier() + ": per failover --");
    for (Figures f : figures) {
      Failover o = f.failover();
      System.out.printf(
          Locale.ROOT,
          "  %-7s %2d/%-2d %s -> %s: outage %.1f ms, lost %d (%.0f ms worth, acknowledged over %.1f"
              + " ms), Sentinel window %.1f ms; write errors %s; read errors %s; dc2 served %s of the"
              + " pool's reads, %s of fresh connections once settled%n",
          o.kind().label(),
          o.number(),
          o.of(),
          recording.dcByPort().get(port(o.oldMaster())),
          recording.dcByPort().get(port(o.newMaster())),
          f.outage(),
          f.lost(),
          f.lostWorth(),
          f.lostSpan(),
          f.sentinelWindow(),
          errors(f.writeErrors()),
          errors(f.readErrors()),
          percent(f.reads() == 0 ? Double.NaN : 100.0 * f.localReads() / f.reads()),
          percent(
              f.steadyFresh() == 0 ? Double.NaN : 100.0 * f.steadyFreshLocal() / f.steadyFresh()));
    }
    System.out.println("-- " + tier() + ": summary --");
    System.out.println(String.format("  %-48s", "ms") + FailoverBenchStats.header());
    for (Kind kind : kinds()) {
      row(kind, "write outage (longest pause)", Figures::outage);
      row(kind, "lost writes, count", f -> f.lost());
      row(kind, "lost writes, ms worth", Figures::lostWorth);
      row(kind, "lost writes, acknowledged over", Figures::lostSpan);
      if (kind == Kind.CRASH) {
        row(kind, "SIGKILL->+odown", Figures::odown);
        row(kind, "SIGKILL->+promoted-slave", Figures::promoted);
      } else {
        row(kind, "Sentinel window (noone->promoted)", Figures::sentinelWindow);
        row(kind, "write outage beyond Sentinel window", Figures::outageBeyondWindow);
        row(kind, "noone->+switch-master", Figures::toSwitch);
      }
      if (kind == Kind.SWITCHOVER) {
        row(kind, "writes held, as switchover says", Figures::held);
      }
    }
    for (Kind kind : kinds()) {
      System.out.printf(
          Locale.ROOT,
          "  %s: %d of %d acknowledged writes missing from the final master; write errors %s;"
              + " read errors %s; reads served by dc2: %s of %d on the pool's connections, %s of %d"
              + " fresh connections in the steady states%n",
          kind.label(),
          lost(kind),
          acked(kind),
          errors(writeErrors(kind)),
          errors(readErrors(kind)),
          percent(localShare(kind)),
          reads(kind),
          percent(steadyFreshShare(kind)),
          steadyFresh(kind));
    }
    if (lostOutsideFailovers() > 0) {
      System.out.println("  lost before the first failover: " + lostOutsideFailovers());
    }
    if (!failedSwitchovers().isEmpty()) {
      System.out.println("  failed switchovers: " + String.join(" | ", failedSwitchovers()));
    }
    System.out.println(
        "  failovers the Sentinels started on their own: "
            + (recording.unplanned().isEmpty()
                ? "none"
                : String.join(", ", recording.unplanned())));
  }

  private void row(Kind kind, String what, ToDoubleFunction<Figures> figure) {
    System.out.println(
        String.format("  %-48s", kind.label() + " " + what) + stats(kind, figure).row());
  }

  static String percent(double p) {
    return Double.isNaN(p) ? "-" : String.format(Locale.ROOT, "%.1f %%", p);
  }

  static String errors(Map<String, Long> errors) {
    return errors.isEmpty()
        ? "none"
        : errors.entrySet().stream()
            .map(e -> e.getKey() + " " + e.getValue())
            .collect(Collectors.joining(", "));
  }

  private static Map<String, Long> count(
      List<RoutingBenchClient.Failure> failures, long from, long until) {
    Map<String, Long> counts = new TreeMap<>();
    failures.stream()
        .filter(f -> within(f.nanos(), from, until))
        .forEach(f -> counts.merge(f.kind(), 1L, Long::sum));
    return counts;
  }

  private static Map<String, Long> sum(List<Map<String, Long>> maps) {
    Map<String, Long> total = new TreeMap<>();
    maps.forEach(m -> m.forEach((k, v) -> total.merge(k, v, Long::sum)));
    return total;
  }

  private static boolean within(long nanos, long from, long until) {
    return nanos >= from && nanos < until;
  }

  private static int port(String address) {
    return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
  }

  static double millis(long fromNanos, long toNanos) {
    return (toNanos - fromNanos) / 1e6;
  }
}
