package com.proposalsapp.registrar.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A planned {@code SENTINEL FAILOVER} with an agent beside each Redis: every record follows, and
 * etcd never holds two masters at any revision.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FailoverIT {
  private static final String[] TIMING = {
    "--lease-ttl", "5s", "--poll-interval", "200ms", "--resync-interval", "1s"
  };

  private Sandbox sandbox;
  private final List<AgentProcess> agents = new ArrayList<>();
  private EtcdWatch watch;

  @BeforeEach
  void startSandboxAndAgents() {
    sandbox = Sandbox.start("FailoverIT");
    for (int i = 0; i < 3; i++) {
      agents.add(Agents.start(sandbox, i, TIMING));
    }
    await("three records published")
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> roles(Records.all(sandbox.etcd())),
            r -> r.equals(List.of("master", "replica", "replica")));
  }

  @AfterEach
  void stopAll() {
    agents.forEach(AgentProcess::close);
    if (watch != null) {
      watch.close();
    }
    if (sandbox != null) {
      sandbox.close();
    }
  }

  @Test
  void sentinelFailoverUpdatesAllThreeRecordsWithNeverTwoMasters() {
    String oldMaster = sandbox.currentMasterAddress();
    assertThat(oldMaster).isEqualTo(sandbox.redis().get(0).address());
    long epochBefore =
        Records.parse(sandbox.etcd().get(Records.MASTER_KEY).orElseThrow()).path("epoch").asLong();
    watch = EtcdWatch.start(sandbox.etcd(), Records.GROUP, sandbox.dir().resolve("watch.log"));

    long t0 = System.nanoTime();
    String newMaster = sandbox.failover();
    long switched = System.nanoTime();
    int promoted = indexOf(newMaster);
    int third = 3 - promoted; // indexes 0, promoted and third add up to 3
    String oldKey = Records.key(Agents.id(sandbox, 0));
    String newKey = Records.key(Agents.id(sandbox, promoted));
    String thirdKey = Records.key(Agents.id(sandbox, third));

    EtcdWatch.State newIsMaster =
        watch.awaitFirst(
            "record of " + newMaster + " says master",
            t0,
            Duration.ofSeconds(10),
            s -> parsed(s, newKey).map(r -> Records.role(r).equals("master")).orElse(false));
    // Sentinel demotes the old master only ~10 s after the switch; until then it is stale.
    EtcdWatch.State oldIsReplica =
        watch.awaitFirst(
            "record of " + oldMaster + " says replica of " + newMaster,
            t0,
            Duration.ofSeconds(30),
            s -> isReplicaOf(s, oldKey, newMaster));
    EtcdWatch.State thirdFollows =
        watch.awaitFirst(
            "record of the third Redis follows " + newMaster,
            t0,
            Duration.ofSeconds(30),
            s -> isReplicaOf(s, thirdKey, newMaster));
    System.out.printf(
        "FailoverIT: SENTINEL FAILOVER sent; all Sentinels agreed after %d ms; new master's record"
            + " said master after %d ms, the third's followed it after %d ms, the old master's"
            + " said replica after %d ms%n",
        millis(t0, switched),
        millis(t0, newIsMaster.seenNanos()),
        millis(t0, thirdFollows.seenNanos()),
        millis(t0, oldIsReplica.seenNanos()));
    Map<String, List<String>> timelines = timelines(watch.states());
    System.out.println(
        "FailoverIT: changes in etcd:\n  " + String.join("\n  ", changes(watch.states())));

    // The record follows the Sentinels within a poll or so of their agreeing.
    assertThat(millis(switched, newIsMaster.seenNanos())).isLessThan(3000);
    // At no revision did etcd say master for two instances, nor did the master key name an
    // instance whose record did not say master.
    List<String> twoMasters = new ArrayList<>();
    List<String> masterKeyAhead = new ArrayList<>();
    for (EtcdWatch.State s : watch.states()) {
      List<String> masters =
          s.entries().keySet().stream()
              .filter(k -> k.startsWith(Records.INSTANCES))
              .filter(k -> parsed(s, k).map(r -> Records.role(r).equals("master")).orElse(false))
              .toList();
      if (masters.size() > 1) {
        twoMasters.add("revision " + s.revision() + ": " + masters);
      }
      Optional<JsonNode> masterKey = parsed(s, Records.MASTER_KEY);
      if (masterKey.isPresent()) {
        String named = Records.key(masterKey.get().path("id").asText());
        if (!masters.equals(List.of(named))) {
          masterKeyAhead.add(
              "revision " + s.revision() + ": names " + named + ", masters " + masters);
        }
      }
    }
    assertThat(twoMasters).as("revisions with more than one master").isEmpty();
    assertThat(masterKeyAhead).as("revisions where the master key names a non-master").isEmpty();
    // The old master went from master to stale, never master again, then to a replica; no
    // record was ever missing.
    List<String> old = timelines.get(oldKey);
    assertThat(old).startsWith("master", "stale").endsWith("replica");
    assertThat(old.subList(1, old.size())).doesNotContain("master");
    assertThat(timelines.values()).allSatisfy(roles -> assertThat(roles).doesNotContain("-"));

    Map<String, JsonNode> records = Records.all(sandbox.etcd());
    assertThat(roles(records)).containsExactlyInAnyOrder("master", "replica", "replica");
    for (JsonNode r : records.values()) {
      assertThat(r.path("sentinel").path("master").asText()).isEqualTo(newMaster);
      assertThat(r.path("sentinel").path("confirmed").asBoolean()).isTrue();
    }
    assertThat(Records.role(records.get(Agents.id(sandbox, promoted)))).isEqualTo("master");
    JsonNode masterKey = Records.parse(sandbox.etcd().get(Records.MASTER_KEY).orElseThrow());
    assertThat(masterKey.path("id").asText()).isEqualTo(Agents.id(sandbox, promoted));
    assertThat(masterKey.path("epoch").asLong()).isGreaterThan(epochBefore);
    assertThat(agents).allMatch(AgentProcess::isAlive);
  }

  private int indexOf(String address) {
    for (int i = 0; i < 3; i++) {
      if (sandbox.redis().get(i).address().equals(address)) {
        return i;
      }
    }
    throw new IllegalArgumentException("no Redis at " + address);
  }

  private static boolean isReplicaOf(EtcdWatch.State s, String key, String master) {
    return parsed(s, key)
        .map(
            r ->
                Records.role(r).equals("replica")
                    && Records.followed(r).equals(master)
                    && r.path("link").asText().equals("up"))
        .orElse(false);
  }

  private static Optional<JsonNode> parsed(EtcdWatch.State s, String key) {
    return s.value(key).filter(Records::isObject).map(Records::parse);
  }

  /**
   * Each instance key's successive roles ("-" while absent), a change at each revision where it
   * changed.
   */
  private static Map<String, List<String>> timelines(List<EtcdWatch.State> states) {
    Map<String, List<String>> timelines = new LinkedHashMap<>();
    for (String key : states.get(0).entries().keySet()) {
      if (!key.startsWith(Records.INSTANCES)) {
        continue;
      }
      List<String> roles = new ArrayList<>();
      for (EtcdWatch.State s : states) {
        String role = parsed(s, key).map(Records::role).orElse("-");
        if (roles.isEmpty() || !roles.get(roles.size() - 1).equals(role)) {
          roles.add(role);
        }
      }
      timelines.put(key, roles);
    }
    return timelines;
  }

  /** Every change, in revision order: "rev 12 dc1-...: stale", with what a replica follows. */
  private static List<String> changes(List<EtcdWatch.State> states) {
    List<String> changes = new ArrayList<>();
    for (int i = 1; i < states.size(); i++) {
      EtcdWatch.State before = states.get(i - 1);
      EtcdWatch.State after = states.get(i);
      for (String key : after.entries().keySet()) {
        Optional<String> now = after.value(key);
        if (!now.equals(before.value(key))) {
          String id = key.substring(Records.GROUP.length());
          String what =
              now.filter(Records::isObject)
                  .map(Records::parse)
                  .map(FailoverIT::describe)
                  .orElse("not a record");
          changes.add("rev " + after.revision() + " " + id + ": " + what);
        }
      }
      for (String key : before.entries().keySet()) {
        if (!after.entries().containsKey(key)) {
          changes.add(
              "rev "
                  + after.revision()
                  + " "
                  + key.substring(Records.GROUP.length())
                  + ": deleted");
        }
      }
    }
    return changes;
  }

  /** A record or the master key in a few words. */
  private static String describe(JsonNode r) {
    if (!r.has("role")) {
      return "names " + r.path("id").asText() + " (epoch " + r.path("epoch").asText() + ")";
    }
    JsonNode sentinel = r.path("sentinel");
    return Records.role(r)
        + (r.has("master_host") ? " of " + Records.followed(r) : "")
        + " (Sentinels: "
        + sentinel.path("agreeing").asText()
        + "/"
        + sentinel.path("reachable").asText()
        + " name "
        + sentinel.path("master").asText()
        + ")";
  }

  /** The roles of the records in id order (dc1, dc2, dc3 here). */
  private static List<String> roles(Map<String, JsonNode> records) {
    return records.values().stream().map(Records::role).toList();
  }

  private static long millis(long fromNanos, long toNanos) {
    return TimeUnit.NANOSECONDS.toMillis(toNanos - fromNanos);
  }
}
