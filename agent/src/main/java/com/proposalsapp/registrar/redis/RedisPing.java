package com.proposalsapp.registrar.redis;

import com.proposalsapp.registrar.config.RedisAccess;
import com.proposalsapp.registrar.core.HostPort;
import java.time.Duration;

/** Whether a Redis answers {@code PING}. */
public final class RedisPing {

  private RedisPing() {}

  /** Whether the Redis at {@code address}, reached with {@code access}, answers now. */
  public static boolean answers(HostPort address, RedisAccess access, Duration timeout) {
    try (RedisConnection c =
        new RedisConnection(
            address, "Redis", new RedisClients(access, timeout, RedisClients.CLIENT_NAME))) {
      return "PONG".equals(c.call(j -> j.ping()));
    } catch (RedisException e) {
      return false;
    }
  }
}
