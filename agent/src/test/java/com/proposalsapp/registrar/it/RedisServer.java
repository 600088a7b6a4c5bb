package com.proposalsapp.registrar.it;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A {@code redis-server} process, optionally a replica, with a generated config and no persistence.
 */
public final class RedisServer extends RespServer {

  private RedisServer(Path parentDir, String name, String host, RespSecurity security) {
    super(parentDir, name, host, security);
  }

  /**
   * Starts a master ({@code replicaOfPort} 0) or a replica of {@code 127.0.0.1:replicaOfPort};
   * extra config lines are appended to the generated ones.
   */
  public static RedisServer start(
      Path parentDir, String name, int replicaOfPort, String... extraConfig) {
    return start(parentDir, name, HOST, RespSecurity.NONE, HOST, replicaOfPort, extraConfig);
  }

  /**
   * Starts a master ({@code replicaOfPort} 0) or a replica of {@code replicaOfHost:replicaOfPort}
   * listening on {@code host} with {@code security} (its password also used towards its master).
   */
  public static RedisServer start(
      Path parentDir,
      String name,
      String host,
      RespSecurity security,
      String replicaOfHost,
      int replicaOfPort,
      String... extraConfig) {
    RedisServer server = new RedisServer(parentDir, name, host, security);
    List<String> config = new ArrayList<>(server.commonConfig());
    config.addAll(List.of("save \"\"", "appendonly no", "repl-diskless-sync-delay 0"));
    if (security.password() != null) {
      config.add("masterauth \"" + security.password() + "\"");
    }
    if (replicaOfPort != 0) {
      config.add("replicaof " + replicaOfHost + " " + replicaOfPort);
    }
    config.addAll(Arrays.asList(extraConfig));
    server.writeConfig(config);
    server.start();
    return server;
  }

  @Override
  protected List<String> command() {
    return List.of("redis-server", configFile().toString());
  }

  /** The {@code role} field of {@code INFO replication}: "master" or "slave". */
  public String role() {
    return infoReplication().get("role");
  }

  /** {@code INFO replication} as field map. */
  public Map<String, String> infoReplication() {
    return info("replication");
  }
}
