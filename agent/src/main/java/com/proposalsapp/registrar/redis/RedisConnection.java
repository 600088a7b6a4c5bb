package com.proposalsapp.registrar.redis;

import com.proposalsapp.registrar.core.HostPort;
import java.time.Duration;
import java.util.function.Function;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.exceptions.JedisException;

/** One lazily opened connection to a Redis or Sentinel, reopened after any failure. */
final class RedisConnection implements AutoCloseable {

  private final HostPort address;
  private final String what;
  private final JedisClientConfig config;
  private Jedis jedis;

  /**
   * @param what how the server is named in messages, e.g. "Redis" or "Sentinel"
   * @param password null for none
   */
  RedisConnection(HostPort address, String what, String password, Duration timeout) {
    this.address = address;
    this.what = what;
    int ms = (int) timeout.toMillis();
    this.config =
        DefaultJedisClientConfig.builder()
            .connectionTimeoutMillis(ms)
            .socketTimeoutMillis(ms)
            .password(password)
            .clientName("redis-registrar")
            .build();
  }

  HostPort address() {
    return address;
  }

  /** Runs {@code call} on the connection; throws {@link RedisException} with a readable message. */
  synchronized <T> T call(Function<Jedis, T> call) throws RedisException {
    try {
      if (jedis == null) {
        jedis = new Jedis(new HostAndPort(address.host(), address.port()), config);
      }
      return call.apply(jedis);
    } catch (JedisException e) {
      close();
      throw new RedisException(what + " at " + address + ": " + describe(e), e);
    }
  }

  @Override
  public synchronized void close() {
    if (jedis != null) {
      try {
        jedis.close();
      } catch (RuntimeException ignored) {
        // closing a broken connection: nothing more to do
      }
      jedis = null;
    }
  }

  private static String describe(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String msg = root.getMessage();
    if (root instanceof java.net.ConnectException) {
      return "connection refused";
    }
    if (root instanceof java.net.SocketTimeoutException) {
      return "timed out";
    }
    return msg == null ? root.getClass().getSimpleName() : msg;
  }
}
