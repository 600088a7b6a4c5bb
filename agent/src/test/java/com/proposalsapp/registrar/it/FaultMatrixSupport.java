package com.proposalsapp.registrar.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * What the fault-matrix tests share: starting agents, reading the watch, measuring, cleaning up.
 */
final class FaultMatrixSupport {

  /** The bound most rows give: "≤ 2 s after ...". */
  static final Duration TWO_SECONDS = Duration.ofSeconds(2);

  private FaultMatrixSupport() {}

  /** The record at {@code key} in a watched state, if it is a JSON object. */
  static Optional<JsonNode> record(EtcdWatch.State s, String key) {
    return s.value(key).filter(Records::isObject).map(Records::parse);
  }

  /** The lease {@code key} is bound to in a watched state; 0 when absent. */
  static long leaseIn(EtcdWatch.State s, String key) {
    EtcdWatch.Entry e = s.entries().get(key);
    return e == null ? 0 : e.lease();
  }

  /** Whether {@code key} holds a valid-looking record of {@code id} on a lease in {@code s}. */
  static boolean published(EtcdWatch.State s, String key, String id) {
    return leaseIn(s, key) != 0
        && record(s, key).map(r -> r.path("id").asText().equals(id)).orElse(false);
  }

  /**
   * Waits until the agent's record of {@code index} is published (a JSON record on a lease) and
   * returns its lease.
   */
  static long awaitPublished(Sandbox sandbox, int index, Duration atMost) {
    String key = Records.key(Agents.id(sandbox, index));
    return await("record of " + Agents.dc(index) + " published")
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(100))
        .ignoreExceptions()
        .until(
            () ->
                sandbox.etcd().get(key).filter(Records::isObject).isPresent()
                    ? sandbox.etcd().leaseOf(key)
                    : 0L,
            l -> l != 0L);
  }

  /**
   * The record stays on {@code lease} for longer than {@code ttl}: the agent keeps that lease
   * alive.
   */
  static void assertKeptAlive(EtcdServer etcd, String key, long lease, Duration ttl) {
    await("record kept alive on lease " + Long.toHexString(lease))
        .during(ttl.plusSeconds(1))
        .atMost(ttl.plusSeconds(4))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> etcd.leaseOf(key) == lease && etcd.leaseTtl(lease) > 0);
  }

  /** Removes every key under the prefix and revokes every lease: the next test starts clean. */
  static void cleanEtcd(EtcdServer etcd) {
    for (long lease : Records.leases(etcd)) {
      try {
        etcd.leaseRevoke(lease);
      } catch (IllegalStateException e) {
        // expired meanwhile
      }
    }
    etcd.etcdctl("del", "--prefix", "--", Records.PREFIX + "/");
    assertThat(etcd.getPrefix(Records.PREFIX + "/")).as("etcd cleaned").isEmpty();
  }

  /** Stops an agent with SIGTERM (SIGKILL if it does not exit), tolerating one already gone. */
  static void stop(AgentProcess agent) {
    if (agent == null) {
      return;
    }
    try {
      if (agent.isAlive()) {
        agent.signal("TERM");
      }
      await("agent exited after SIGTERM")
          .atMost(Duration.ofSeconds(5))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> !agent.isAlive());
    } catch (RuntimeException e) {
      // still running, or gone before the signal: close() below kills it
    }
    agent.close();
  }

  /** Lines of {@code agent}'s stderr at {@code level} ("ERROR", "WARN", "INFO"). */
  static List<String> linesAt(AgentProcess agent, String level) {
    String tag = " " + level + " ";
    return agent.stderrLines().stream().filter(l -> l.contains(tag)).toList();
  }

  /**
   * The longest time between two consecutive instants in [{@code fromNanos}, {@code untilNanos})
   * (connection attempts seen by a proxy, for example), in ms; 0 if there are fewer than two.
   */
  static long maxGapMillis(List<Long> nanos, long fromNanos, long untilNanos) {
    List<Long> in = nanos.stream().filter(n -> n >= fromNanos && n < untilNanos).toList();
    long max = 0;
    for (int i = 1; i < in.size(); i++) {
      max = Math.max(max, millis(in.get(i - 1), in.get(i)));
    }
    return max;
  }

  /** Instants as ms after the first of them. */
  static List<Long> offsetsMillis(List<Long> nanos) {
    return nanos.isEmpty() ? List.of() : nanos.stream().map(n -> millis(nanos.get(0), n)).toList();
  }

  static long millisSince(long startNanos) {
    return millis(startNanos, System.nanoTime());
  }

  static long millis(long fromNanos, long toNanos) {
    return TimeUnit.NANOSECONDS.toMillis(toNanos - fromNanos);
  }
}
