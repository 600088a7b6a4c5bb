package com.proposalsapp.registrar.it;

import static com.proposalsapp.registrar.it.FaultMatrixSupport.TWO_SECONDS;
import static com.proposalsapp.registrar.it.FaultMatrixSupport.assertKeptAlive;
import static com.proposalsapp.registrar.it.FaultMatrixSupport.awaitPublished;
import static com.proposalsapp.registrar.it.FaultMatrixSupport.leaseIn;
import static com.proposalsapp.registrar.it.FaultMatrixSupport.linesAt;
import static com.proposalsapp.registrar.it.FaultMatrixSupport.millis;
import static com.proposalsapp.registrar.it.FaultMatrixSupport.published;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Fault matrix rows 1–5 (issue 4): etcd down, restarted, cut off past the lease TTL, the lease
 * revoked and the record deleted or garbled from outside. One agent beside a replica per test, on
 * one sandbox; each test leaves etcd running and empty.
 *
 * <p>Times are measured by an independent {@code etcdctl watch} ({@link EtcdWatch}) from the fault
 * (or the repair) to the revision that shows the record back. The resync interval is the default 30
 * s, so a record back within 2 s was brought back by the agent's watch, not by its resync.
 *
 * <p>Row 1 is tested twice, with every connection reset by a {@link TcpProxy} (which also sees each
 * attempt to reconnect, so the longest wait between two attempts is asserted: it must not exceed
 * the 2 s bound, whenever etcd comes back) and with nothing listening; row 2 is tested with a plain
 * restart and after a 15 s outage (longer than gRPC's own reconnect back-off grows in that time,
 * which the agent sidesteps by reconnecting at its own pace).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.MethodName.class)
class FaultMatrixEtcdIT {
  @RegisterExtension
  static final SandboxExtension SANDBOX = SandboxExtension.of(Sandbox.Options.defaults());

  private static final Duration LEASE_TTL = Duration.ofSeconds(3);
  private static final String[] TIMING = {"--lease-ttl", "3s", "--poll-interval", "200ms"};
  private static final int INDEX = 1;

  /** How long etcd stays unreachable in row 1; longer than gRPC's first reconnect back-offs. */
  private static final Duration ROW1_OUTAGE = Duration.ofSeconds(10);

  private static final Duration ROW2B_OUTAGE = Duration.ofSeconds(15);

  private static Sandbox sandbox;
  private static String id;
  private static String key;

  private EtcdServer etcd;
  private EtcdWatch watch;
  private TcpProxy proxy;
  private AgentProcess agent;

  @BeforeAll
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  static void startSandbox() {
    sandbox = SANDBOX.get();
    id = Agents.id(sandbox, INDEX);
    key = Records.key(id);
  }

  @BeforeEach
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void startWatch(TestInfo test) {
    etcd = sandbox.etcd();
    String name = test.getTestMethod().map(m -> m.getName()).orElse("test");
    watch = EtcdWatch.start(etcd, Records.GROUP, sandbox.dir().resolve("watch-" + name + ".log"));
  }

  /** Stops the agent (deregistering), leaves etcd running and empty. */
  @AfterEach
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void cleanUp() {
    if (proxy != null) {
      proxy.restore();
    }
    FaultMatrixSupport.stop(agent);
    if (proxy != null) {
      proxy.close();
    }
    if (watch != null) {
      watch.close();
    }
    if (etcd.isPaused()) {
      etcd.resume();
      etcd.awaitReady();
    } else if (!etcd.isAlive()) {
      etcd.restart();
    }
    FaultMatrixSupport.cleanEtcd(etcd);
  }

  @Test
  void row01_etcdDownWhenTheAgentStarts() {
    proxy = TcpProxy.to(etcd);
    proxy.cut(); // every connection to "etcd" reset, as a server that is not there
    long down = System.nanoTime();
    agent = Agents.start(sandbox, INDEX, "row01-agent", proxy.endpoint(), TIMING);

    // Not ready: it keeps running, publishes nothing, and says so once.
    await("agent waiting for etcd, publishing nothing")
        .during(ROW1_OUTAGE)
        .atMost(ROW1_OUTAGE.plusSeconds(4))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> agent.isAlive() && watch.states().size() == 1);
    List<String> unavailable =
        linesAt(agent, "WARN").stream().filter(l -> l.contains("etcd unavailable")).toList();
    System.out.printf("row 1: while etcd was unreachable the agent logged %s%n", unavailable);
    assertThat(unavailable).as("'etcd unavailable' lines for one outage").hasSize(1);
    assertThat(etcd.getPrefix(Records.GROUP)).as("records while etcd is down").isEmpty();

    proxy.restore();
    long up = System.nanoTime();
    EtcdWatch.State back =
        watch.awaitFirst(
            "record published after etcd is up",
            up,
            TWO_SECONDS.plusSeconds(8),
            s -> published(s, key, id));
    long ms = millis(up, back.seenNanos());
    // Whenever etcd comes back, the agent reaches it within 2 s only if it never waits longer
    // than that between two attempts to connect: the proxy saw every attempt.
    long maxGap = FaultMatrixSupport.maxGapMillis(proxy.acceptedNanos(), down, up);
    System.out.printf(
        "row 1 (connections reset for %d s): record published %d ms after etcd was up (bound 2000"
            + " ms); attempts to connect at %s ms, longest wait between two %d ms%n",
        ROW1_OUTAGE.toSeconds(),
        ms,
        FaultMatrixSupport.offsetsMillis(proxy.acceptedNanos()),
        maxGap);
    assertThat(ms).as("ms from etcd up to record published").isLessThanOrEqualTo(2000);
    assertThat(maxGap)
        .as("longest wait between two attempts to connect while etcd was down (ms)")
        .isLessThanOrEqualTo(2000);
    assertThat(Records.role(FaultMatrixSupport.record(back, key).orElseThrow()))
        .isEqualTo("replica");
    // Logged after the cycle that published the record returns: a moment after etcd shows it.
    await("'etcd reachable again' logged")
        .atMost(TWO_SECONDS)
        .until(
            () -> agent.stderrLines().stream().anyMatch(l -> l.contains("etcd reachable again")));
  }

  @Test
  void row01b_etcdNotRunningWhenTheAgentStarts() {
    watch.close();
    etcd.kill(); // connections refused: nothing listens on the port
    agent = Agents.start(sandbox, INDEX, "row01b-agent", etcd.endpoint(), TIMING);
    await("agent waiting for etcd")
        .during(ROW1_OUTAGE)
        .atMost(ROW1_OUTAGE.plusSeconds(4))
        .pollInterval(Duration.ofMillis(200))
        .until(agent::isAlive);
    assertThat(linesAt(agent, "WARN"))
        .as("'etcd unavailable' lines for one outage")
        .filteredOn(l -> l.contains("etcd unavailable"))
        .hasSize(1);

    etcd.restart(); // returns once etcd answers /health
    long up = System.nanoTime();
    watch = EtcdWatch.start(etcd, Records.GROUP, sandbox.dir().resolve("watch-row01b.log"));
    EtcdWatch.State back =
        watch.awaitFirst(
            "record published after etcd is up",
            up,
            TWO_SECONDS.plusSeconds(8),
            s -> published(s, key, id));
    long ms = millis(up, back.seenNanos());
    System.out.printf(
        "row 1 (etcd not running for %d s): record published %d ms after etcd was up (bound 2000"
            + " ms)%n",
        ROW1_OUTAGE.toSeconds(), ms);
    assertThat(ms).as("ms from etcd up to record published").isLessThanOrEqualTo(2000);
  }

  @Test
  void row02_etcdRestartedWithItsDataKept() {
    assertRecordSurvivesEtcdRestart("row02", Duration.ZERO, false);
  }

  @Test
  void row02b_etcdRestartedAfterALongOutage() {
    assertRecordSurvivesEtcdRestart("row02b", ROW2B_OUTAGE, true);
  }

  /**
   * SIGKILLs etcd, keeps it down for {@code outage}, starts it again on the same data; the record
   * must be there within 2 s of etcd answering and stay there on a lease the agent keeps alive.
   * {@code viaProxy} puts a {@link TcpProxy} between agent and etcd to see the agent's attempts to
   * reconnect.
   */
  private void assertRecordSurvivesEtcdRestart(String name, Duration outage, boolean viaProxy) {
    if (viaProxy) {
      proxy = TcpProxy.to(etcd);
    }
    agent =
        Agents.start(
            sandbox, INDEX, name + "-agent", viaProxy ? proxy.endpoint() : etcd.endpoint(), TIMING);
    long leaseBefore = awaitPublished(sandbox, INDEX, Duration.ofSeconds(20));
    String before = etcd.get(key).orElseThrow();
    watch.close();
    watch = null;

    long down = System.nanoTime();
    etcd.kill(); // SIGKILL; the data directory stays
    if (!outage.isZero()) {
      await("agent running while etcd is down")
          .during(outage)
          .atMost(outage.plusSeconds(4))
          .until(agent::isAlive);
    }
    etcd.restart(); // same data directory and port; returns once etcd answers /health
    long up = System.nanoTime();
    watch = EtcdWatch.start(etcd, Records.GROUP, sandbox.dir().resolve("watch-" + name + ".log"));

    EtcdWatch.State present =
        watch.awaitFirst(
            "record present after the restart",
            up,
            TWO_SECONDS.plusSeconds(8),
            s -> published(s, key, id));
    long ms = millis(up, present.seenNanos());
    long leaseAfter = leaseIn(present, key);
    // The keep-alive stream broke with etcd: the record must not just run out its TTL now.
    await("record kept alive after the restart")
        .during(LEASE_TTL.plusSeconds(1))
        .atMost(LEASE_TTL.plusSeconds(4))
        .pollInterval(Duration.ofMillis(100))
        .until(agent::isAlive);
    Optional<EtcdWatch.State> missing =
        watch.statesSince(present.seenNanos()).stream()
            .filter(s -> !s.entries().containsKey(key))
            .findFirst();
    System.out.printf(
        "row 2 (down %d ms): record present %d ms after etcd answered again (bound 2000 ms; lease"
            + " %s)%s%s%n",
        outage.toMillis(),
        ms,
        leaseAfter == leaseBefore ? "kept" : "re-granted",
        missing
            .map(
                s -> "; then MISSING from " + millis(up, s.seenNanos()) + " ms after etcd answered")
            .orElse("; kept alive since"),
        viaProxy
            ? "; attempts to connect at "
                + FaultMatrixSupport.offsetsMillis(proxy.acceptedNanos())
                + " ms, longest wait between two "
                + FaultMatrixSupport.maxGapMillis(proxy.acceptedNanos(), down, up)
                + " ms"
            : "");
    assertThat(ms).as("ms from etcd answering to record present").isLessThanOrEqualTo(2000);
    assertThat(FaultMatrixSupport.record(present, key)).contains(Records.parse(before));
    assertThat(missing).as("a revision after the restart where the record is missing").isEmpty();
    if (viaProxy) {
      assertThat(FaultMatrixSupport.maxGapMillis(proxy.acceptedNanos(), down, up))
          .as("longest wait between two attempts to connect while etcd was down (ms)")
          .isLessThanOrEqualTo(2000);
    }
    long keptOn = etcd.leaseOf(key);
    assertThat(etcd.leaseTtl(keptOn)).as("TTL left on the record's lease").isPositive();
  }

  @Test
  void row03_agentCutOffFromEtcdLongerThanTheLeaseTtl() {
    proxy = TcpProxy.to(etcd);
    agent = Agents.start(sandbox, INDEX, "row03-agent", proxy.endpoint(), TIMING);
    long leaseBefore = awaitPublished(sandbox, INDEX, Duration.ofSeconds(20));

    proxy.blackhole();
    long cut = System.nanoTime();
    EtcdWatch.State expired =
        watch.awaitFirst(
            "record expired while the agent is cut off",
            cut,
            LEASE_TTL.plusSeconds(4),
            s -> !s.entries().containsKey(key));
    // Cut off for longer than the TTL, with the agent still running.
    await("agent running while cut off")
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(4))
        .until(agent::isAlive);
    assertThat(etcd.leaseTtl(leaseBefore)).as("the old lease expired").isEqualTo(-1);

    proxy.restore();
    long back = System.nanoTime();
    EtcdWatch.State republished =
        watch.awaitFirst(
            "record back on a new lease",
            back,
            TWO_SECONDS.plusSeconds(8),
            s -> published(s, key, id) && leaseIn(s, key) != leaseBefore);
    long ms = millis(back, republished.seenNanos());
    System.out.printf(
        "row 3: lease expired %d ms after the cut; new lease and record %d ms after the path was"
            + " back (bound 2000 ms), cut off for %d ms%n",
        millis(cut, expired.seenNanos()), ms, millis(cut, back));
    assertThat(ms).as("ms from path back to new lease and record").isLessThanOrEqualTo(2000);
    assertKeptAlive(etcd, key, leaseIn(republished, key), LEASE_TTL);
  }

  @Test
  void row04_leaseRevokedFromOutside() {
    agent = Agents.start(sandbox, INDEX, "row04-agent", etcd.endpoint(), TIMING);
    long lease = awaitPublished(sandbox, INDEX, Duration.ofSeconds(20));
    String before = etcd.get(key).orElseThrow();

    long t0 = System.nanoTime();
    etcd.leaseRevoke(lease);
    EtcdWatch.State gone =
        watch.awaitFirst(
            "record gone with the revoked lease",
            t0,
            Duration.ofSeconds(5),
            s -> !s.entries().containsKey(key));
    EtcdWatch.State back =
        watch.awaitFirst(
            "record back on a new lease",
            gone.seenNanos(),
            TWO_SECONDS.plusSeconds(8),
            s -> published(s, key, id) && leaseIn(s, key) != lease);
    long ms = millis(gone.seenNanos(), back.seenNanos());
    System.out.printf("row 4: record back %d ms after the lease was revoked (bound 2000 ms)%n", ms);
    assertThat(ms).as("ms from revoke to record back").isLessThanOrEqualTo(2000);
    assertThat(back.value(key)).contains(before);
    assertKeptAlive(etcd, key, leaseIn(back, key), LEASE_TTL);
  }

  @Test
  void row05a_ownKeyDeletedFromOutside() {
    agent = Agents.start(sandbox, INDEX, "row05a-agent", etcd.endpoint(), TIMING);
    long lease = awaitPublished(sandbox, INDEX, Duration.ofSeconds(20));
    String before = etcd.get(key).orElseThrow();

    long t0 = System.nanoTime();
    etcd.delete(key);
    EtcdWatch.State gone =
        watch.awaitFirst(
            "record deleted", t0, Duration.ofSeconds(5), s -> !s.entries().containsKey(key));
    EtcdWatch.State back =
        watch.awaitFirst(
            "record restored",
            gone.seenNanos(),
            TWO_SECONDS.plusSeconds(8),
            s -> s.entries().containsKey(key));
    long ms = millis(gone.seenNanos(), back.seenNanos());
    System.out.printf("row 5: deleted record restored in %d ms (bound 2000 ms)%n", ms);
    assertThat(ms).as("ms from delete to record restored").isLessThanOrEqualTo(2000);
    assertThat(back.value(key)).contains(before);
    assertThat(leaseIn(back, key)).as("restored on the agent's lease").isEqualTo(lease);
  }

  @Test
  void row05b_ownKeyOverwrittenWithGarbageFromOutside() {
    agent = Agents.start(sandbox, INDEX, "row05b-agent", etcd.endpoint(), TIMING);
    long lease = awaitPublished(sandbox, INDEX, Duration.ofSeconds(20));
    String before = etcd.get(key).orElseThrow();
    String garbage = "{\"id\":\"" + id + "\",\"role\":\"master\" garbage";

    long t0 = System.nanoTime();
    etcd.put(key, garbage);
    EtcdWatch.State garbled =
        watch.awaitFirst(
            "record garbled",
            t0,
            Duration.ofSeconds(5),
            s -> s.value(key).filter(garbage::equals).isPresent());
    EtcdWatch.State back =
        watch.awaitFirst(
            "record restored",
            garbled.seenNanos(),
            TWO_SECONDS.plusSeconds(8),
            s -> s.value(key).filter(before::equals).isPresent());
    long ms = millis(garbled.seenNanos(), back.seenNanos());
    System.out.printf("row 5: garbled record restored in %d ms (bound 2000 ms)%n", ms);
    assertThat(ms).as("ms from garbage to record restored").isLessThanOrEqualTo(2000);
    assertThat(leaseIn(back, key)).as("restored on the agent's lease").isEqualTo(lease);
  }
}
