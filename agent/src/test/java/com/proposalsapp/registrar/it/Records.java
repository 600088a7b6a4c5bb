package com.proposalsapp.registrar.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The agent's etcd key layout and record JSON, read back independently of the agent's code. */
final class Records {
  /** The default {@code --prefix}. */
  static final String PREFIX = "/service/redis";

  /** Everything the agents publish for {@link Sandbox#MASTER_NAME}. */
  static final String GROUP = group(Sandbox.MASTER_NAME);

  /** Where the instance records live. */
  static final String INSTANCES = instances(Sandbox.MASTER_NAME);

  /** The key naming the master, claimed by the master's agent. */
  static final String MASTER_KEY = masterKey(Sandbox.MASTER_NAME);

  private static final ObjectMapper JSON = new ObjectMapper();

  /** What etcd says of one lease. */
  record LeaseInfo(long ttl, long grantedTtl, List<String> keys) {}

  private Records() {}

  static String key(String id) {
    return INSTANCES + id;
  }

  /** Everything published for a master name: {@code <prefix>/<masterName>/}. */
  static String group(String masterName) {
    return PREFIX + "/" + masterName + "/";
  }

  /** The instance records of a master name: {@code <prefix>/<masterName>/instances/}. */
  static String instances(String masterName) {
    return group(masterName) + "instances/";
  }

  /** The instance record of {@code id} under a master name. */
  static String instanceKey(String masterName, String id) {
    return instances(masterName) + id;
  }

  /** The master key of a master name: {@code <prefix>/<masterName>/master}. */
  static String masterKey(String masterName) {
    return group(masterName) + "master";
  }

  /** A valid instance record, as an agent would write it, for tests that write records by hand. */
  static String instanceJson(String masterName, String id, String dc, String address, String role) {
    String host = address.substring(0, address.lastIndexOf(':'));
    String port = address.substring(address.lastIndexOf(':') + 1);
    return "{\"id\":\""
        + id
        + "\",\"master_name\":\""
        + masterName
        + "\",\"dc\":\""
        + dc
        + "\",\"host\":\""
        + host
        + "\",\"port\":"
        + port
        + ",\"role\":\""
        + role
        + "\",\"sentinel\":{\"confirmed\":true,\"agreeing\":3,\"reachable\":3,\"epoch\":1},"
        + "\"agent\":\"test\",\"since\":\"2026-01-01T00:00:00Z\"}";
  }

  /** A valid master key value naming {@code id} at {@code address}. */
  static String masterJson(String id, String dc, String address, long epoch) {
    String host = address.substring(0, address.lastIndexOf(':'));
    String port = address.substring(address.lastIndexOf(':') + 1);
    return "{\"id\":\""
        + id
        + "\",\"dc\":\""
        + dc
        + "\",\"host\":\""
        + host
        + "\",\"port\":"
        + port
        + ",\"epoch\":"
        + epoch
        + ",\"since\":\"2026-01-01T00:00:00Z\"}";
  }

  /** The documented default id of the instance at {@code redis} in {@code dc}. */
  static String defaultId(String dc, ServerProcess redis) {
    return dc + "-127.0.0.1-" + redis.port();
  }

  /** Parses JSON text, failing with the text when it is not JSON. */
  static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + json, e);
    }
  }

  /** Whether {@code json} is a JSON object (as opposed to anything else, or not JSON at all). */
  static boolean isObject(String json) {
    try {
      JsonNode node = JSON.readTree(json);
      return node != null && node.isObject();
    } catch (IOException e) {
      return false;
    }
  }

  /** The record of {@code id} in etcd, if there is one. */
  static Optional<JsonNode> get(EtcdServer etcd, String id) {
    return etcd.get(key(id)).map(Records::parse);
  }

  /** Every instance record in etcd, by id; fails if one is not JSON. */
  static Map<String, JsonNode> all(EtcdServer etcd) {
    Map<String, JsonNode> records = new LinkedHashMap<>();
    etcd.getPrefix(INSTANCES)
        .forEach((key, value) -> records.put(key.substring(INSTANCES.length()), parse(value)));
    return records;
  }

  /** The {@code role} of a record. */
  static String role(JsonNode record) {
    return record.path("role").asText();
  }

  /** {@code master_host:master_port} of a replica's record, or "" when absent. */
  static String followed(JsonNode record) {
    return record.has("master_host")
        ? record.path("master_host").asText() + ":" + record.path("master_port").asText()
        : "";
  }

  /** {@code etcdctl lease timetolive --keys}: TTL left, TTL granted and the keys attached. */
  static LeaseInfo lease(EtcdServer etcd, long leaseId) {
    JsonNode n =
        parse(
            etcd.etcdctl("lease", "timetolive", Long.toHexString(leaseId), "--keys", "-w", "json"));
    List<String> keys = new ArrayList<>();
    n.path("keys").forEach(k -> keys.add(EtcdServer.decode(k)));
    return new LeaseInfo(n.path("ttl").asLong(), n.path("granted-ttl").asLong(), keys);
  }

  /** The ids of every lease etcd holds. */
  static List<Long> leases(EtcdServer etcd) {
    List<Long> ids = new ArrayList<>();
    parse(etcd.etcdctl("lease", "list", "-w", "json"))
        .path("leases")
        .forEach(l -> ids.add(l.path("id").asLong()));
    return ids;
  }

  /** etcd's current revision: it changes with every write, whatever the key. */
  static long revision(EtcdServer etcd) {
    return parse(etcd.etcdctl("get", "-w", "json", "--", "/"))
        .path("header")
        .path("revision")
        .asLong();
  }
}
