package com.proposalsapp.registrar.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Issue 14: a planned {@code SENTINEL FAILOVER} on a real 3 Redis + 3 Sentinel sandbox, three
 * agents fencing ({@code --fence}) and HAProxy driven by {@code route}: a writer on one long-lived
 * connection to the write listener loses no acknowledged write, and the old master's agent shows
 * the fence it held in {@code /status}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.MethodName.class)
class FenceIT {

  @RegisterExtension
  // A 5 s down-after lets the fence hold writes up to 4.75 s (Fence.SDOWN_MARGIN under it), so
  // that a failover slowed by a loaded machine still ends before the fence's limit.
  static final SandboxExtension SANDBOX =
      SandboxExtension.of(Sandbox.Options.defaults().withDownAfter(Duration.ofSeconds(5)));

  private static final String[] AGENT_TIMING = {
    "--poll-interval", "200ms", "--lease-ttl", "10s", "--fence", "--fence-timeout", "5s"
  };
  private static final String KEY = "fence-it";

  private static Sandbox sandbox;
  private static final List<AgentProcess> agents = new ArrayList<>();
  private static HaproxyServer haproxy;
  private static AgentProcess route;

  @BeforeAll
  static void startTheTier() {
    sandbox = SANDBOX.get();
    for (int i = 0; i < 3; i++) {
      agents.add(Agents.start(sandbox, i, AGENT_TIMING));
    }
    haproxy = Routers.startHaproxy(sandbox, "haproxy", 4);
    route = Routers.start(sandbox, haproxy, "route", "dc2");
  }

  @AfterAll
  static void stopTheTier() {
    if (route != null) {
      route.close();
    }
    agents.forEach(AgentProcess::close);
  }

  @Test
  void aPlannedFailoverLosesNoAcknowledgedWrite() throws Exception {
    String old = sandbox.currentMasterAddress();
    int oldIndex = sandbox.indexOf(old);
    await("writes routed to " + old)
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptions()
        .until(() -> portServing() == sandbox.redisAt(old).port());
    ConcurrentLinkedQueue<Long> acked = new ConcurrentLinkedQueue<>();
    AtomicBoolean stop = new AtomicBoolean();
    Thread writer = new Thread(() -> write(acked, stop), "fence-it-writer");
    writer.start();
    await().atMost(Duration.ofSeconds(5)).until(() -> acked.size() > 100);
    String promoted = sandbox.failover();
    await("the writer acknowledged by the new master")
        .atMost(Duration.ofSeconds(10))
        .ignoreExceptions()
        .until(() -> portServing() == sandbox.redisAt(promoted).port());
    int before = acked.size();
    await().atMost(Duration.ofSeconds(5)).until(() -> acked.size() > before + 100);
    stop.set(true);
    writer.join(5000);

    Set<Long> present = new HashSet<>();
    try (Jedis j = new Jedis("127.0.0.1", sandbox.redisAt(promoted).port())) {
      j.lrange(KEY, 0, -1).forEach(v -> present.add(Long.parseLong(v)));
    }
    List<Long> lost = acked.stream().filter(s -> !present.contains(s)).toList();
    System.out.printf(
        "FenceIT planned failover: %d writes acknowledged, %d lost%n", acked.size(), lost.size());
    assertThat(lost).as("acknowledged writes missing from the new master").isEmpty();

    var fence =
        AgentHttp.get(AgentHttp.address(agents.get(oldIndex)), "/status").json().get("fence");
    assertThat(fence.get("enabled").asBoolean()).isTrue();
    assertThat(fence.get("held").asBoolean()).isFalse();
    assertThat(fence.get("fences").asLong()).isGreaterThanOrEqualTo(1);
    assertThat(fence.get("last_lift").asText()).isEqualTo("master_moved");
    assertThat(fence.get("longest_held_ms").asLong()).isBetween(1L, 5000L);
    System.out.println("FenceIT old master's fence: " + fence);
  }

  @Test
  void bSwitchoverLosesNoAcknowledgedWriteAndDryRunChangesNothing() throws Exception {
    String old = sandbox.currentMasterAddress();
    await("writes routed to " + old)
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptions()
        .until(() -> portServing() == sandbox.redisAt(old).port());
    String[] common = {
      "--sentinels", sandbox.sentinelAddresses(), "--etcd", sandbox.etcd().endpoint()
    };
    AgentProcess.Result dry = switchover(common, "--dry-run");
    assertThat(dry.exitCode()).as(dry.stderr()).isZero();
    assertThat(dry.stdout()).contains("master " + old).contains("SENTINEL FAILOVER");
    assertThat(sandbox.currentMasterAddress()).isEqualTo(old);

    try (Jedis j = new Jedis("127.0.0.1", sandbox.redisAt(old).port())) {
      j.del(KEY);
    }
    ConcurrentLinkedQueue<Long> acked = new ConcurrentLinkedQueue<>();
    AtomicBoolean stop = new AtomicBoolean();
    Thread writer = new Thread(() -> write(acked, stop), "fence-it-writer");
    writer.start();
    await().atMost(Duration.ofSeconds(5)).until(() -> acked.size() > 100);
    AgentProcess.Result r = switchover(common);
    System.out.println("FenceIT switchover:\n" + r.stdout() + r.stderr());
    assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();
    String promoted = sandbox.currentMasterAddress();
    assertThat(promoted).isNotEqualTo(old);
    await("the writer acknowledged by the new master")
        .atMost(Duration.ofSeconds(10))
        .ignoreExceptions()
        .until(() -> portServing() == sandbox.redisAt(promoted).port());
    int before = acked.size();
    await().atMost(Duration.ofSeconds(5)).until(() -> acked.size() > before + 100);
    stop.set(true);
    writer.join(5000);
    Set<Long> present = new HashSet<>();
    try (Jedis j = new Jedis("127.0.0.1", sandbox.redisAt(promoted).port())) {
      j.lrange(KEY, 0, -1).forEach(v -> present.add(Long.parseLong(v)));
    }
    List<Long> lost = acked.stream().filter(s -> !present.contains(s)).toList();
    System.out.printf(
        "FenceIT switchover: %d writes acknowledged, %d lost%n", acked.size(), lost.size());
    assertThat(lost).as("acknowledged writes missing from the new master").isEmpty();
  }

  /**
   * With a fence bound shorter than Sentinel's window, the fence lifts by its timeout (and the
   * failover goes on); the agent says so in /status.
   */
  @Test
  void cTheFenceTimeoutLiftsTheFence() {
    String old = sandbox.currentMasterAddress();
    int i = sandbox.indexOf(old);
    agents.get(i).close();
    agents.set(
        i,
        Agents.start(
            sandbox,
            i,
            "agent-short-fence",
            sandbox.etcd().endpoint(),
            new String[] {
              "--poll-interval",
              "200ms",
              "--lease-ttl",
              "10s",
              "--fence",
              "--fence-timeout",
              "200ms"
            }));
    String address = AgentHttp.address(agents.get(i));
    await("the restarted agent publishes master")
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptions()
        .until(() -> AgentHttp.get(address, "/master").code() == 200);
    String promoted = sandbox.failover();
    assertThat(promoted).isNotEqualTo(old);
    var fence =
        await("the fence lifted")
            .atMost(Duration.ofSeconds(10))
            .ignoreExceptions()
            .until(
                () -> AgentHttp.get(address, "/status").json().get("fence"),
                f -> f.get("fences").asLong() >= 1 && !f.get("held").asBoolean());
    System.out.println("FenceIT short fence: " + fence);
    // A later event of the same failover (+promoted-slave, after the quiet --fence-timeout) may
    // hold writes once more, lifted by the master key: the bound's lift is what is checked.
    assertThat(fence.get("lifts").path("timeout").asLong()).isGreaterThanOrEqualTo(1);
    assertThat(fence.get("longest_held_ms").asLong()).isBetween(150L, 1000L);
  }

  /**
   * Replicas SIGSTOPped: they never reach the master's offset, the switchover fails at its catch-up
   * bound, releases the writes at once (long before the pause's own bound) and changes no master.
   */
  @Test
  void dASwitchoverThatFailsMidWayReleasesTheWrites() {
    String old = sandbox.currentMasterAddress();
    List<RedisServer> replicas =
        sandbox.redis().stream().filter(r -> !r.address().equals(old)).toList();
    String[] common = {
      "--sentinels", sandbox.sentinelAddresses(), "--etcd", sandbox.etcd().endpoint()
    };
    replicas.forEach(RedisServer::pause);
    AgentProcess.Result r;
    try {
      try (Jedis j = new Jedis("127.0.0.1", sandbox.redisAt(old).port())) {
        j.set(KEY + "-ahead", "1"); // the master's offset moves past the stopped replicas'
      }
      r = switchover(common, "--catch-up-timeout", "300ms");
      long t0 = System.nanoTime();
      try (Jedis j = new Jedis("127.0.0.1", sandbox.redisAt(old).port(), 5000)) {
        j.set(KEY + "-after", "1");
      }
      long writeMs = (System.nanoTime() - t0) / 1_000_000;
      System.out.println("FenceIT failed switchover:\n" + r.stdout() + "write after: " + writeMs);
      assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isEqualTo(1);
      assertThat(r.stdout())
          .contains("did not reach the master's offset")
          .contains("writes released on " + old);
      assertThat(writeMs).as("a write right after the failed switchover, ms").isLessThan(500);
      java.util.regex.Matcher released =
          java.util.regex.Pattern.compile("\\[\\s*(\\d+) ms\\] writes released")
              .matcher(r.stdout());
      assertThat(released.find()).as(r.stdout()).isTrue();
      // The 300 ms bound, plus at most one 200 ms try of each stopped replica's own offset.
      assertThat(Long.parseLong(released.group(1)))
          .as("ms from holding to releasing the writes")
          .isLessThan(900);
    } finally {
      replicas.forEach(RedisServer::resume);
    }
    assertThat(sandbox.currentMasterAddress()).isEqualTo(old);
  }

  private static AgentProcess.Result switchover(String[] common, String... extra) {
    List<String> args = new ArrayList<>(List.of("switchover"));
    args.addAll(List.of(common));
    args.addAll(List.of(extra));
    return AgentProcess.run(
        Duration.ofSeconds(30), java.util.Map.of(), args.toArray(String[]::new));
  }

  /** RPUSHes 1, 2, 3, ... through the write listener, reconnecting only when the link breaks. */
  private static void write(ConcurrentLinkedQueue<Long> acked, AtomicBoolean stop) {
    long seq = 0;
    Jedis j = null;
    while (!stop.get()) {
      try {
        if (j == null) {
          j = new Jedis("127.0.0.1", haproxy.writePort(), 2000);
        }
        seq++;
        j.rpush(KEY, Long.toString(seq));
        acked.add(seq);
      } catch (JedisException e) {
        if (j != null) {
          j.close();
          j = null;
        }
      }
      try {
        Thread.sleep(2); // the writer's rate (about 300/s), not synchronisation
      } catch (InterruptedException e) {
        return;
      }
    }
    if (j != null) {
      j.close();
    }
  }

  private static int portServing() {
    try (Jedis j = new Jedis("127.0.0.1", haproxy.writePort(), 500)) {
      j.set(KEY + "-probe", "1");
      return Integer.parseInt(j.configGet("port").get("port"));
    }
  }
}
