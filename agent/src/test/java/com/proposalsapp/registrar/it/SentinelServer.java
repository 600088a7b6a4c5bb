package com.proposalsapp.registrar.it;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.Jedis;

/** A {@code redis-sentinel} process monitoring one master, with its own writable config file. */
public final class SentinelServer extends RespServer {

  private SentinelServer(Path parentDir, String name, String host, RespSecurity security) {
    super(parentDir, name, host, security);
  }

  /**
   * Starts a Sentinel monitoring {@code 127.0.0.1:masterPort} as {@code masterName} with quorum 2.
   */
  public static SentinelServer start(
      Path parentDir, String name, String masterName, int masterPort, Duration downAfter) {
    return start(
        parentDir, name, masterName, HOST, masterPort, downAfter, HOST, RespSecurity.NONE, false);
  }

  /**
   * Starts a Sentinel on {@code host} with {@code security} (whose password it also gives Redis and
   * the other Sentinels) monitoring {@code masterHost:masterPort} as {@code masterName} with quorum
   * 2; with {@code hostnames} it resolves and announces host names ({@code resolve-hostnames},
   * {@code announce-hostnames}); {@code extraConfig} lines are appended.
   */
  public static SentinelServer start(
      Path parentDir,
      String name,
      String masterName,
      String masterHost,
      int masterPort,
      Duration downAfter,
      String host,
      RespSecurity security,
      boolean hostnames,
      String... extraConfig) {
    SentinelServer server = new SentinelServer(parentDir, name, host, security);
    List<String> config = new ArrayList<>(server.commonConfig());
    config.add("sentinel resolve-hostnames " + (hostnames ? "yes" : "no"));
    config.add("sentinel announce-hostnames " + (hostnames ? "yes" : "no"));
    config.addAll(
        List.of(
            "sentinel monitor " + masterName + " " + masterHost + " " + masterPort + " 2",
            "sentinel down-after-milliseconds " + masterName + " " + downAfter.toMillis(),
            "sentinel failover-timeout " + masterName + " 5000",
            "sentinel parallel-syncs " + masterName + " 1"));
    if (security.password() != null) {
      config.add("sentinel auth-pass " + masterName + " \"" + security.password() + "\"");
    }
    config.addAll(List.of(extraConfig));
    server.writeConfig(config);
    server.start();
    return server;
  }

  @Override
  protected List<String> command() {
    return List.of("redis-sentinel", configFile().toString());
  }

  /**
   * The master's "host:port" as this Sentinel sees it ({@code SENTINEL GET-MASTER-ADDR-BY-NAME}).
   */
  public String masterAddress(String masterName) {
    try (Jedis jedis = jedis()) {
      List<String> hostPort = jedis.sentinelGetMasterAddrByName(masterName);
      if (hostPort == null || hostPort.isEmpty()) {
        throw new IllegalStateException(this + " does not know master " + masterName);
      }
      return hostPort(hostPort.get(0), Integer.parseInt(hostPort.get(1)));
    }
  }

  /** {@code SENTINEL REPLICAS}: one field map per replica this Sentinel knows. */
  public List<Map<String, String>> replicas(String masterName) {
    try (Jedis jedis = jedis()) {
      return jedis.sentinelReplicas(masterName);
    }
  }

  /** {@code SENTINEL SENTINELS}: one field map per other Sentinel this one knows. */
  public List<Map<String, String>> otherSentinels(String masterName) {
    try (Jedis jedis = jedis()) {
      return jedis.sentinelSentinels(masterName);
    }
  }
}
