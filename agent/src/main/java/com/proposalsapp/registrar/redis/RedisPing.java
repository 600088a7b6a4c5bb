package com.proposalsapp.registrar.redis;

import com.proposalsapp.registrar.core.HostPort;
import java.time.Duration;

/** Whether a Redis answers {@code PING}. */
public final class RedisPing {

  private RedisPing() {}

  /**
   * @param password null for none
   */
  public static boolean answers(HostPort address, String password, Duration timeout) {
    try (RedisConnection c = new RedisConnection(address, "Redis", password, timeout)) {
      return "PONG".equals(c.call(j -> j.ping()));
    } catch (RedisException e) {
      return false;
    }
  }
}
