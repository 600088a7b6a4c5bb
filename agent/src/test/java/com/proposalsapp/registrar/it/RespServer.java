package com.proposalsapp.registrar.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/**
 * A server speaking the Redis protocol (redis-server or redis-sentinel) with a generated config
 * file.
 */
public abstract class RespServer extends ServerProcess {
  private static final int PROBE_TIMEOUT_MS = 1000;
  private static final int CLIENT_TIMEOUT_MS = 5000;
  private final Path configFile;
  private final RespSecurity security;

  protected RespServer(Path parentDir, String name) {
    this(parentDir, name, HOST, RespSecurity.NONE);
  }

  /** A server on {@code host} protected by {@code security}. */
  protected RespServer(Path parentDir, String name, String host, RespSecurity security) {
    super(parentDir, name, host);
    this.configFile = dir().resolve(name + ".conf");
    this.security = security;
  }

  public RespSecurity security() {
    return security;
  }

  public Path configFile() {
    return configFile;
  }

  /** A new client for ad-hoc commands; the caller closes it. */
  public Jedis jedis() {
    return new Jedis(new HostAndPort(host(), port()), security.clientConfig(CLIENT_TIMEOUT_MS));
  }

  /** {@code INFO <section>} parsed into its {@code field:value} lines. */
  public Map<String, String> info(String section) {
    try (Jedis jedis = jedis()) {
      return parseInfo(jedis.info(section));
    }
  }

  private static Map<String, String> parseInfo(String info) {
    Map<String, String> fields = new LinkedHashMap<>();
    for (String line : info.split("\r?\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && !line.startsWith("#")) {
        fields.put(line.substring(0, colon), line.substring(colon + 1));
      }
    }
    return fields;
  }

  /** Writes the config file the server starts from (and may later rewrite). */
  protected void writeConfig(List<String> lines) {
    try {
      Files.write(configFile, lines);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Config lines every Redis-protocol server here shares. */
  protected List<String> commonConfig() {
    List<String> lines = new ArrayList<>(security.serverConfig(port()));
    lines.addAll(
        List.of(
            "bind " + host(),
            "protected-mode no",
            "daemonize no",
            "dir \"" + dir() + "\"",
            "logfile \"" + logFile() + "\""));
    return lines;
  }

  @Override
  protected boolean probe() {
    try (Jedis jedis =
        new Jedis(new HostAndPort(host(), port()), security.clientConfig(PROBE_TIMEOUT_MS))) {
      return "PONG".equals(jedis.ping());
    }
  }
}
