package com.proposalsapp.registrar.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.proposalsapp.registrar.it.RoutingBenchReader.Read;
import com.proposalsapp.registrar.it.RoutingBenchRun.Failover;
import com.proposalsapp.registrar.it.RoutingBenchRun.Kind;
import com.proposalsapp.registrar.it.RoutingBenchRun.Recording;
import com.proposalsapp.registrar.it.RoutingBenchWriter.Ack;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The routing benchmark's figures, computed from hand-made recordings (milliseconds as nanos). */
class RoutingBenchResultTest {
  private static final int OLD = 1001;
  private static final int NEW = 1002;
  private static final int LOCAL = 1003;
  private static final Map<Integer, String> DCS = Map.of(OLD, "dc1", NEW, "dc3", LOCAL, "dc2");

  @Test
  void theOutageIsTheLongestStretchWithoutAnAckThatEndsInThePeriod() {
    List<Ack> acks = acks(OLD, 0, 4, 8);
    acks.addAll(acks(NEW, 500, 504, 508, 1200));
    // From the last ack before the start (8) to the first after it (500).
    assertThat(RoutingBenchResult.outage(acks, ms(100), ms(1000))).isCloseTo(492, within(0.01));
    // A stretch that ends after the period is not this period's.
    assertThat(RoutingBenchResult.outage(acks, ms(600), ms(1000))).isCloseTo(0, within(0.01));
    assertThat(RoutingBenchResult.outage(acks, ms(505), ms(1300))).isCloseTo(692, within(0.01));
  }

  @Test
  void lostWritesAreThoseMissingFromTheFinalMasterCountedInTheFailoverWhoseTimeHoldsThem() {
    // Failover 1 from 100 to 2000 ms, failover 2 from 2000 ms to the end (4000 ms).
    List<Ack> acks = new ArrayList<>();
    Set<Long> kept = new HashSet<>();
    long seq = 0;
    for (int t = 0; t < 4000; t += 4) {
      int port = t < 1000 ? OLD : NEW;
      acks.add(new Ack(++seq, ms(t), port));
      boolean lost = (t >= 300 && t < 700) || (t >= 2500 && t < 2520);
      if (!lost) {
        kept.add(seq);
      }
    }
    Failover first = failover(Kind.PLANNED, 1, 100, 200, 900, 1500);
    Failover second = failover(Kind.PLANNED, 2, 2000, 2100, 2500, 3500);
    RoutingBenchResult result =
        new RoutingBenchResult(recording(List.of(first, second), acks, kept, List.of(), 4000));

    List<RoutingBenchResult.Figures> figures = result.figures(Kind.PLANNED);
    assertThat(figures).extracting(RoutingBenchResult.Figures::lost).containsExactly(100, 5);
    assertThat(figures.get(0).lostSpan()).isCloseTo(396, within(0.01));
    assertThat(figures.get(0).lostWorth()).isCloseTo(400, within(0.01));
    assertThat(figures.get(0).sentinelWindow()).isCloseTo(700, within(0.01));
    assertThat(figures.get(1).sentinelWindow()).isCloseTo(400, within(0.01));
    assertThat(result.lost(Kind.PLANNED)).isEqualTo(105);
    assertThat(result.lost(Kind.CRASH)).isZero();
    assertThat(result.lostOutsideFailovers()).isZero();
  }

  @Test
  void freshConnectionsCountOnlyInTheSettledStateAndReadsByTheServersDatacenter() {
    Failover f = failover(Kind.CRASH, 1, 0, 100, 1000, 2000);
    List<Read> reads = List.of(read(500, LOCAL), read(600, OLD), read(2500, LOCAL));
    // Before settling (2000 ms) a fresh connection says nothing about the weights.
    List<Read> fresh =
        List.of(read(1500, OLD), read(2100, LOCAL), read(2200, LOCAL), read(2300, NEW));
    Recording recording =
        new Recording(
            "test",
            "",
            List.of(f),
            List.of(),
            Set.of(),
            List.of(),
            reads,
            fresh,
            List.of(),
            DCS,
            List.of(),
            List.of(),
            ms(3000));
    RoutingBenchResult result = new RoutingBenchResult(recording);

    assertThat(result.localShare(Kind.CRASH)).isCloseTo(200.0 / 3, within(0.01));
    assertThat(result.steadyFreshShare(Kind.CRASH)).isCloseTo(200.0 / 3, within(0.01));
    assertThat(result.steadyFresh(Kind.CRASH)).isEqualTo(3);
    assertThat(result.figures(Kind.CRASH).get(0).promoted()).isCloseTo(1000, within(0.01));
    assertThat(result.localShare(Kind.PLANNED)).isNaN();
  }

  private static Recording recording(
      List<Failover> failovers, List<Ack> acks, Set<Long> kept, List<Read> reads, int endMs) {
    return new Recording(
        "test", "", failovers, acks, kept, List.of(), reads, List.of(), List.of(), DCS, List.of(),
        List.of(), ms(endMs));
  }

  private static Failover failover(
      Kind kind, int number, int startMs, int noOneMs, int promotedMs, int settledMs) {
    return new Failover(
        kind,
        number,
        2,
        "127.0.0.1:" + OLD,
        "127.0.0.1:" + NEW,
        ms(startMs),
        ms(noOneMs),
        ms(promotedMs),
        0,
        0,
        ms(settledMs),
        Double.NaN,
        "");
  }

  private static List<Ack> acks(int port, int... timesMs) {
    List<Ack> acks = new ArrayList<>();
    for (int t : timesMs) {
      acks.add(new Ack(acks.size() + 1, ms(t), port));
    }
    return acks;
  }

  private static Read read(int timeMs, int port) {
    return new Read(ms(timeMs), port);
  }

  private static long ms(long millis) {
    return millis * 1_000_000;
  }
}
