package com.proposalsapp.registrar.it;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import redis.clients.jedis.Jedis;

/**
 * What {@link SentinelFailoverIT} needs beside the sandbox: three agents started with given flags,
 * and etcd read independently of the agent's code (through {@code etcdctl}), either now or at any
 * past revision.
 */
final class SentinelFailoverFixture {

  static final String GROUP = Records.GROUP;
  static final String INSTANCES = Records.INSTANCES;
  static final String MASTER_KEY = Records.MASTER_KEY;

  /** The client name the agent gives its Sentinel event subscriptions. */
  static final String EVENTS_CLIENT = "redis-registrar-events";

  private static final ObjectMapper JSON = new ObjectMapper();

  private SentinelFailoverFixture() {}

  /** The agent's id for Redis number {@code index}, given explicitly with {@code --id}. */
  static String id(int index) {
    return "dc" + (index + 1) + "-redis-" + index;
  }

  // ---------------------------------------------------------------- etcd, read independently

  /**
   * One key under {@link #GROUP}: its raw value, that value as JSON (null if not JSON) and meta.
   */
  record Kv(String raw, JsonNode json, long modRevision, long lease) {}

  /** Every key under {@link #GROUP} at one revision. */
  record Snapshot(long revision, Map<String, Kv> kvs) {

    Optional<JsonNode> instance(String id) {
      return Optional.ofNullable(kvs.get(INSTANCES + id)).map(Kv::json);
    }

    /** The role of {@code id}'s record, or "absent". */
    String role(String id) {
      return instance(id).map(r -> r.path("role").asText()).orElse("absent");
    }

    /** {@code master_host:master_port} of {@code id}'s record, or "" when it has none. */
    String follows(String id) {
      return instance(id)
          .filter(r -> r.has("master_host"))
          .map(r -> r.path("master_host").asText() + ":" + r.path("master_port").asText())
          .orElse("");
    }

    Optional<JsonNode> master() {
      return Optional.ofNullable(kvs.get(MASTER_KEY)).map(Kv::json);
    }

    String masterId() {
      return master().map(m -> m.path("id").asText()).orElse("");
    }

    long masterEpoch() {
      return master().map(m -> m.path("epoch").asLong(-1)).orElse(-1L);
    }

    /** The ids whose record says role=master. */
    List<String> masters() {
      return kvs.entrySet().stream()
          .filter(e -> e.getKey().startsWith(INSTANCES))
          .filter(e -> e.getValue().json() != null)
          .filter(e -> "master".equals(e.getValue().json().path("role").asText()))
          .map(e -> e.getKey().substring(INSTANCES.length()))
          .toList();
    }

    /** The three records' roles in id order, and the master key's id, for messages. */
    String summary() {
      String roles =
          kvs.keySet().stream()
              .filter(k -> k.startsWith(INSTANCES))
              .map(k -> k.substring(INSTANCES.length()))
              .map(id -> id + "=" + role(id) + (follows(id).isEmpty() ? "" : "->" + follows(id)))
              .collect(Collectors.joining(", "));
      return "rev "
          + revision
          + " ["
          + roles
          + "] master key="
          + (master().isPresent() ? masterId() + "@epoch " + masterEpoch() : "absent");
    }
  }

  /** The keys under {@link #GROUP} now; the revision is etcd's current one. */
  static Snapshot snapshot(EtcdServer etcd) {
    JsonNode r = json(etcd.etcdctl("get", "--prefix", "-w", "json", "--", GROUP));
    return new Snapshot(r.path("header").path("revision").asLong(), kvs(r));
  }

  /** The keys under {@link #GROUP} as they were right after {@code revision}. */
  static Snapshot snapshotAt(EtcdServer etcd, long revision) {
    JsonNode r =
        json(etcd.etcdctl("get", "--prefix", "--rev=" + revision, "-w", "json", "--", GROUP));
    return new Snapshot(revision, kvs(r));
  }

  /**
   * Every state etcd held under {@link #GROUP} from revision {@code from} to {@code to}, one
   * snapshot per revision: unlike polling, it cannot miss a state however briefly it lasted.
   * (Nothing compacts etcd's history in the sandbox.)
   */
  static List<Snapshot> history(EtcdServer etcd, long from, long to) {
    List<Snapshot> states = new ArrayList<>();
    for (long rev = from; rev <= to; rev++) {
      states.add(snapshotAt(etcd, rev));
    }
    return states;
  }

  /**
   * The revisions at which etcd broke the rule the routing tier relies on: more than one record
   * says master, or the master key names an instance whose record does not say master.
   */
  static List<String> invariantViolations(List<Snapshot> history) {
    List<String> violations = new ArrayList<>();
    for (Snapshot s : history) {
      if (s.masters().size() > 1) {
        violations.add("two masters at " + s.summary());
      }
      if (s.master().isPresent() && !"master".equals(s.role(s.masterId()))) {
        violations.add("master key names a non-master at " + s.summary());
      }
    }
    return violations;
  }

  /** The successive values of {@code id}'s role over {@code history}, repeats collapsed. */
  static List<String> roleTimeline(List<Snapshot> history, String id) {
    List<String> roles = new ArrayList<>();
    for (Snapshot s : history) {
      String role = s.role(id);
      if (roles.isEmpty() || !roles.get(roles.size() - 1).equals(role)) {
        roles.add(role);
      }
    }
    return roles;
  }

  private static Map<String, Kv> kvs(JsonNode response) {
    Map<String, Kv> kvs = new LinkedHashMap<>();
    for (JsonNode kv : response.path("kvs")) {
      String raw = decode(kv.get("value"));
      JsonNode value;
      try {
        value = JSON.readTree(raw);
      } catch (IOException e) {
        value = null;
      }
      kvs.put(
          decode(kv.get("key")),
          new Kv(raw, value, kv.path("mod_revision").asLong(), kv.path("lease").asLong()));
    }
    return kvs;
  }

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException("etcdctl printed no JSON: " + text, e);
    }
  }

  private static String decode(JsonNode base64) {
    return EtcdServer.decode(base64);
  }

  // ---------------------------------------------------------------- Sentinels and Redis

  /** How many clients connected to {@code server} carry the client name {@code name}. */
  static long clientsNamed(RespServer server, String name) {
    try (Jedis jedis = server.jedis()) {
      return Arrays.stream(jedis.clientList().split("\n"))
          .filter(line -> (" " + line + " ").contains(" name=" + name + " "))
          .count();
    }
  }

  // ---------------------------------------------------------------- agents

  /** Three {@code redis-registrar run} processes, one beside each Redis of a sandbox. */
  static final class AgentTrio implements AutoCloseable {
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    private final List<AgentProcess> agents = new ArrayList<>();

    /**
     * Starts agent {@code i} with {@code --dc dc<i+1> --id dc<i+1>-redis-<i>}, the sandbox's Redis
     * and etcd, {@code sentinels}, then {@code extraArgs}; logs go to {@code
     * <sandbox>/<tag>-agent-<i>.std{out,err}.log}.
     */
    static AgentTrio start(
        Sandbox sandbox,
        String tag,
        String sentinels,
        Map<String, String> env,
        String... extraArgs) {
      AgentTrio trio = new AgentTrio();
      try {
        for (int i = 0; i < sandbox.redis().size(); i++) {
          List<String> args = new ArrayList<>(List.of("--id", id(i)));
          args.addAll(List.of(extraArgs));
          trio.agents.add(
              Agents.start(
                  sandbox,
                  i,
                  tag + "-agent-" + i,
                  sandbox.etcd().endpoint(),
                  sentinels,
                  env,
                  args.toArray(String[]::new)));
        }
        return trio;
      } catch (RuntimeException e) {
        trio.close();
        throw e;
      }
    }

    List<AgentProcess> processes() {
      return List.copyOf(agents);
    }

    /** SIGTERMs every agent (it deregisters) and waits for it to exit; SIGKILLs laggards. */
    @Override
    public void close() {
      for (AgentProcess agent : agents) {
        if (agent.isAlive()) {
          agent.signal("TERM");
        }
      }
      for (AgentProcess agent : agents) {
        try {
          if (agent.isAlive()) {
            agent.waitForExit(STOP_TIMEOUT);
          }
        } catch (AssertionError e) {
          // still running: close() below kills it
        } finally {
          agent.close();
        }
      }
    }
  }

  /** Waits until nothing is left under {@link #GROUP} (a previous test's agents are gone). */
  static void awaitEmpty(EtcdServer etcd, Duration atMost) {
    await("nothing under " + GROUP)
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> snapshot(etcd).kvs(), Map::isEmpty);
  }
}
