package com.proposalsapp.registrar.redis;

import com.proposalsapp.registrar.core.HostPort;
import com.proposalsapp.registrar.core.Replication;
import java.util.HashMap;
import java.util.Map;

/** Parses the text of {@code INFO replication}. */
public final class InfoReplication {

  private InfoReplication() {}

  /**
   * Parses {@code INFO replication} output; throws {@link IllegalArgumentException} if malformed.
   */
  public static Replication parse(String info) {
    Map<String, String> fields = new HashMap<>();
    for (String line : info.split("\r?\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && !line.startsWith("#")) {
        fields.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
      }
    }
    String role = fields.get("role");
    if (role == null) {
      throw new IllegalArgumentException("INFO replication has no role field");
    }
    switch (role) {
      case "master":
        return new Replication(
            true,
            null,
            false,
            false,
            intOf(fields, "connected_slaves"),
            longOf(fields, "master_repl_offset"));
      case "slave":
        String host = fields.get("master_host");
        String port = fields.get("master_port");
        if (host == null || port == null) {
          throw new IllegalArgumentException(
              "INFO replication of a replica has no master_host/master_port");
        }
        long offset =
            fields.containsKey("slave_repl_offset")
                ? longOf(fields, "slave_repl_offset")
                : longOf(fields, "master_repl_offset");
        return new Replication(
            false,
            masterAddress(host, port),
            "up".equals(fields.get("master_link_status")),
            "1".equals(fields.get("master_sync_in_progress")),
            0,
            offset);
      default:
        throw new IllegalArgumentException("unknown role in INFO replication: " + role);
    }
  }

  private static HostPort masterAddress(String host, String port) {
    try {
      return new HostPort(host, Integer.parseInt(port));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "INFO replication has a bad master_host/master_port: " + host + ":" + port);
    }
  }

  private static int intOf(Map<String, String> fields, String key) {
    return (int) longOf(fields, key);
  }

  private static long longOf(Map<String, String> fields, String key) {
    String v = fields.get(key);
    if (v == null) {
      return 0;
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "INFO replication field " + key + " is not a number: " + v);
    }
  }
}
