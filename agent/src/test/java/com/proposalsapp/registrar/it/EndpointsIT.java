package com.proposalsapp.registrar.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.proposalsapp.registrar.it.SentinelFailoverFixture.AgentTrio;
import com.proposalsapp.registrar.it.SentinelFailoverFixture.Snapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 10 case 1 beyond {@code localhost}: an address is one endpoint however it is spelt. A name
 * only a hosts file knows against Sentinels that report IPs; Sentinels that announce host names
 * against an agent given IPs, through a real failover; and everything on IPv6 loopback. Before,
 * addresses were compared as strings and the real master stayed {@code stale} with no master key.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EndpointsIT {

  /** The issue saw {@code stale} for 20 s and more; the agent reacts to Sentinel events at once. */
  private static final Duration PROMPTLY = Duration.ofSeconds(10);

  private static final Duration SETTLED = Duration.ofSeconds(30);

  @Test
  void aNameFromAHostsFileIsTheIpTheSentinelsReport() throws IOException {
    try (Sandbox sandbox = Sandbox.start("EndpointsIT-hosts-file")) {
      String masterAddress = sandbox.currentMasterAddress();
      assertThat(masterAddress).as("the Sentinels report an IP").startsWith("127.0.0.1:");
      RedisServer master = sandbox.redisAt(masterAddress);
      RedisServer replica =
          sandbox.redis().stream().filter(r -> r != master).findFirst().orElseThrow();
      // Names no DNS knows (.test is reserved): only this file, given to the agent's JVM, does.
      Path hosts = sandbox.dir().resolve("hosts");
      Files.writeString(hosts, "127.0.0.1 localhost redis-a.test redis-b.test\n");
      Map<String, String> env = Map.of("JAVA_TOOL_OPTIONS", "-Djdk.net.hosts.file=" + hosts);

      try (AgentProcess masterAgent =
              Agents.start(
                  sandbox,
                  "dc1",
                  "redis-a.test:" + master.port(),
                  "agent-hosts-master",
                  sandbox.etcd().endpoint(),
                  sandbox.sentinelAddresses(),
                  env,
                  "--id",
                  "dc1-redis-a",
                  "--poll-interval",
                  "200ms");
          AgentProcess replicaAgent =
              Agents.start(
                  sandbox,
                  "dc2",
                  replica.address(),
                  "agent-hosts-replica",
                  sandbox.etcd().endpoint(),
                  sandbox.sentinelAddresses(),
                  env,
                  "--announce",
                  "redis-b.test:" + replica.port(),
                  "--id",
                  "dc2-redis-b",
                  "--poll-interval",
                  "200ms")) {
        await("the master under its hosts-file name")
            .atMost(SETTLED)
            .pollInterval(Duration.ofMillis(200))
            .untilAsserted(
                () -> {
                  assertThat(Records.get(sandbox.etcd(), "dc1-redis-a"))
                      .hasValueSatisfying(
                          m -> {
                            assertThat(Records.role(m)).isEqualTo("master");
                            assertThat(m.path("sentinel").path("confirmed").asBoolean()).isTrue();
                          });
                  assertThat(Records.get(sandbox.etcd(), "dc2-redis-b").map(Records::role))
                      .contains("replica");
                  assertThat(sandbox.etcd().get(Records.MASTER_KEY).map(Records::parse))
                      .hasValueSatisfying(
                          k -> assertThat(k.path("id").asText()).isEqualTo("dc1-redis-a"));
                });
        JsonNode m = Records.get(sandbox.etcd(), "dc1-redis-a").orElseThrow();
        assertThat(m.path("host").asText())
            .as("what the operator announced")
            .isEqualTo("redis-a.test");
        assertThat(m.path("port").asInt()).isEqualTo(master.port());
        JsonNode key = Records.parse(sandbox.etcd().get(Records.MASTER_KEY).orElseThrow());
        assertThat(key.path("host").asText()).isEqualTo("redis-a.test");
        JsonNode r = Records.get(sandbox.etcd(), "dc2-redis-b").orElseThrow();
        assertThat(r.path("host").asText()).isEqualTo("redis-b.test");
        assertThat(Records.followed(r)).isEqualTo(masterAddress);
        for (AgentProcess agent : new AgentProcess[] {masterAgent, replicaAgent}) {
          assertThat(agent.stderrLines())
              .as("the agent's JVM took the hosts file (the JVM says so on stderr)")
              .anyMatch(
                  l -> l.contains("Picked up JAVA_TOOL_OPTIONS") && l.contains(hosts.toString()));
        }
      }
    }
  }

  @Test
  void sentinelsThatAnnounceHostNamesAreFollowedThroughAFailover() {
    try (Sandbox sandbox =
        Sandbox.start(
            "EndpointsIT-announce-hostnames", Sandbox.Options.defaults().withHostnames())) {
      assertThat(sandbox.currentMasterAddress())
          .as("the Sentinels announce names")
          .startsWith("localhost:");
      // the agents are given IPs: 127.0.0.1:<port>
      try (AgentTrio agents =
          AgentTrio.start(
              sandbox,
              "hostnames",
              sandbox.sentinelAddresses(),
              Map.of(),
              "--poll-interval",
              "200ms")) {
        awaitFollowed(sandbox, sandbox.currentMasterAddress(), SETTLED);

        String after = sandbox.failover();

        assertThat(after).startsWith("localhost:");
        awaitMasterKey(sandbox, after, PROMPTLY);
        awaitFollowed(sandbox, after, SETTLED);
      }
    }
  }

  @Test
  void redisAndSentinelsOnIpv6LoopbackArePublishedAndFollowedThroughAFailover() {
    try (Sandbox sandbox =
        Sandbox.start("EndpointsIT-ipv6", Sandbox.Options.defaults().withHost("::1"))) {
      assertThat(sandbox.sentinelAddresses()).startsWith("[::1]:");
      assertThat(sandbox.currentMasterAddress()).startsWith("[::1]:");
      // --redis [::1]:<port> --sentinels [::1]:<p1>,[::1]:<p2>,[::1]:<p3>
      try (AgentTrio agents =
          AgentTrio.start(
              sandbox, "ipv6", sandbox.sentinelAddresses(), Map.of(), "--poll-interval", "200ms")) {
        String before = sandbox.currentMasterAddress();
        awaitFollowed(sandbox, before, SETTLED);
        Snapshot s = SentinelFailoverFixture.snapshot(sandbox.etcd());
        String masterId = s.masterId();
        assertThat(s.master().orElseThrow().path("host").asText()).isEqualTo("::1");
        assertThat(s.instance(masterId).orElseThrow().path("host").asText()).isEqualTo("::1");

        String after = sandbox.failover();

        awaitMasterKey(sandbox, after, PROMPTLY);
        awaitFollowed(sandbox, after, SETTLED);
        assertThat(SentinelFailoverFixture.snapshot(sandbox.etcd()).masterId())
            .isNotEqualTo(masterId);
      }
    }
  }

  /**
   * Waits until the record of the Redis at {@code master} (as a Sentinel names it) says master and
   * the master key names it.
   */
  private static void awaitMasterKey(Sandbox sandbox, String master, Duration atMost) {
    String id = idOf(sandbox, master);
    await(id + " published as master with the master key")
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(100))
        .untilAsserted(
            () -> {
              Snapshot s = SentinelFailoverFixture.snapshot(sandbox.etcd());
              assertThat(s.role(id)).as(s.summary()).isEqualTo("master");
              assertThat(s.masterId()).as(s.summary()).isEqualTo(id);
            });
  }

  /**
   * Waits until {@code master} is published as master with the master key, and every other Redis as
   * a replica following it.
   */
  private static void awaitFollowed(Sandbox sandbox, String master, Duration atMost) {
    awaitMasterKey(sandbox, master, atMost);
    int port = sandbox.redisAt(master).port();
    await("every replica published as following " + master)
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(100))
        .untilAsserted(
            () -> {
              Snapshot s = SentinelFailoverFixture.snapshot(sandbox.etcd());
              for (int i = 0; i < sandbox.redis().size(); i++) {
                if (sandbox.redis().get(i).port() != port) {
                  String id = SentinelFailoverFixture.id(i);
                  assertThat(s.role(id)).as(s.summary()).isEqualTo("replica");
                  assertThat(s.follows(id)).as(s.summary()).endsWith(":" + port);
                }
              }
              assertThat(s.masters()).as(s.summary()).containsExactly(idOf(sandbox, master));
            });
  }

  private static String idOf(Sandbox sandbox, String address) {
    return SentinelFailoverFixture.id(sandbox.redis().indexOf(sandbox.redisAt(address)));
  }
}
