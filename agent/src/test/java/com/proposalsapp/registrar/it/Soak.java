package com.proposalsapp.registrar.it;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.core.ConditionTimeoutException;
import redis.clients.jedis.Jedis;

/**
 * The soak of issue 4: three agents on a sandbox under continuous random faults from the fault
 * matrix, each healed before the next, for a few minutes; then a settle period and the checks:
 * every live Redis has exactly one correct record, a dead one has none, and no agent ever deleted a
 * record it did not own. Exits 0 only if nothing was violated. Run it with {@code scripts/soak.sh
 * [minutes] [seed]}.
 *
 * <p>Ownership of deletes: an {@code etcdctl watch --prev-kv} sees every revision under the master
 * name. Every lease is attributed to the agent incarnation (a JVM) whose id it was first written
 * under; the etcd revision before each incarnation starts tells which incarnation a write belongs
 * to. A DELETE is accounted for when it is one the soak made itself, when its key was bound to the
 * current lease of the live agent of that id (its own guarded delete, or that lease expiring or
 * revoked), or when its lease is gone (expired or revoked: etcd then deletes every key bound to
 * it). Anything else, above all a key deleted while still bound to the live lease of a previous
 * incarnation or to no lease at all, is a violation. etcd does not record who deleted a key, so a
 * delete of a key bound to its owner's current lease is credited to that owner.
 */
public final class Soak implements AutoCloseable {

  private static final String[] TIMING = {
    "--lease-ttl",
    "3s",
    "--poll-interval",
    "200ms",
    "--down-after",
    "2s",
    "--resync-interval",
    "10s"
  };
  private static final int AGENTS = 3;
  private static final int MAX_FAULTS = 1000;
  private static final Duration SETTLE = Duration.ofSeconds(60);
  private static final Duration STABLE = Duration.ofSeconds(5);

  /** The faults injected, each healed before the next. */
  enum Fault {
    REDIS_KILL,
    ETCD_PAUSE,
    ETCD_RESTART,
    LEASE_REVOKE,
    RECORD_DELETE,
    RECORD_GARBLE,
    SENTINEL_KILL,
    AGENT_KILL,
    FAILOVER
  }

  /** One agent JVM: the agent beside Redis {@code index}, started after etcd revision startRev. */
  record Incarnation(int index, String id, int number, long startRev, AgentProcess process) {
    @Override
    public String toString() {
      return "agent " + id + " #" + number;
    }
  }

  private final long seed;
  private final Random random;
  private final Sandbox sandbox;
  private final long t0 = System.nanoTime();
  private final Map<Fault, Integer> injected = new EnumMap<>(Fault.class);
  private final Map<Fault, Integer> skipped = new EnumMap<>(Fault.class);
  private final List<String> violations = new CopyOnWriteArrayList<>();
  private final List<String> harnessErrors = new ArrayList<>();
  private final Incarnation[] live = new Incarnation[AGENTS];
  private final List<Incarnation> incarnations = new CopyOnWriteArrayList<>();
  private final Set<Integer> killedByUs = new HashSet<>();
  private final DeleteAudit audit;
  private int recordsChecked;

  private Soak(long seed) {
    this.seed = seed;
    this.random = new Random(seed);
    this.sandbox = Sandbox.start("Soak");
    this.audit = new DeleteAudit();
  }

  public static void main(String[] args) {
    double minutes = args.length > 0 ? Double.parseDouble(args[0]) : 3;
    long seed = args.length > 1 ? Long.parseLong(args[1]) : System.currentTimeMillis();
    int code;
    try (Soak soak = new Soak(seed)) {
      code = soak.run(Duration.ofMillis((long) (minutes * 60_000)));
    } catch (RuntimeException | Error e) {
      e.printStackTrace();
      code = 2;
    }
    System.exit(code);
  }

  private int run(Duration length) {
    say(
        "soak: seed %d, %s of faults, logs under %s (agents %s)",
        seed, length, sandbox.dir(), String.join(" ", TIMING));
    audit.start();
    for (int i = 0; i < AGENTS; i++) {
      startAgent(i);
    }
    awaitFinalState(Set.of(), "agents published before the first fault");

    long deadline = System.nanoTime() + length.toNanos();
    int n = 0;
    while (System.nanoTime() < deadline && n < MAX_FAULTS) {
      Fault fault = Fault.values()[random.nextInt(Fault.values().length)];
      n++;
      try {
        if (inject(n, fault)) {
          injected.merge(fault, 1, Integer::sum);
        } else {
          skipped.merge(fault, 1, Integer::sum);
        }
      } catch (RuntimeException e) {
        // The harness could not inject or heal this one (a server slow to come back, say): it
        // is not the agents' fault, but it is reported.
        harnessErrors.add("fault " + n + " " + fault + ": " + e);
        say("  harness error: %s", e);
        heal();
      }
      checkAgentsAlive();
      pause(between(300, 2500));
    }

    say("faults done; healing and settling (at most %d s)", SETTLE.toSeconds());
    heal();
    sandbox.awaitSettled();
    // One Redis stays dead: its record must go, and nobody else's.
    String master = sandbox.currentMasterAddress();
    int dead = replicaIndexes(master).get(random.nextInt(2));
    say("killing %s for good: its record must go", sandbox.redis().get(dead));
    sandbox.redis().get(dead).kill();
    awaitFinalState(Set.of(dead), "final state");
    checkAgentsAlive();
    audit.finish();
    report();
    return violations.isEmpty() ? 0 : 1;
  }

  // ---- faults ----

  private boolean inject(int n, Fault fault) {
    switch (fault) {
      case REDIS_KILL -> {
        int i = random.nextInt(AGENTS);
        RedisServer redis = sandbox.redis().get(i);
        boolean wasMaster = redis.address().equals(sandbox.currentMasterAddress());
        long hold = between(500, 4000);
        say("fault %d: kill %s%s for %d ms", n, redis, wasMaster ? " (the master)" : "", hold);
        redis.kill();
        pause(hold);
        heal(); // once a live master is named, restart it as that master's replica
      }
      case ETCD_PAUSE -> {
        long hold = between(500, 6000);
        say("fault %d: pause etcd for %d ms (lease TTL 3 s)", n, hold);
        sandbox.etcd().pause();
        pause(hold);
        sandbox.etcd().resume();
        sandbox.etcd().awaitReady();
      }
      case ETCD_RESTART -> {
        long hold = between(0, 3000);
        say("fault %d: SIGKILL etcd, start it again after %d ms (data kept)", n, hold);
        sandbox.etcd().kill();
        pause(hold);
        sandbox.etcd().restart();
      }
      case LEASE_REVOKE -> {
        int i = random.nextInt(AGENTS);
        long lease = sandbox.etcd().leaseOf(Records.key(Agents.id(sandbox, i)));
        if (lease == 0) {
          say("fault %d: revoke the lease of %s: no record, skipped", n, Agents.id(sandbox, i));
          return false;
        }
        say("fault %d: revoke lease %x of %s", n, lease, Agents.id(sandbox, i));
        audit.injecting(() -> audit.revokedBySoak.add(lease));
        try {
          sandbox.etcd().leaseRevoke(lease);
        } catch (IllegalStateException e) {
          say("  (lease already gone: %s)", e.getMessage().strip());
        }
      }
      case RECORD_DELETE -> {
        String key = Records.key(Agents.id(sandbox, random.nextInt(AGENTS)));
        say("fault %d: etcdctl del %s", n, key);
        audit.injecting(
            () -> {
              JsonNode r = Records.parse(sandbox.etcd().etcdctl("del", "-w", "json", "--", key));
              if (r.path("deleted").asLong() > 0) {
                audit.deletedBySoak.add(r.path("header").path("revision").asLong());
              }
            });
      }
      case RECORD_GARBLE -> {
        String key = Records.key(Agents.id(sandbox, random.nextInt(AGENTS)));
        say("fault %d: overwrite %s with garbage", n, key);
        sandbox.etcd().put(key, "{\"garbage\": " + random.nextInt(1000));
      }
      case SENTINEL_KILL -> {
        SentinelServer sentinel = sandbox.sentinels().get(random.nextInt(3));
        long hold = between(500, 4000);
        say("fault %d: kill %s for %d ms", n, sentinel, hold);
        sentinel.kill();
        pause(hold);
        sentinel.restart();
      }
      case AGENT_KILL -> {
        int i = random.nextInt(AGENTS);
        long hold = between(0, 4000);
        say("fault %d: SIGKILL %s, start it again after %d ms", n, live[i], hold);
        killedByUs.add(i);
        live[i].process().signal("KILL");
        await(live[i] + " gone")
            .atMost(Duration.ofSeconds(10))
            .until(() -> !live[i].process().isAlive());
        pause(hold);
        startAgent(i);
      }
      case FAILOVER -> {
        try {
          sandbox.awaitSettled();
        } catch (ConditionTimeoutException e) {
          say("fault %d: planned failover: topology not settled, skipped", n);
          return false;
        }
        String before = sandbox.currentMasterAddress();
        say("fault %d: SENTINEL FAILOVER away from %s", n, before);
        try {
          say("  new master %s", sandbox.failover());
        } catch (RuntimeException e) {
          say("  failover refused or timed out: %s", e.getMessage());
          return false;
        }
      }
    }
    return true;
  }

  /** Brings back whatever a fault left down: etcd, Sentinels, Redis (as the master's replica). */
  private void heal() {
    EtcdServer etcd = sandbox.etcd();
    if (etcd.isPaused()) {
      etcd.resume();
    }
    if (!etcd.isReady()) {
      etcd.restart();
    }
    for (SentinelServer sentinel : sandbox.sentinels()) {
      if (!sentinel.isAlive()) {
        sentinel.restart();
      }
    }
    for (RedisServer redis : sandbox.redis()) {
      if (!redis.isAlive()) {
        String master =
            await("Sentinels name a live master")
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .ignoreExceptions()
                .until(sandbox::currentMasterAddress, a -> !a.equals(redis.address()));
        redis.restart();
        replicaOf(redis, master);
      }
    }
  }

  private static void replicaOf(RedisServer redis, String master) {
    int colon = master.lastIndexOf(':');
    try (Jedis jedis = redis.jedis()) {
      jedis.replicaof(master.substring(0, colon), Integer.parseInt(master.substring(colon + 1)));
    }
  }

  private List<Integer> replicaIndexes(String master) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < AGENTS; i++) {
      if (!sandbox.redis().get(i).address().equals(master)) {
        out.add(i);
      }
    }
    return out;
  }

  private void startAgent(int index) {
    long rev =
        await("etcd revision")
            .atMost(Duration.ofSeconds(60))
            .ignoreExceptions()
            .until(() -> Records.revision(sandbox.etcd()), r -> r > 0);
    int number = (int) incarnations.stream().filter(c -> c.index() == index).count() + 1;
    AgentProcess process =
        Agents.start(
            sandbox,
            index,
            "agent-" + Agents.dc(index) + "-" + number,
            sandbox.etcd().endpoint(),
            TIMING);
    Incarnation c = new Incarnation(index, Agents.id(sandbox, index), number, rev, process);
    incarnations.add(c);
    live[index] = c;
  }

  /** An agent that exited without being killed by the soak is a violation; it is restarted. */
  private void checkAgentsAlive() {
    for (int i = 0; i < AGENTS; i++) {
      Incarnation c = live[i];
      if (!c.process().isAlive()) {
        List<String> err = c.process().stderrLines();
        violations.add(
            c
                + " exited on its own; last lines: "
                + err.subList(Math.max(0, err.size() - 5), err.size()));
        startAgent(i);
      }
    }
  }

  // ---- the final state ----

  private void awaitFinalState(Set<Integer> dead, String what) {
    try {
      await(what)
          .atMost(SETTLE)
          .pollInterval(Duration.ofMillis(500))
          .ignoreExceptions()
          .until(() -> problems(dead).isEmpty());
      await(what + ", stable")
          .during(STABLE)
          .atMost(STABLE.plusSeconds(20))
          .pollInterval(Duration.ofMillis(500))
          .ignoreExceptions()
          .until(() -> problems(dead).isEmpty());
      say("%s reached: every live Redis has one correct record, dead ones %s", what, dead);
    } catch (ConditionTimeoutException e) {
      List<String> last;
      try {
        last = problems(dead);
      } catch (RuntimeException r) {
        last = List.of(r.toString());
      }
      violations.add(what + " not reached within " + SETTLE.toSeconds() + " s: " + last);
    }
  }

  /**
   * What is wrong with etcd's records against the truth (INFO replication on each live Redis, the
   * Sentinels' majority); empty when every live Redis has exactly one correct record and no dead
   * one has any.
   */
  private List<String> problems(Set<Integer> dead) {
    List<String> problems = new ArrayList<>();
    String master = sandbox.currentMasterAddress();
    Map<String, String> raw = sandbox.etcd().getPrefix(Records.INSTANCES);
    Map<String, JsonNode> byKey = new LinkedHashMap<>();
    raw.forEach(
        (k, v) -> {
          if (Records.isObject(v)) {
            byKey.put(k, Records.parse(v));
          } else {
            problems.add(k + " is not a record: " + v);
          }
        });
    int checked = 0;
    for (int i = 0; i < AGENTS; i++) {
      RedisServer redis = sandbox.redis().get(i);
      String key = Records.key(Agents.id(sandbox, i));
      List<String> keysForAddress =
          byKey.entrySet().stream()
              .filter(
                  e ->
                      (e.getValue().path("host").asText() + ":" + e.getValue().path("port").asInt())
                          .equals(redis.address()))
              .map(Map.Entry::getKey)
              .toList();
      if (dead.contains(i)) {
        if (!keysForAddress.isEmpty() || raw.containsKey(key)) {
          problems.add("dead " + redis + " still has " + keysForAddress);
        }
        checked++;
        continue;
      }
      if (!keysForAddress.equals(List.of(key))) {
        problems.add(redis + " has records " + keysForAddress + ", expected exactly " + key);
        continue;
      }
      Map<String, String> info = redis.infoReplication();
      String expected;
      if ("master".equals(info.get("role")) && redis.address().equals(master)) {
        expected = "master";
      } else if ("slave".equals(info.get("role"))
          && (info.get("master_host") + ":" + info.get("master_port")).equals(master)
          && "up".equals(info.get("master_link_status"))) {
        expected = "replica";
      } else {
        problems.add(redis + " not settled: INFO " + info.get("role") + ", Sentinels " + master);
        continue;
      }
      JsonNode r = byKey.get(key);
      if (!Records.role(r).equals(expected)) {
        problems.add(key + " says " + Records.role(r) + ", truth is " + expected);
      }
      if (expected.equals("replica")
          && (!Records.followed(r).equals(master) || !r.path("link").asText().equals("up"))) {
        problems.add(key + " follows " + Records.followed(r) + " link " + r.path("link"));
      }
      JsonNode sentinel = r.path("sentinel");
      if (!sentinel.path("confirmed").asBoolean()
          || !sentinel.path("master").asText().equals(master)) {
        problems.add(key + " sentinel view " + sentinel + ", Sentinels name " + master);
      }
      if (expected.equals("master")) {
        Optional<JsonNode> masterKey =
            sandbox.etcd().get(Records.MASTER_KEY).filter(Records::isObject).map(Records::parse);
        if (masterKey.isEmpty()
            || !masterKey.get().path("id").asText().equals(Agents.id(sandbox, i))) {
          problems.add("master key " + masterKey + " does not name " + Agents.id(sandbox, i));
        }
      }
      checked++;
    }
    for (String key : raw.keySet()) {
      boolean known = false;
      for (int i = 0; i < AGENTS; i++) {
        known |= key.equals(Records.key(Agents.id(sandbox, i)));
      }
      if (!known) {
        problems.add("unexpected key " + key);
      }
    }
    recordsChecked = checked;
    return problems;
  }

  // ---- the report ----

  private void report() {
    int faults = injected.values().stream().mapToInt(Integer::intValue).sum();
    say("---- soak report (seed %d) ----", seed);
    say("faults injected: %d %s; skipped %s", faults, injected, skipped);
    say("agent incarnations: %d (agents SIGKILLed and restarted by the soak)", incarnations.size());
    say(
        "records checked at the end: %d (%d live Redis with one correct record, 1 dead with none)",
        recordsChecked, recordsChecked - 1);
    say(
        "etcd revisions watched: %d; DELETE events: %d %s",
        audit.revisions.get(), audit.deletes(), new TreeMap<>(audit.causes));
    say("revisions where two records said master (informational): %d", audit.twoMasters.get());
    say("harness errors (faults the soak could not inject or heal): %d", harnessErrors.size());
    harnessErrors.forEach(e -> say("  %s", e));
    say("violations: %d", violations.size());
    violations.forEach(v -> say("  VIOLATION: %s", v));
  }

  @Override
  public void close() {
    audit.close();
    for (Incarnation c : incarnations) {
      c.process().close();
    }
    sandbox.close();
  }

  private long between(long lowMs, long highMs) {
    return lowMs + (long) (random.nextDouble() * (highMs - lowMs));
  }

  /** A fault's hold time or the gap between faults: the soak's pacing, not a synchronisation. */
  private static void pause(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private void say(String format, Object... args) {
    System.out.printf("[%7.1fs] %s%n", (System.nanoTime() - t0) / 1e9, String.format(format, args));
    System.out.flush();
  }

  // ---- the delete audit ----

  /**
   * Follows every revision under the master name with {@code etcdctl watch --prev-kv} (restarted
   * from the next revision if it ends) and accounts for every DELETE.
   */
  private final class DeleteAudit implements AutoCloseable {
    final Set<Long> deletedBySoak = ConcurrentHashMap.newKeySet();
    final Set<Long> revokedBySoak = ConcurrentHashMap.newKeySet();
    final Map<String, Integer> causes = new ConcurrentHashMap<>();
    final AtomicLong revisions = new AtomicLong();
    final AtomicLong twoMasters = new AtomicLong();
    private final Object injectLock = new Object();
    // Written by the reader thread only.
    private final Map<Long, Incarnation> leaseOwner = new HashMap<>();
    private final Map<Incarnation, Long> currentLease = new HashMap<>();
    private final Map<String, String> roles = new HashMap<>();
    private final ExecutorService checker = Executors.newSingleThreadExecutor();
    private final Path log = sandbox.dir().resolve("audit-watch.log");
    private volatile long lastRevision;
    private volatile boolean closing;
    private volatile Process process;
    private Thread reader;

    void start() {
      lastRevision = Records.revision(sandbox.etcd());
      reader = new Thread(this::follow, "soak-audit");
      reader.setDaemon(true);
      reader.start();
    }

    /** Runs a fault that changes keys so that the audit sees its bookkeeping with its events. */
    void injecting(Runnable fault) {
      synchronized (injectLock) {
        fault.run();
      }
    }

    long deletes() {
      return causes.values().stream().mapToLong(Integer::longValue).sum();
    }

    /** Waits until every revision etcd has is accounted for, then stops watching. */
    void finish() {
      long current = Records.revision(sandbox.etcd());
      try {
        await("audit caught up with revision " + current)
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(100))
            .until(() -> lastRevision >= current);
      } catch (ConditionTimeoutException e) {
        violations.add("the audit watch saw revisions up to " + lastRevision + " of " + current);
      }
      checker.shutdown();
      try {
        if (!checker.awaitTermination(120, TimeUnit.SECONDS)) {
          violations.add("delete checks did not finish");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    private void follow() {
      while (!closing) {
        ProcessBuilder builder =
            new ProcessBuilder(
                "etcdctl",
                "--endpoints=" + sandbox.etcd().endpoint(),
                "watch",
                "--prefix",
                "--prev-kv",
                "--rev=" + (lastRevision + 1),
                "-w",
                "json",
                Records.GROUP);
        builder.environment().put("ETCDCTL_API", "3");
        builder.redirectError(
            ProcessBuilder.Redirect.appendTo(sandbox.dir().resolve("audit-watch.err").toFile()));
        process = Exec.start(builder);
        try (BufferedReader in =
                new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            BufferedWriter out =
                Files.newBufferedWriter(
                    log,
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND)) {
          for (String line = in.readLine(); line != null; line = in.readLine()) {
            out.write(line);
            out.newLine();
            out.flush();
            if (line.startsWith("{")) {
              apply(Records.parse(line));
            }
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        if (!closing) {
          pause(200); // etcdctl watch ended (etcd gone for long): watch again from where it was
        }
      }
    }

    private void apply(JsonNode response) {
      for (JsonNode event : response.path("Events")) {
        JsonNode kv = event.path("kv");
        long rev = kv.path("mod_revision").asLong();
        if (rev <= lastRevision) {
          continue; // seen before a restart of the watch
        }
        String key = EtcdServer.decode(kv.get("key"));
        if (event.path("type").asInt(0) == 1) {
          onDelete(rev, key, event.path("prev_kv"));
          roles.remove(key);
        } else {
          onPut(rev, key, kv);
        }
      }
      long rev = response.path("Header").path("revision").asLong();
      if (rev > lastRevision && response.path("Events").size() > 0) {
        revisions.incrementAndGet();
        long masters = roles.values().stream().filter("master"::equals).count();
        if (masters > 1) {
          twoMasters.incrementAndGet();
        }
        lastRevision = rev;
      }
    }

    private void onPut(long rev, String key, JsonNode kv) {
      long lease = kv.path("lease").asLong(0);
      String value = EtcdServer.decode(kv.get("value"));
      if (key.startsWith(Records.INSTANCES)) {
        roles.put(key, Records.isObject(value) ? Records.role(Records.parse(value)) : "?");
        String id = key.substring(Records.INSTANCES.length());
        Incarnation writer = incarnationAt(id, rev);
        if (lease != 0 && writer != null) {
          leaseOwner.putIfAbsent(lease, writer);
          if (leaseOwner.get(lease) == writer) {
            currentLease.put(writer, lease);
          }
        }
      }
    }

    private void onDelete(long rev, String key, JsonNode prev) {
      long lease = prev.path("lease").asLong(0);
      String prevValue = EtcdServer.decode(prev.get("value"));
      // Whose key is it: the instance's id, or for the master key the id it names.
      String id =
          key.startsWith(Records.INSTANCES)
              ? key.substring(Records.INSTANCES.length())
              : Records.isObject(prevValue) ? Records.parse(prevValue).path("id").asText() : "";
      Incarnation liveNow = incarnationAt(id, rev);
      Incarnation owner = leaseOwner.get(lease);
      boolean ownersCurrentLease =
          lease != 0
              && owner != null
              && owner == liveNow
              && Long.valueOf(lease).equals(currentLease.get(owner));
      String what = "DELETE " + key + " at revision " + rev + " (lease " + Long.toHexString(lease);
      String ownerText = owner == null ? "no known owner" : "owner " + owner;
      checker.execute(
          () -> {
            synchronized (injectLock) {
              if (deletedBySoak.contains(rev)) {
                count("deleted by the soak (etcdctl del)");
                return;
              }
              if (revokedBySoak.contains(lease)) {
                count("lease revoked by the soak");
                return;
              }
            }
            if (ownersCurrentLease) {
              count("its agent's current lease (guarded delete, expiry or shutdown)");
              return;
            }
            if (lease != 0 && leaseGone(lease)) {
              count("lease expired (" + (owner == null ? "unknown" : "earlier") + " owner)");
              return;
            }
            violations.add(
                what
                    + ", "
                    + ownerText
                    + ", live agent of "
                    + id
                    + ": "
                    + liveNow
                    + ") not accounted for: a record deleted by someone who did not own it");
            count("VIOLATION");
          });
    }

    private void count(String cause) {
      causes.merge(cause, 1, Integer::sum);
    }

    /** Whether etcd no longer has the lease; retried while etcd does not answer. */
    private boolean leaseGone(long lease) {
      return await("TTL of lease " + Long.toHexString(lease))
              .atMost(Duration.ofSeconds(60))
              .pollInterval(Duration.ofMillis(200))
              .ignoreExceptions()
              .until(() -> sandbox.etcd().leaseTtl(lease), ttl -> true)
          < 0;
    }

    /** The agent incarnation of {@code id} that could have written at {@code rev}, if any. */
    private Incarnation incarnationAt(String id, long rev) {
      Incarnation found = null;
      for (Incarnation c : incarnations) {
        if (c.id().equals(id) && c.startRev() < rev) {
          found = c; // incarnations are in start order
        }
      }
      return found;
    }

    @Override
    public void close() {
      closing = true;
      checker.shutdownNow();
      Process p = process;
      if (p != null) {
        p.destroyForcibly();
      }
    }
  }
}
