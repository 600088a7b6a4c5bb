package com.proposalsapp.registrar.it;

import static com.proposalsapp.registrar.it.FaultMatrixSupport.awaitPublished;
import static com.proposalsapp.registrar.it.FaultMatrixSupport.leaseIn;
import static com.proposalsapp.registrar.it.FaultMatrixSupport.linesAt;
import static com.proposalsapp.registrar.it.FaultMatrixSupport.millis;
import static com.proposalsapp.registrar.it.FaultMatrixSupport.millisSince;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * Fault matrix rows 9–13 (issue 4), faults of the agent itself and of what shares its keys: SIGTERM
 * while etcd is unreachable, SIGKILL, a twin with the same id, a quick restart, invalid JSON under
 * the prefix. One sandbox; agents per test; each test leaves etcd empty.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.MethodName.class)
class FaultMatrixAgentIT {
  @RegisterExtension
  static final SandboxExtension SANDBOX = SandboxExtension.of(Sandbox.Options.defaults());

  private static final Duration LEASE_TTL = Duration.ofSeconds(3);
  private static final String[] TIMING = {"--lease-ttl", "3s", "--poll-interval", "200ms"};

  /** The default --shutdown-timeout, and what the JVM may take to exit after it. */
  private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(2);

  private static final Duration JVM_EXIT_MARGIN = Duration.ofMillis(500);

  private static Sandbox sandbox;

  private EtcdServer etcd;
  private EtcdWatch watch;
  private TcpProxy proxy;
  private final List<AgentProcess> agents = new ArrayList<>();

  @BeforeAll
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  static void startSandbox() {
    sandbox = SANDBOX.get();
  }

  @BeforeEach
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void startWatch(TestInfo test) {
    etcd = sandbox.etcd();
    String name = test.getTestMethod().map(m -> m.getName()).orElse("test");
    watch = EtcdWatch.start(etcd, Records.GROUP, sandbox.dir().resolve("watch-" + name + ".log"));
  }

  @AfterEach
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void cleanUp() {
    if (proxy != null) {
      proxy.restore();
    }
    agents.forEach(FaultMatrixSupport::stop);
    if (proxy != null) {
      proxy.close();
    }
    watch.close();
    if (etcd.isPaused()) {
      etcd.resume();
      etcd.awaitReady();
    }
    FaultMatrixSupport.cleanEtcd(etcd);
  }

  private AgentProcess start(int index, String name, String etcdEndpoint, String... extra) {
    AgentProcess agent = Agents.start(sandbox, index, name, etcdEndpoint, extra);
    agents.add(agent);
    return agent;
  }

  @Test
  void row09_sigtermWhileEtcdIsUnreachable() {
    proxy = TcpProxy.to(etcd);
    AgentProcess agent = start(1, "row09-agent", proxy.endpoint(), TIMING);
    String key = Records.key(Agents.id(sandbox, 1));
    long lease = awaitPublished(sandbox, 1, Duration.ofSeconds(20));

    proxy.blackhole(); // etcd stays up for us; the agent's requests hang
    long cut = System.nanoTime();
    int linesBefore = agent.stderrLines().size();
    long t0 = System.nanoTime();
    agent.signal("TERM");
    await("agent exited after SIGTERM")
        .atMost(SHUTDOWN_TIMEOUT.plusSeconds(5))
        .pollInterval(Duration.ofMillis(10))
        .until(() -> !agent.isAlive());
    long exitMs = millisSince(t0);
    int exitCode = agent.waitForExit(Duration.ofSeconds(5));
    List<String> shutdownLines =
        agent.stderrLines().subList(linesBefore, agent.stderrLines().size());
    System.out.printf(
        "row 9: SIGTERM with etcd unreachable -> exited %d after %d ms (--shutdown-timeout %d ms,"
            + " asserted <= %d ms allowing %d ms for the JVM to exit); logged %s%n",
        exitCode,
        exitMs,
        SHUTDOWN_TIMEOUT.toMillis(),
        SHUTDOWN_TIMEOUT.plus(JVM_EXIT_MARGIN).toMillis(),
        JVM_EXIT_MARGIN.toMillis(),
        shutdownLines);
    assertThat(exitMs).isLessThanOrEqualTo(SHUTDOWN_TIMEOUT.plus(JVM_EXIT_MARGIN).toMillis());
    assertThat(exitCode).as("exit code after SIGTERM").isZero();
    assertThat(shutdownLines)
        .as("lines logged at shutdown saying the record is left to its lease")
        .filteredOn(l -> l.contains("expires with its lease"))
        .singleElement()
        .asString()
        .contains(" WARN ", "could not deregister");

    EtcdWatch.State expired =
        watch.awaitFirst(
            "record expired by TTL",
            t0,
            LEASE_TTL.plusSeconds(5),
            s -> !s.entries().containsKey(key));
    long goneMs = millis(cut, expired.seenNanos());
    System.out.printf(
        "row 9: record expired %d ms after etcd became unreachable (TTL %d ms, bound TTL + 1000 ms)%n",
        goneMs, LEASE_TTL.toMillis());
    assertThat(goneMs).isLessThanOrEqualTo(LEASE_TTL.toMillis() + 1000);
    assertThat(etcd.leaseTtl(lease)).as("lease expired").isEqualTo(-1);
  }

  @Test
  void row10_sigkillOfTheAgent() {
    AgentProcess agent = start(1, "row10-agent", etcd.endpoint(), TIMING);
    String key = Records.key(Agents.id(sandbox, 1));
    long lease = awaitPublished(sandbox, 1, Duration.ofSeconds(20));

    long t0 = System.nanoTime();
    agent.signal("KILL");
    EtcdWatch.State gone =
        watch.awaitFirst(
            "record gone after SIGKILL",
            t0,
            LEASE_TTL.plusSeconds(5),
            s -> !s.entries().containsKey(key));
    long ms = millis(t0, gone.seenNanos());
    System.out.printf(
        "row 10: SIGKILL -> record gone in %d ms (TTL %d ms, bound TTL + 1000 ms)%n",
        ms, LEASE_TTL.toMillis());
    assertThat(ms).isLessThanOrEqualTo(LEASE_TTL.toMillis() + 1000);
    assertThat(etcd.leaseTtl(lease)).as("lease expired").isEqualTo(-1);
  }

  @Test
  void row11_secondAgentWithTheSameIdButAnotherAddress() {
    String id = Agents.id(sandbox, 1);
    String key = Records.key(id);
    String first = sandbox.redis().get(1).address();
    String second = sandbox.redis().get(2).address();
    start(1, "row11-agent-first", etcd.endpoint(), TIMING);
    long lease = awaitPublished(sandbox, 1, Duration.ofSeconds(20));
    String value = etcd.get(key).orElseThrow();

    long t0 = System.nanoTime();
    AgentProcess twin = start(2, "row11-agent-twin", etcd.endpoint(), append(TIMING, "--id", id));
    String error =
        await("the twin refuses to publish")
            .atMost(Duration.ofSeconds(20))
            .pollInterval(Duration.ofMillis(50))
            .until(() -> linesAt(twin, "ERROR"), l -> !l.isEmpty())
            .get(0);
    System.out.printf(
        "row 11: twin refused after %d ms from its start: %s%n", millisSince(t0), error);
    // It does not flap: over several polls and a lease TTL, the first agent's record is untouched.
    await("the first agent keeps its record")
        .during(LEASE_TTL.plusSeconds(1))
        .atMost(LEASE_TTL.plusSeconds(5))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> twin.isAlive() && etcd.get(key).filter(value::equals).isPresent());
    assertThat(etcd.leaseOf(key)).isEqualTo(lease);
    assertThat(watch.statesSince(t0))
        .as("revisions since the twin started that touched the record")
        .allMatch(s -> s.value(key).filter(value::equals).isPresent() && leaseIn(s, key) == lease);
    assertThat(linesAt(twin, "ERROR")).as("ERROR lines of the twin").hasSize(1);
    assertThat(error).contains(id, first, second);
  }

  @Test
  void row12_agentRestartedQuicklyOnTheSameRedis() {
    // A long TTL, so that "at once" and "after the old lease expired" cannot be confused.
    String[] timing = {"--lease-ttl", "15s", "--poll-interval", "200ms"};
    String key = Records.key(Agents.id(sandbox, 1));
    AgentProcess old = start(1, "row12-agent-old", etcd.endpoint(), timing);
    long oldLease = awaitPublished(sandbox, 1, Duration.ofSeconds(20));
    String value = etcd.get(key).orElseThrow();

    old.signal("KILL");
    await("old agent gone").atMost(Duration.ofSeconds(5)).until(() -> !old.isAlive());
    long t0 = System.nanoTime();
    start(1, "row12-agent-new", etcd.endpoint(), timing);
    EtcdWatch.State takenOver =
        watch.awaitFirst(
            "record taken over by the new agent",
            t0,
            Duration.ofSeconds(15),
            s -> leaseIn(s, key) != 0 && leaseIn(s, key) != oldLease);
    long ms = millis(t0, takenOver.seenNanos());
    long oldTtlLeft = etcd.leaseTtl(oldLease);
    long newLease = leaseIn(takenOver, key);
    System.out.printf(
        "row 12: new agent took the record over %d ms after its JVM started; the old lease still"
            + " had %d s to live%n",
        ms, oldTtlLeft);
    assertThat(oldTtlLeft).as("old lease still alive at the takeover").isPositive();
    assertThat(watch.statesSince(t0))
        .as("revisions where the record was missing")
        .allMatch(s -> s.entries().containsKey(key));
    assertThat(takenOver.value(key).map(Records::parse)).contains(Records.parse(value));

    // The old lease can no longer remove it.
    long revoked = System.nanoTime();
    etcd.leaseRevoke(oldLease);
    await("record stays on the new lease after the old one is revoked")
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> etcd.leaseOf(key) == newLease && etcd.get(key).isPresent());
    assertThat(watch.statesSince(revoked))
        .as("revisions after the old lease was revoked")
        .allMatch(s -> leaseIn(s, key) == newLease);
  }

  @Test
  void row13_invalidJsonUnderThePrefix() {
    start(0, "row13-agent-dc1", etcd.endpoint(), TIMING);
    start(1, "row13-agent-dc2", etcd.endpoint(), TIMING);
    awaitPublished(sandbox, 0, Duration.ofSeconds(20));
    awaitPublished(sandbox, 1, Duration.ofSeconds(20));
    await("master key claimed")
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> etcd.get(Records.MASTER_KEY).isPresent());
    Map<String, JsonNode> before = Records.all(etcd);

    String invalid = Records.INSTANCES + "someone-elses";
    String notARecord = Records.INSTANCES + "not-a-record";
    etcd.put(invalid, "{\"id\":\"someone-elses\",\"role\":\"master\",");
    etcd.put(notARecord, "[\"master\"]");

    AgentProcess.Result table =
        AgentProcess.run(Duration.ofSeconds(20), Map.of(), "status", "--etcd", etcd.endpoint());
    System.out.printf("row 13: status exited %d:%n%s", table.exitCode(), table.stdout());
    assertThat(table.exitCode()).as("status exit code; stderr: %s", table.stderr()).isZero();
    assertThat(table.stdout().lines())
        .filteredOn(l -> l.contains("someone-elses") || l.contains("not-a-record"))
        .hasSize(2)
        .allMatch(l -> l.contains("INVALID"));
    assertThat(table.stdout().lines())
        .filteredOn(l -> l.contains(Agents.id(sandbox, 0)) || l.contains(Agents.id(sandbox, 1)))
        .hasSize(2)
        .noneMatch(l -> l.contains("INVALID"));
    AgentProcess.Result json =
        AgentProcess.run(
            Duration.ofSeconds(20), Map.of(), "status", "-o", "json", "--etcd", etcd.endpoint());
    assertThat(json.exitCode()).isZero();
    JsonNode listed = Records.parse(json.stdout());
    assertThat(listed.size()).isEqualTo(4);
    for (JsonNode n : listed) {
      boolean bogus =
          n.path("key").asText().equals(invalid) || n.path("key").asText().equals(notARecord);
      assertThat(n.path("valid").asBoolean()).as("valid of %s", n.path("key")).isEqualTo(!bogus);
    }

    // The agents carry on: a restarted master agent reads every record before claiming master.
    AgentProcess dc1 = agents.get(0);
    dc1.signal("TERM");
    await("dc1 agent stopped").atMost(Duration.ofSeconds(5)).until(() -> !dc1.isAlive());
    start(0, "row13-agent-dc1-again", etcd.endpoint(), TIMING);
    await("master record back")
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(100))
        .ignoreExceptions()
        .until(
            () ->
                Records.role(Records.get(etcd, Agents.id(sandbox, 0)).orElseThrow())
                        .equals("master")
                    && etcd.get(Records.MASTER_KEY).isPresent());
    await("agents running, records unchanged")
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> agents.get(1).isAlive() && agents.get(2).isAlive());
    for (int i = 0; i < 2; i++) {
      JsonNode now = Records.get(etcd, Agents.id(sandbox, i)).orElseThrow();
      JsonNode was = before.get(Agents.id(sandbox, i));
      assertThat(Records.role(now)).isEqualTo(Records.role(was));
      assertThat(now.path("host").asText() + ":" + now.path("port").asInt())
          .isEqualTo(sandbox.redis().get(i).address());
      assertThat(now.path("sentinel")).isEqualTo(was.path("sentinel"));
    }
    assertThat(etcd.get(invalid)).as("someone else's key left alone").isPresent();
    assertThat(etcd.get(notARecord)).as("someone else's key left alone").isPresent();
    for (AgentProcess a : agents) {
      assertThat(linesAt(a, "ERROR")).as("ERROR lines").isEmpty();
      assertThat(a.stderrLines()).as("stack traces").noneMatch(l -> l.contains("Exception"));
    }
  }

  private static String[] append(String[] args, String... more) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }
}
