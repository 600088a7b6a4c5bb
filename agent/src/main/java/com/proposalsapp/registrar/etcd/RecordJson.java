package com.proposalsapp.registrar.etcd;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.proposalsapp.registrar.core.InstanceRecord;
import com.proposalsapp.registrar.core.MasterRecord;
import com.proposalsapp.registrar.core.Role;
import com.proposalsapp.registrar.core.SentinelSummary;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** The JSON form of an instance record, as stored in etcd and printed by the CLI. */
public final class RecordJson {

  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private RecordJson() {}

  /** The record as a JSON object, fields in the documented order. */
  public static ObjectNode toNode(InstanceRecord r) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("id", r.id());
    n.put("master_name", r.masterName());
    n.put("dc", r.dc());
    n.put("host", r.host());
    n.put("port", r.port());
    n.put("role", r.role().wire());
    if (r.masterHost() != null) {
      n.put("master_host", r.masterHost());
      n.put("master_port", r.masterPort());
    }
    if (r.link() != null) {
      n.put("link", r.link());
    }
    ObjectNode s = n.putObject("sentinel");
    s.put("confirmed", r.sentinel().confirmed());
    if (r.sentinel().master() != null) {
      s.put("master", r.sentinel().master());
    }
    s.put("agreeing", r.sentinel().agreeing());
    s.put("reachable", r.sentinel().reachable());
    s.put("epoch", r.sentinel().epoch());
    n.put("agent", r.agent());
    n.put("since", r.since().toString());
    if (r.http() != null) {
      n.put("http", r.http());
    }
    return n;
  }

  /** The record as one line of JSON. */
  public static String encode(InstanceRecord r) {
    return toNode(r).toString();
  }

  /** Decodes a stored value; throws {@link IllegalArgumentException} saying what is wrong. */
  public static InstanceRecord decode(String json) {
    JsonNode n = objectOf(json);
    JsonNode s = n.path("sentinel");
    try {
      return new InstanceRecord(
          text(n, "id"),
          text(n, "master_name"),
          text(n, "dc"),
          text(n, "host"),
          integer(n, "port"),
          role(text(n, "role")),
          n.hasNonNull("master_host") ? text(n, "master_host") : null,
          n.hasNonNull("master_port") ? integer(n, "master_port") : null,
          n.hasNonNull("link") ? text(n, "link") : null,
          new SentinelSummary(
              bool(s, "confirmed"),
              s.hasNonNull("master") ? text(s, "master") : null,
              integer(s, "agreeing"),
              integer(s, "reachable"),
              s.has("epoch") ? number(s, "epoch") : 0),
          text(n, "agent"),
          Instant.parse(text(n, "since")),
          n.hasNonNull("http") ? text(n, "http") : null); // absent in records of older agents
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("since is not an ISO-8601 instant");
    }
  }

  private static JsonNode objectOf(String json) {
    JsonNode n;
    try {
      n = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
    }
    if (n == null || !n.isObject()) {
      throw new IllegalArgumentException("not a JSON object");
    }
    return n;
  }

  private static Role role(String wire) {
    try {
      return Role.fromWire(wire);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "field role is '" + wire + "', not master, replica, syncing or stale");
    }
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isTextual()) {
      throw new IllegalArgumentException("field " + field + " missing or not a string");
    }
    return v.asText();
  }

  private static int integer(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isInt()) {
      throw new IllegalArgumentException("field " + field + " missing or not an integer");
    }
    return v.asInt();
  }

  private static long number(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.canConvertToLong() || !v.isIntegralNumber()) {
      throw new IllegalArgumentException("field " + field + " missing or not an integer");
    }
    return v.asLong();
  }

  /** The master key's value as one line of JSON. */
  public static String encodeMaster(MasterRecord m) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("id", m.id());
    n.put("dc", m.dc());
    n.put("host", m.host());
    n.put("port", m.port());
    n.put("epoch", m.epoch());
    n.put("since", m.since().toString());
    return n.toString();
  }

  /** Decodes the master key's value; throws {@link IllegalArgumentException} if it is not one. */
  public static MasterRecord decodeMaster(String json) {
    JsonNode n = objectOf(json);
    try {
      return new MasterRecord(
          text(n, "id"),
          text(n, "dc"),
          text(n, "host"),
          integer(n, "port"),
          number(n, "epoch"),
          Instant.parse(text(n, "since")));
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("since is not an ISO-8601 instant");
    }
  }

  private static boolean bool(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isBoolean()) {
      throw new IllegalArgumentException("field " + field + " missing or not a boolean");
    }
    return v.asBoolean();
  }
}
