package com.proposalsapp.registrar.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;

/**
 * A server speaking the Redis protocol (redis-server or redis-sentinel) with a generated config
 * file.
 */
public abstract class RespServer extends ServerProcess {
  private static final int PROBE_TIMEOUT_MS = 1000;
  private final Path configFile;

  protected RespServer(Path parentDir, String name) {
    super(parentDir, name);
    this.configFile = dir().resolve(name + ".conf");
  }

  public Path configFile() {
    return configFile;
  }

  /** A new client for ad-hoc commands; the caller closes it. */
  public Jedis jedis() {
    return new Jedis(HOST, port());
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
    return List.of(
        "port " + port(),
        "bind " + HOST,
        "protected-mode no",
        "daemonize no",
        "dir \"" + dir() + "\"",
        "logfile \"" + logFile() + "\"");
  }

  @Override
  protected boolean probe() {
    try (Jedis jedis =
        new Jedis(
            HOST,
            port(),
            DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(PROBE_TIMEOUT_MS)
                .socketTimeoutMillis(PROBE_TIMEOUT_MS)
                .build())) {
      return "PONG".equals(jedis.ping());
    }
  }
}
