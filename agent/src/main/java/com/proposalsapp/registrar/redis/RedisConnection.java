package com.proposalsapp.registrar.redis;

import com.proposalsapp.registrar.core.HostPort;
import java.util.function.Function;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisException;

/** One lazily opened connection to a Redis or Sentinel, reopened after any failure. */
final class RedisConnection implements AutoCloseable {

  private final HostPort address;
  private final String what;
  private final RedisClients clients;
  private Jedis jedis;
  private String memo; // what perConnection asked on the current connection

  /**
   * @param what how the server is named in messages, e.g. "Redis" or "Sentinel"
   * @param clients how to connect and log in
   */
  RedisConnection(HostPort address, String what, RedisClients clients) {
    this.address = address;
    this.what = what;
    this.clients = clients;
  }

  HostPort address() {
    return address;
  }

  /**
   * Runs {@code call} on the connection; throws {@link RedisException} with a readable message.
   *
   * <p>A connection that worked before and is found closed by the server (Sentinel kills the
   * clients of every instance it reconfigures, at the very moment of a failover) is reopened and
   * the call tried once more at once: a killed connection is not a Redis that is down, and waiting
   * for the loop's backoff would delay the failover's publication.
   */
  synchronized <T> T call(Function<Jedis, T> call) throws RedisException {
    boolean reused = jedis != null;
    try {
      return attempt(call);
    } catch (JedisConnectionException e) {
      close();
      if (!reused || isTimeout(e)) {
        throw failure(e);
      }
    } catch (JedisException e) {
      close();
      throw failure(e);
    } catch (PemTls.TlsFilesException e) {
      throw new RedisException(what + " at " + address + ": " + e.getMessage(), e);
    }
    try {
      return attempt(call);
    } catch (JedisException e) {
      close();
      throw failure(e);
    }
  }

  /**
   * Asks {@code once} on the first call of each connection and returns its answer from then on, for
   * what cannot change while a connection lasts (a Sentinel's run id).
   */
  synchronized String perConnection(Function<Jedis, String> once) throws RedisException {
    if (jedis == null || memo == null) {
      String value = call(once);
      memo = jedis == null ? null : value;
      return value;
    }
    return memo;
  }

  private <T> T attempt(Function<Jedis, T> call) {
    if (jedis == null) {
      jedis = clients.open(address);
    }
    return call.apply(jedis);
  }

  private RedisException failure(JedisException e) {
    return new RedisException(what + " at " + address + ": " + describe(e), e);
  }

  private static boolean isTimeout(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof java.net.SocketTimeoutException) {
        return true;
      }
    }
    return false;
  }

  @Override
  public synchronized void close() {
    memo = null;
    if (jedis != null) {
      try {
        jedis.close();
      } catch (RuntimeException ignored) {
        // closing a broken connection: nothing more to do
      }
      jedis = null;
    }
  }

  /** A failure of a Redis call in a few words: "connection refused", "timed out", or the cause. */
  static String describe(Throwable e) {
    Throwable root = e;
    boolean tls = false;
    while (root.getCause() != null && root.getCause() != root) {
      if (root instanceof PemTls.TlsFilesException) {
        return root.getMessage();
      }
      tls |= root instanceof javax.net.ssl.SSLException;
      root = root.getCause();
    }
    if (tls || root instanceof javax.net.ssl.SSLException) {
      String msg = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
      return "TLS handshake failed: " + msg;
    }
    // Jedis reports a failed connect as its own exception with the socket's as a suppressed one.
    for (Throwable s : root.getSuppressed()) {
      if (s instanceof java.net.ConnectException || s instanceof java.net.SocketTimeoutException) {
        root = s;
        break;
      }
    }
    if (root instanceof java.net.ConnectException) {
      return "connection refused";
    }
    if (root instanceof java.net.SocketTimeoutException) {
      return "timed out";
    }
    String msg = root.getMessage();
    return msg == null ? root.getClass().getSimpleName() : msg;
  }
}
