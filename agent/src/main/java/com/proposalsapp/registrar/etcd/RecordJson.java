package com.proposalsapp.registrar.etcd;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.jr.ob.JSON;
import com.proposalsapp.registrar.core.InstanceRecord;
import com.proposalsapp.registrar.core.MasterRecord;
import com.proposalsapp.registrar.core.Role;
import com.proposalsapp.registrar.core.SentinelSummary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The JSON form of an instance record, as stored in etcd and printed by the CLI; and the one place
 * where the project's JSON trees (maps in field order, lists, strings, numbers, booleans, nulls)
 * become text and back, through jackson-jr.
 */
public final class RecordJson {

  private static final JSON WRITER = JSON.std.with(JSON.Feature.WRITE_NULL_PROPERTIES);
  private static final JSON PRETTY = WRITER.with(JSON.Feature.PRETTY_PRINT_OUTPUT);

  // A repeated field: the last one counts, as in any JSON reader that does not refuse it.
  private static final JSON READER = JSON.std.without(JSON.Feature.FAIL_ON_DUPLICATE_MAP_KEYS);

  private RecordJson() {}

  /** A JSON tree as one line of JSON. */
  public static String text(Object tree) {
    return write(WRITER, tree);
  }

  /**
   * Reads one JSON object, and nothing after it; throws {@link IllegalArgumentException} saying
   * what is wrong.
   */
  public static Map<String, Object> object(String json) {
    try (JsonParser p = READER.getStreamingFactory().createParser(json)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IllegalArgumentException("not a JSON object");
      }
      Map<String, Object> n = READER.mapFrom(p);
      JsonToken after = p.nextToken();
      if (after != null) {
        throw new IllegalArgumentException(
            "not JSON: trailing token " + after + " after the object");
      }
      return n;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new UncheckedIOException(e); // reading a string
    }
  }

  /** Puts a new, empty JSON object under {@code field} of {@code parent} and returns it. */
  public static Map<String, Object> putObject(Map<String, Object> parent, String field) {
    Map<String, Object> child = new LinkedHashMap<>();
    parent.put(field, child);
    return child;
  }

  /** A JSON tree as indented JSON, as Jackson's default pretty printer lays it out. */
  public static String prettyText(Object tree) {
    return write(PRETTY, tree);
  }

  private static String write(JSON json, Object tree) {
    try {
      return json.asString(tree);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a tree of maps, lists and plain values always writes
    }
  }

  /** The record as a JSON object, fields in the documented order. */
  public static Map<String, Object> toNode(InstanceRecord r) {
    Map<String, Object> n = new LinkedHashMap<>();
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
    Map<String, Object> s = putObject(n, "sentinel");
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
    return text(toNode(r));
  }

  /** Decodes a stored value; throws {@link IllegalArgumentException} saying what is wrong. */
  public static InstanceRecord decode(String json) {
    Map<String, Object> n = object(json);
    Map<String, Object> s = n.get("sentinel") instanceof Map<?, ?> m ? fields(m) : Map.of();
    try {
      return new InstanceRecord(
          text(n, "id"),
          text(n, "master_name"),
          text(n, "dc"),
          text(n, "host"),
          integer(n, "port"),
          role(text(n, "role")),
          n.get("master_host") != null ? text(n, "master_host") : null,
          n.get("master_port") != null ? integer(n, "master_port") : null,
          n.get("link") != null ? text(n, "link") : null,
          new SentinelSummary(
              bool(s, "confirmed"),
              s.get("master") != null ? text(s, "master") : null,
              integer(s, "agreeing"),
              integer(s, "reachable"),
              s.containsKey("epoch") ? number(s, "epoch") : 0),
          text(n, "agent"),
          Instant.parse(text(n, "since")),
          n.get("http") != null ? text(n, "http") : null); // absent in records of older agents
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("since is not an ISO-8601 instant");
    }
  }

  @SuppressWarnings("unchecked") // a JSON object's keys are strings
  private static Map<String, Object> fields(Map<?, ?> object) {
    return (Map<String, Object>) object;
  }

  private static Role role(String wire) {
    try {
      return Role.fromWire(wire);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "field role is '" + wire + "', not master, replica, syncing or stale");
    }
  }

  private static String text(Map<String, Object> n, String field) {
    if (!(n.get(field) instanceof String v)) {
      throw new IllegalArgumentException("field " + field + " missing or not a string");
    }
    return v;
  }

  // jackson-jr reads an integer that fits in an int as an Integer, a larger one as a Long or a
  // BigInteger, and anything with a fraction or an exponent as a Double.
  private static int integer(Map<String, Object> n, String field) {
    if (!(n.get(field) instanceof Integer v)) {
      throw new IllegalArgumentException("field " + field + " missing or not an integer");
    }
    return v;
  }

  private static long number(Map<String, Object> n, String field) {
    Object v = n.get(field);
    if (!(v instanceof Integer || v instanceof Long)) {
      throw new IllegalArgumentException("field " + field + " missing or not an integer");
    }
    return ((Number) v).longValue();
  }

  /** The master key's value as one line of JSON. */
  public static String encodeMaster(MasterRecord m) {
    Map<String, Object> n = new LinkedHashMap<>();
    n.put("id", m.id());
    n.put("dc", m.dc());
    n.put("host", m.host());
    n.put("port", m.port());
    n.put("epoch", m.epoch());
    n.put("since", m.since().toString());
    return text(n);
  }

  /** Decodes the master key's value; throws {@link IllegalArgumentException} if it is not one. */
  public static MasterRecord decodeMaster(String json) {
    Map<String, Object> n = object(json);
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

  private static boolean bool(Map<String, Object> n, String field) {
    if (!(n.get(field) instanceof Boolean v)) {
      throw new IllegalArgumentException("field " + field + " missing or not a boolean");
    }
    return v;
  }
}
